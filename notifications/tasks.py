"""Thin Celery wrappers (docs/notifications.md)."""

from celery import shared_task

from .services import bindings_expiring_emit, deliveries_send, ship_digests_emit


@shared_task(ignore_result=True)
def deliveries_send_task(source_event_id: int) -> int:
    """Woken after the consumer's commit: send the event's deliveries now."""
    return deliveries_send(source_event_id=source_event_id)


@shared_task(ignore_result=True)
def deliveries_sweep_task() -> int:
    """Beat: every due delivery (a lost wake-up, a retry's backoff ended, quiet hours over, a killed worker)."""
    return deliveries_send()


@shared_task(ignore_result=True)
def ship_digests_task() -> int:
    """Beat: suppliers hear of their paid parcels in one digest each."""
    return ship_digests_emit()


@shared_task(ignore_result=True)
def bindings_expiring_task() -> int:
    """Beat, daily: resellers hear of bound customers about to stop counting as theirs."""
    return bindings_expiring_emit()
