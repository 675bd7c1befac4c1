"""Order events → partners' webhooks. Receivers only queue a task with the
IDs they were given (orders sends the signals after its transaction
commits)."""

from django.dispatch import receiver

from orders.signals import order_completed, order_paid, order_refunded, order_shipped

from .choices import EventType
from .tasks import order_event_publish_task


@receiver(order_paid, dispatch_uid="webhooks.order_paid")
def on_order_paid(sender, order_id, **kwargs):
    order_event_publish_task.delay(EventType.ORDER_PAID.value, order_id)


@receiver(order_shipped, dispatch_uid="webhooks.order_shipped")
def on_order_shipped(sender, order_id, fulfilment_group_id, **kwargs):
    order_event_publish_task.delay(EventType.ORDER_SHIPPED.value, order_id, fulfilment_group_id=fulfilment_group_id)


@receiver(order_completed, dispatch_uid="webhooks.order_completed")
def on_order_completed(sender, order_id, **kwargs):
    order_event_publish_task.delay(EventType.ORDER_COMPLETED.value, order_id)


@receiver(order_refunded, dispatch_uid="webhooks.order_refunded")
def on_order_refunded(sender, order_id, refund_id, **kwargs):
    order_event_publish_task.delay(EventType.ORDER_REFUNDED.value, order_id, refund_id=refund_id)
