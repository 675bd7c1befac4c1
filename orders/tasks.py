"""Thin Celery wrappers: take IDs, call one service, safe to run twice."""

import logging

import requests
from celery import shared_task

from .payments import sandbox_callback
from .services.lifecycle import fulfilments_auto_deliver, orders_auto_complete, orders_expire_unpaid
from .services.payments import payment_issue_refund
from .services.refunds import refund_execute

logger = logging.getLogger(__name__)

SANDBOX_CALLBACK_RETRIES = 6  # the sandbox gateway tries 7 times in all, backing off
SANDBOX_CALLBACK_TIMEOUT_SECONDS = 10


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


@shared_task(bind=True, max_retries=SANDBOX_CALLBACK_RETRIES)
def sandbox_callback_send_task(self, charge_id: int) -> int | None:
    """The sandbox gateway calling the platform back, as a real one does:
    a signed POST to the notify URL, retried with backoff (5 s, 10 s, 20 s …)
    until the platform answers 2xx. Returns the status code it got."""
    from .models import SandboxCharge

    charge = SandboxCharge.objects.filter(pk=charge_id).first()
    if charge is None:
        return None
    body, headers = sandbox_callback(charge)
    try:
        response = requests.post(
            charge.notify_url,
            data=body,
            headers=headers,
            timeout=SANDBOX_CALLBACK_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
        status = response.status_code
    except requests.RequestException as error:
        logger.info("sandbox callback for %s failed: %s", charge.reference, error)
        status = None
    if status is not None and 200 <= status < 300:
        return status
    if status is not None and 400 <= status < 500:
        return status  # refused (bad signature, mismatch): retrying sends the same thing
    raise self.retry(countdown=5 * 2**self.request.retries)
