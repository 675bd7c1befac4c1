"""The sandbox gateway's side of the conversation: it calls the platform back."""

import logging

import requests
from celery import shared_task

from .models import SandboxCharge
from .payments import sandbox_callback

logger = logging.getLogger(__name__)

SANDBOX_CALLBACK_RETRIES = 6  # the sandbox gateway tries 7 times in all, backing off
SANDBOX_CALLBACK_TIMEOUT_SECONDS = 10


@shared_task(bind=True, max_retries=SANDBOX_CALLBACK_RETRIES)
def sandbox_callback_send_task(self, charge_id: int) -> int | None:
    """The sandbox gateway calling the platform back, as a real one does:
    a signed POST to the notify URL, retried with backoff (5 s, 10 s, 20 s …)
    until the platform answers 2xx. Returns the status code it got."""
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


# The task's name before the sandbox had its own app. It stays one release so that callbacks queued
# (or waiting for a retry) before the upgrade are still delivered: it hands them to the task above.
@shared_task(name="orders.tasks.sandbox_callback_send_task")
def sandbox_callback_send_under_old_name_task(charge_id: int) -> None:
    sandbox_callback_send_task.delay(charge_id)
