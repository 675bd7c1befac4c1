"""Withdrawal events, for the apps above ``commissions`` (the notifications
issue adds the first consumer), written to the transactional outbox
(``socialshop.events``) by the transition kernel in the same transaction as
the move they record (docs/events.md).

| type | aggregate | payload |
| --- | --- | --- |
| ``withdrawal.decided`` | ``withdrawal`` | ``withdrawal_id``, ``reseller_id``, ``status``, ``amount`` |
| ``withdrawal.requested`` | ``withdrawal`` | ``withdrawal_id``, ``reseller_id``, ``amount`` (operators decide it) |
| ``commissions.settled`` | ``commission`` (a batch's first) | ``settled``: reseller id (a string) → [count, fen] |
| ``reconcile.broken`` | ``reconciliation_run`` | ``run_id``, ``checks``: keys of the checks broken (when one breaks) |
| ``commissions.accrued`` | ``order`` | ``order_id``, ``earned``: reseller id (a string) → fen earned on the order |
| ``grade.changed`` | ``reseller`` | ``reseller_id``, ``change_id``, ``from_grade_id``, ``to_grade_id``, ``kind`` |

``status`` is the decision: approved, rejected, paid or failed (not
``paying``: putting it in a batch decides nothing new); ``amount`` is the
fen requested (the fee is not deducted).
"""

from socialshop.events import event_emit

from .models import Withdrawal

withdrawal_decided = "withdrawal.decided"
withdrawal_requested = "withdrawal.requested"
commissions_accrued = "commissions.accrued"
commissions_settled = "commissions.settled"
reconcile_broken = "reconcile.broken"


def withdrawal_decided_event(withdrawal: Withdrawal) -> tuple[str, str, int, dict]:
    """The kernel's ``event=`` for a decided withdrawal, read after the move."""
    payload = {
        "withdrawal_id": withdrawal.pk,
        "reseller_id": withdrawal.reseller_id,
        "status": str(withdrawal.status),
        "amount": withdrawal.amount,
    }
    return withdrawal_decided, "withdrawal", withdrawal.pk, payload


def withdrawal_requested_emit(withdrawal: Withdrawal) -> None:
    payload = {"withdrawal_id": withdrawal.pk, "reseller_id": withdrawal.reseller_id, "amount": withdrawal.amount}
    event_emit(type=withdrawal_requested, aggregate_type="withdrawal", aggregate_id=withdrawal.pk, payload=payload)


def commissions_accrued_emit(*, order_id: int, earned: dict[int, int]) -> None:
    """What each reseller earned on one order, in the transaction that created the commissions."""
    payload = {"order_id": order_id, "earned": {str(reseller_id): amount for reseller_id, amount in earned.items()}}
    event_emit(type=commissions_accrued, aggregate_type="order", aggregate_id=order_id, payload=payload)


def commissions_settled_emit(*, batch: list[tuple[int, int, int]]) -> None:
    """One settlement batch (commission id, beneficiary, fen kept), in its
    transaction: per reseller, how many commissions became withdrawable and
    how much. The aggregate is the batch's first commission."""
    settled: dict[str, list[int]] = {}
    for _commission_id, reseller_id, amount in batch:
        count, total = settled.get(str(reseller_id), [0, 0])
        settled[str(reseller_id)] = [count + 1, total + amount]
    first = batch[0][0]
    event_emit(type=commissions_settled, aggregate_type="commission", aggregate_id=first, payload={"settled": settled})


def reconcile_broken_emit(*, run_id: int, checks: list[str]) -> None:
    payload = {"run_id": run_id, "checks": checks}
    event_emit(type=reconcile_broken, aggregate_type="reconciliation_run", aggregate_id=run_id, payload=payload)


grade_changed = "grade.changed"


def grade_changed_emit(change) -> None:
    """A reseller's grade changed (``GradeChange``), in the change's transaction:
    ``reseller_id``, ``change_id``, ``from_grade_id``, ``to_grade_id``, ``kind``."""
    payload = {
        "reseller_id": change.reseller_id,
        "change_id": change.pk,
        "from_grade_id": change.from_grade_id,
        "to_grade_id": change.to_grade_id,
        "kind": str(change.kind),
    }
    event_emit(type=grade_changed, aggregate_type="reseller", aggregate_id=change.reseller_id, payload=payload)
