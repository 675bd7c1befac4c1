"""Order events, for the apps above ``orders`` (commissions, webhooks), which
``orders`` itself never imports (docs/architecture.md).

Every event is sent *after* the transaction that made the change commits,
with ``send_robust``: a receiver that fails is logged and never fails, or
undoes, the order. Receivers do no work themselves; they queue Celery tasks
with the IDs they were given.

| signal | keyword arguments |
| --- | --- |
| ``order_paid`` | ``order_id`` |
| ``order_shipped`` | ``order_id``, ``fulfilment_group_id`` |
| ``order_completed`` | ``order_id`` |
| ``order_refunded`` | ``order_id``, ``refund_id`` |
"""

import logging

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

order_paid = Signal()
order_shipped = Signal()
order_completed = Signal()
order_refunded = Signal()


def order_event_emit(signal: Signal, **kwargs) -> None:
    """Send ``signal`` with ``kwargs`` once the current transaction commits
    (at once when there is none); never raises into the caller."""

    def send():
        for receiver, result in signal.send_robust(sender=None, **kwargs):
            if isinstance(result, Exception):
                logger.error("order event receiver %r failed for %s", receiver, kwargs, exc_info=result)

    transaction.on_commit(send)
