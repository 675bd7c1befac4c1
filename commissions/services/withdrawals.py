"""Withdrawals (提现) and payouts (打款): the only writers of their states.

Money follows the ledger (docs/commissions.md):

- requested: withdrawable → withdrawal pending (the amount is reserved at once)
- rejected, or payout failed: withdrawal pending → withdrawable
- paid: withdrawal pending → payout clearing (the net amount) + revenue (the fee)

Every posting is keyed by the withdrawal, every state change goes through
the transition kernel (``_transition`` for withdrawals: the declared table,
an audit row, and for a decision the ``withdrawal.decided`` event; the same
kernel for payout items and batches), and a payout is asked of the provider
with the item's stable reference, so nothing is paid twice: not when a task
runs twice, not when two workers take one batch.
"""

import logging
import uuid
from datetime import timedelta
from functools import partial
from typing import overload

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from distribution.models import Reseller
from ledger.choices import AccountKind
from ledger.services import ledger_account, ledger_balance_locked, ledger_post
from socialshop.errors import NotFound
from socialshop.events import task_wake_on_commit
from socialshop.idempotency import Answer, Idempotency, idempotent
from socialshop.money import format_yuan
from socialshop.states import SYSTEM, state_set, state_set_query

from ..calculations import withdrawal_fee
from ..choices import OPERATOR, WITHDRAWAL_DECIDED, PayoutBatchStatus, PayoutItemOutcome, WithdrawalStatus
from ..events import withdrawal_decided_event, withdrawal_requested_emit
from ..exceptions import (
    BelowMinimumWithdrawal,
    InsufficientBalance,
    ResellerNotActive,
    WithdrawalRefused,
)
from ..models import PAYING_REASON, PayoutBatch, PayoutItem, Withdrawal, WithdrawalStatusChange
from ..providers import payout_provider
from ..selectors import commission_plan_in_effect
from .states import PAYOUT_BATCH_MACHINE, PAYOUT_ITEM_MACHINE, WITHDRAWAL_MACHINE

logger = logging.getLogger(__name__)

PAYOUT_CLAIM = timedelta(minutes=5)  # a worker's hold on one payout item


def _accounts(reseller_id: int):
    return (
        ledger_account(kind=AccountKind.RESELLER_WITHDRAWABLE, owner_id=reseller_id),
        ledger_account(kind=AccountKind.RESELLER_WITHDRAWAL_PENDING, owner_id=reseller_id),
    )


def _audit(actor: User | None, reason: str, withdrawal: Withdrawal, from_status: str, to_status: str):
    return WithdrawalStatusChange(
        withdrawal=withdrawal, from_status=from_status, to_status=to_status, actor=actor, reason=reason
    )


def _transition(withdrawal: Withdrawal, to_status: str, *, actor: User | None, reason: str = "") -> None:
    """The one writer of ``Withdrawal.status``, through the kernel; the row
    must be locked. An operator (``actor``) decides and batches; the payout
    provider's answer (no actor) pays or fails. Each move adds its
    WithdrawalStatusChange; a decision also writes ``withdrawal.decided``."""
    now = timezone.now()
    fields = {}
    if to_status in (WithdrawalStatus.APPROVED, WithdrawalStatus.REJECTED):
        fields["decided_at"] = now
    if to_status == WithdrawalStatus.PAID:
        fields["paid_at"] = now
    if to_status in (WithdrawalStatus.REJECTED, WithdrawalStatus.FAILED):
        fields["failure_reason"] = reason[:200]
    state_set(
        withdrawal,
        to_status,
        machine=WITHDRAWAL_MACHINE,
        actor_kind=SYSTEM if actor is None else OPERATOR,
        audit=partial(_audit, actor, reason),
        event=withdrawal_decided_event if to_status in WITHDRAWAL_DECIDED else None,
        **fields,
    )


def _return_to_withdrawable(withdrawal: Withdrawal, key: str, description: str) -> None:
    withdrawable, pending = _accounts(withdrawal.reseller_id)
    ledger_post(
        idempotency_key=f"{key}:{withdrawal.pk}",
        description=description,
        debits=[(pending, withdrawal.amount)],
        credits=[(withdrawable, withdrawal.amount)],
    )


@overload
def withdrawal_request(*, reseller: Reseller, amount: int, idempotency: None = None) -> Withdrawal: ...


@overload
def withdrawal_request(*, reseller: Reseller, amount: int, idempotency: Idempotency[Withdrawal]) -> Answer: ...


@transaction.atomic
def withdrawal_request(
    *, reseller: Reseller, amount: int, idempotency: Idempotency[Withdrawal] | None = None
) -> Withdrawal | Answer:
    """Ask to withdraw ``amount`` fen. Refused (and nothing changes) below
    the plan's minimum, above the withdrawable balance (a negative balance
    after a clawback refuses everything), or for a reseller that is not
    active. Locks the reseller's withdrawable account, so two requests at
    once cannot both spend the same money.

    With ``idempotency`` (the API's request and its ``Idempotency-Key``),
    the key is claimed first in the same transaction and the answer kept
    under it; what comes back is the ``Answer``: the new withdrawal's, or
    the first request's when the key was used before (nothing changes then).
    IdempotencyKeyReused when the key was used for another request (another
    amount)."""
    if idempotency is None:
        return _withdrawal_request(reseller, amount)
    return idempotent(idempotency, lambda: _withdrawal_request(reseller, amount))


def _withdrawal_request(reseller: Reseller, amount: int) -> Withdrawal:
    if not reseller.is_active:
        raise ResellerNotActive()
    plan = commission_plan_in_effect(at=timezone.now())
    fee = withdrawal_fee(amount=amount, fixed_amount=plan.withdrawal_fee_amount, basis_points=plan.withdrawal_fee_bps)
    if amount < plan.min_withdrawal_amount or amount - fee <= 0:
        raise BelowMinimumWithdrawal(
            _("The minimum withdrawal is %(minimum)s.") % {"minimum": format_yuan(plan.min_withdrawal_amount)},
            fields={"amount": [_("At least %(minimum)s.") % {"minimum": format_yuan(plan.min_withdrawal_amount)}]},
        )
    withdrawable, pending = _accounts(reseller.pk)
    balance = ledger_balance_locked(kind=AccountKind.RESELLER_WITHDRAWABLE, owner_id=reseller.pk)
    if amount > balance:
        raise InsufficientBalance(
            _("You can withdraw at most %(balance)s.") % {"balance": format_yuan(max(balance, 0))},
            fields={"amount": [_("More than your withdrawable balance.")]},
        )
    withdrawal = Withdrawal.objects.create(reseller=reseller, amount=amount, fee_amount=fee)
    WithdrawalStatusChange.objects.create(
        withdrawal=withdrawal, from_status="", to_status=WithdrawalStatus.REQUESTED, actor=reseller.user
    )
    ledger_post(
        idempotency_key=f"withdrawal-request:{withdrawal.pk}",
        description=f"withdrawal #{withdrawal.pk} requested",
        debits=[(withdrawable, amount)],
        credits=[(pending, amount)],
    )
    withdrawal_requested_emit(withdrawal)
    return withdrawal


def _locked(withdrawal_id: int) -> Withdrawal:
    withdrawal = Withdrawal.objects.select_for_update().filter(pk=withdrawal_id).first()
    if withdrawal is None:
        raise NotFound()
    return withdrawal


@transaction.atomic
def withdrawal_approve(*, operator: User, withdrawal_id: int, reason: str = "") -> Withdrawal:
    withdrawal = _locked(withdrawal_id)
    _transition(withdrawal, WithdrawalStatus.APPROVED, actor=operator, reason=reason)
    return withdrawal


@transaction.atomic
def withdrawal_reject(*, operator: User, withdrawal_id: int, reason: str) -> Withdrawal:
    """Refuse a requested or approved (not yet paying) withdrawal; the money
    returns to withdrawable. A reason is required: the reseller sees it."""
    if not reason.strip():
        raise WithdrawalRefused(_("Say why the withdrawal is rejected."), fields={"reason": [_("Required.")]})
    withdrawal = _locked(withdrawal_id)
    _transition(withdrawal, WithdrawalStatus.REJECTED, actor=operator, reason=reason.strip())
    _return_to_withdrawable(withdrawal, "withdrawal-reject", f"withdrawal #{withdrawal.pk} rejected")
    return withdrawal


@transaction.atomic
def payout_batch_create(*, operator: User, withdrawal_ids: list[int] | None = None) -> PayoutBatch | None:
    """Put approved withdrawals (all, or those named) into a new batch and
    queue its payment after commit. Returns None when there is nothing to pay."""
    candidates = Withdrawal.objects.select_for_update(skip_locked=True).filter(status=WithdrawalStatus.APPROVED)
    if withdrawal_ids is not None:
        candidates = candidates.filter(pk__in=withdrawal_ids)
    withdrawals = list(candidates.order_by("pk"))
    if not withdrawals:
        return None
    batch = PayoutBatch.objects.create(created_by=operator)
    for withdrawal in withdrawals:
        _transition(withdrawal, WithdrawalStatus.PAYING, actor=operator, reason=PAYING_REASON.format(batch=batch.pk))
    PayoutItem.objects.bulk_create(
        PayoutItem(
            batch=batch,
            withdrawal=withdrawal,
            amount=withdrawal.net_amount,
            reference=f"WD{withdrawal.pk}-{uuid.uuid4().hex[:12].upper()}",
        )
        for withdrawal in withdrawals
    )
    from ..tasks import payout_batch_pay_task  # tasks import these services

    task_wake_on_commit(payout_batch_pay_task, batch.pk)  # payout_batches_resume_task sweeps what this loses
    return batch


def _claim_item(item_id: int) -> bool:
    now = timezone.now()
    return bool(
        PayoutItem.objects.filter(pk=item_id, outcome=PayoutItemOutcome.UNSENT)
        .exclude(claimed_until__gt=now)
        .update(claimed_until=now + PAYOUT_CLAIM)
    )


@transaction.atomic
def _record_payout(item_id: int, succeeded: bool, provider_reference: str, failure_reason: str) -> None:
    item = PayoutItem.objects.select_for_update().select_related("withdrawal").get(pk=item_id)
    if item.outcome != PayoutItemOutcome.UNSENT:
        return  # recorded already (a duplicate run); the provider answered the same
    withdrawal = _locked(item.withdrawal_id)
    outcome = PayoutItemOutcome.PAID if succeeded else PayoutItemOutcome.FAILED
    state_set(item, outcome, machine=PAYOUT_ITEM_MACHINE, actor_kind=SYSTEM, provider_reference=provider_reference)
    if succeeded:
        _transition(withdrawal, WithdrawalStatus.PAID, actor=None, reason=provider_reference)
        _, pending = _accounts(withdrawal.reseller_id)
        credits = [(ledger_account(kind=AccountKind.PLATFORM_PAYOUT_CLEARING), withdrawal.net_amount)]
        if withdrawal.fee_amount:
            credits.append((ledger_account(kind=AccountKind.PLATFORM_REVENUE), withdrawal.fee_amount))
        ledger_post(
            idempotency_key=f"withdrawal-paid:{withdrawal.pk}",
            description=f"withdrawal #{withdrawal.pk} paid ({provider_reference})",
            debits=[(pending, withdrawal.amount)],
            credits=credits,
        )
    else:
        _transition(withdrawal, WithdrawalStatus.FAILED, actor=None, reason=failure_reason)
        _return_to_withdrawable(withdrawal, "withdrawal-failed", f"withdrawal #{withdrawal.pk} payout failed")


def payout_batch_pay(*, batch_id: int) -> int:
    """Send every unsent item of a batch to the payout provider and record
    what it answers. Safe to run twice and from two workers at once (each
    item is claimed first; the provider is idempotent by reference; the
    record step re-checks under a lock). Returns how many items it sent."""
    sent = 0
    provider = payout_provider()
    item_ids = list(
        PayoutItem.objects.filter(batch_id=batch_id, outcome=PayoutItemOutcome.UNSENT).values_list("pk", flat=True)
    )
    for item_id in item_ids:
        if not _claim_item(item_id):
            continue
        item = PayoutItem.objects.select_related("withdrawal").get(pk=item_id)
        try:
            result = provider.payout_send(
                reference=item.reference, reseller_id=item.withdrawal.reseller_id, amount=item.amount
            )
            _record_payout(item_id, result.succeeded, result.provider_reference, result.failure_reason)
        except Exception:  # noqa: BLE001 - one item's trouble (a provider timeout) must not strand the others
            # released: payout_batches_resume retries it with the same reference
            logger.exception("payout item %s (withdrawal %s) not recorded; will retry", item_id, item.withdrawal_id)
            PayoutItem.objects.filter(pk=item_id, outcome=PayoutItemOutcome.UNSENT).update(claimed_until=None)
            continue
        sent += 1
    if not PayoutItem.objects.filter(batch_id=batch_id, outcome=PayoutItemOutcome.UNSENT).exists():
        state_set_query(  # open → done, once: a second run finds it done
            PayoutBatch.objects.filter(pk=batch_id),
            PayoutBatchStatus.DONE,
            machine=PAYOUT_BATCH_MACHINE,
            actor_kind=SYSTEM,
            finished_at=timezone.now(),
        )
    return sent


def payout_batches_unfinished() -> list[int]:
    """Open batches with an item that nobody is paying right now (never
    claimed, or its claim lapsed: a worker died or the provider failed)."""
    now = timezone.now()
    return list(
        PayoutBatch.objects.filter(status=PayoutBatchStatus.OPEN, items__outcome=PayoutItemOutcome.UNSENT)
        .filter(Q(items__claimed_until__isnull=True) | Q(items__claimed_until__lt=now))
        .values_list("pk", flat=True)
        .distinct()
    )
