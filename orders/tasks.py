"""Thin Celery wrappers: take IDs, call one service, safe to run twice."""

from celery import shared_task

from .services.bills import payment_bills_reconcile
from .services.lifecycle import fulfilments_auto_deliver, orders_auto_complete, orders_expire_unpaid
from .services.payments import payment_issue_refund
from .services.refunds import refund_execute, refunds_pending_settle


@shared_task(acks_late=True)
def orders_expire_unpaid_task() -> int:
    """Beat, every minute: cancel orders unpaid too long, stock back."""
    return orders_expire_unpaid()


@shared_task(acks_late=True)
def fulfilments_auto_deliver_task() -> int:
    """Beat, hourly: parcels shipped M days ago count as delivered."""
    return fulfilments_auto_deliver()


@shared_task(acks_late=True)
def orders_auto_complete_task() -> int:
    """Beat, hourly: orders delivered N days ago complete."""
    return orders_auto_complete()


@shared_task(acks_late=True)
def payment_bills_reconcile_task() -> int:
    """Beat, daily after the gateways publish their bills: yesterday's trade
    bills compared line by line with our payments and refunds."""
    return sum(len(check.breaks) for check in payment_bills_reconcile())


@shared_task(acks_late=True)
def refunds_pending_settle_task() -> int:
    """Beat: refunds a gateway accepted and has not reported on are asked about."""
    return refunds_pending_settle()


# refund_execute_task and payment_issue_refund_task are no longer queued (orders/consumers.py does
# their work from the outbox); they stay one release so messages queued before the upgrade drain.
@shared_task(acks_late=True)
def refund_execute_task(refund_id: int) -> None:
    """Ask the provider for one approved refund (a no-op when it is not
    approved any more: done, or done by another worker)."""
    refund_execute(refund_id=refund_id)


@shared_task(acks_late=True)
def payment_issue_refund_task(issue_id: int) -> None:
    payment_issue_refund(issue_id=issue_id)
