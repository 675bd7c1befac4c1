from celery import shared_task
from django.utils import timezone

from .services import order_event_publish, webhook_deliveries_due, webhook_delivery_attempt

SWEEP_BATCH_SIZE = 500


@shared_task(acks_late=True)
def webhook_delivery_send_task(delivery_id: int) -> None:
    """One attempt at one delivery; a no-op when it is not due or already
    taken (so a redelivered message sends nothing twice at once)."""
    webhook_delivery_attempt(delivery_id=delivery_id)


@shared_task
def webhook_deliveries_retry_task() -> int:
    """Beat, every 30 s: queue an attempt for every delivery whose retry is
    due or whose worker died holding it."""
    due = webhook_deliveries_due(now=timezone.now(), limit=SWEEP_BATCH_SIZE)
    for delivery_id in due:
        webhook_delivery_send_task.delay(delivery_id)
    return len(due)


@shared_task(acks_late=True)
def order_event_publish_task(event_type: str, order_id: int, fulfilment_group_id=None, refund_id=None) -> int:
    """No longer queued (the outbox's ``webhooks`` consumer publishes order
    events); kept one release so messages queued before the upgrade drain.
    Record an order event for the partners concerned (sent by the
    delivery tasks). A redelivered message records the event again: partners
    deduplicate by the order and event (deliveries are at least once)."""
    return len(
        order_event_publish(
            event_type=event_type, order_id=order_id, fulfilment_group_id=fulfilment_group_id, refund_id=refund_id
        )
    )
