from celery import shared_task

from .services.withdrawals import payout_batch_pay


@shared_task(acks_late=True)
def payout_batch_pay_task(batch_id: int) -> int:
    """Pay a batch through the provider; safe to run twice (see payout_batch_pay)."""
    return payout_batch_pay(batch_id=batch_id)
