"""Order events → commission tasks. Receivers only queue tasks with the IDs
they are given; orders sends the events after commit (orders/signals.py)."""

from django.dispatch import receiver

from orders.signals import order_completed, order_paid, order_refunded

from .tasks import commissions_create_task, commissions_follow_refund_task, commissions_mature_task


@receiver(order_paid, dispatch_uid="commissions.order_paid")
def on_order_paid(sender, *, order_id, **kwargs):
    commissions_create_task.delay(order_id)


@receiver(order_completed, dispatch_uid="commissions.order_completed")
def on_order_completed(sender, *, order_id, **kwargs):
    commissions_mature_task.delay(order_id)


@receiver(order_refunded, dispatch_uid="commissions.order_refunded")
def on_order_refunded(sender, *, order_id, refund_id, **kwargs):
    commissions_follow_refund_task.delay(refund_id)
