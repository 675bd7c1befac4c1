from celery import shared_task

from .reconciliation import reconciliation_record
from .services.accrual import commissions_create_for_order, commissions_follow_refund, commissions_mature
from .services.grades import grades_sweep
from .services.settlement import commissions_settle_matured
from .services.withdrawals import payout_batch_pay, payout_batches_unfinished, payout_items_pending_settle


@shared_task(acks_late=True)
def payout_batch_pay_task(batch_id: int) -> int:
    """Pay a batch through the provider; safe to run twice (see payout_batch_pay)."""
    return payout_batch_pay(batch_id=batch_id)


@shared_task
def payout_batches_resume_task() -> int:
    """Beat, every 5 minutes: pay again what a dead worker or a failing
    provider left unpaid in an open batch (safe: see payout_batch_pay)."""
    batch_ids = payout_batches_unfinished()
    for batch_id in batch_ids:
        payout_batch_pay_task.delay(batch_id)
    return len(batch_ids)


@shared_task
def payouts_pending_settle_task() -> int:
    """Beat, every 10 minutes: ask the provider about payouts sent but not
    finished, apply its answer, cancel a transfer not accepted in time (see
    payout_items_pending_settle)."""
    return payout_items_pending_settle()


@shared_task
def reconcile_task() -> bool:
    """Beat, hourly, and an operator's "reconcile now": prove the books and
    record the run; on a break, log an error and leave a notice on the admin's
    front page."""
    return reconciliation_record().ok


# The three tasks below are no longer queued: the outbox's ``commissions`` consumer does their work
# (commissions/consumers.py). They stay one release so that messages queued before the upgrade drain.


@shared_task(acks_late=True)
def commissions_create_task(order_id: int) -> int:
    """On order_paid: the order's commissions (idempotent, see the service)."""
    return commissions_create_for_order(order_id=order_id)


@shared_task(acks_late=True)
def commissions_follow_refund_task(refund_id: int) -> int:
    """On order_refunded: the refunded line's commissions shrink (idempotent)."""
    return commissions_follow_refund(refund_id=refund_id)


@shared_task(acks_late=True)
def commissions_mature_task(order_id: int) -> int:
    """On order_completed: the commissions mature when the after-sales window ends."""
    return commissions_mature(order_id=order_id)


@shared_task(acks_late=True)
def commissions_settle_task() -> int:
    """Beat, every 10 minutes: settle what matured (set-based; safe with two
    sweeps at once, a redelivered task or a worker killed mid-batch)."""
    return commissions_settle_matured()


@shared_task
def grades_sweep_task() -> int:
    """Beat, nightly: every reseller's grade against its own figures (windows
    roll: a demotion may fall due without a new order); safe to run twice."""
    return grades_sweep()
