"""Withdrawals (提现) and payouts (打款): the only writers of their states.

Money follows the ledger (docs/commissions.md):

- requested: withdrawable → withdrawal pending (the amount is reserved at once),
  then the income tax withheld (if any): withdrawal pending → tax payable
- rejected, or payout failed: withdrawal pending + tax payable → withdrawable
  (the whole amount, the tax with it)
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
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from typing import overload

from django.conf import settings
from django.db import transaction
from django.db.models import Q, Sum
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

from ..calculations import WithholdingRule, withdrawal_fee, withholding_tax
from ..choices import (
    OPERATOR,
    WITHDRAWAL_DECIDED,
    PayoutAccountKind,
    PayoutBatchStatus,
    PayoutItemOutcome,
    WithdrawalStatus,
)
from ..events import withdrawal_decided_event, withdrawal_requested_emit
from ..exceptions import (
    BelowMinimumWithdrawal,
    InsufficientBalance,
    InvalidTransition,
    ResellerNotActive,
    WithdrawalRefused,
)
from ..models import PAYING_REASON, CommissionPlan, PayoutBatch, PayoutItem, Withdrawal, WithdrawalStatusChange
from ..providers import PayoutProviderUnavailable, PayoutResult, payout_provider
from ..selectors import commission_plan_in_effect
from .payout_accounts import payout_account_for_withdrawal, payout_account_info
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
    """The whole amount back to withdrawable: what is pending, and the tax
    withheld from it (tax payable gives it back), in one posting."""
    withdrawable, pending = _accounts(withdrawal.reseller_id)
    debits = [(pending, withdrawal.amount - withdrawal.tax_amount)]
    if withdrawal.tax_amount:
        debits.append((ledger_account(kind=AccountKind.PLATFORM_TAX_PAYABLE), withdrawal.tax_amount))
    ledger_post(
        idempotency_key=f"{key}:{withdrawal.pk}",
        description=description,
        debits=debits,
        credits=[(withdrawable, withdrawal.amount)],
    )


@dataclass(frozen=True)
class WithdrawalQuote:
    """What a withdrawal of ``amount`` costs and brings: the plan's fee, the
    income tax withheld under the deployment's rule, what the payout sends."""

    amount: int
    fee_amount: int
    tax_amount: int
    tax_rule: str
    tax_period: date  # the first day of the Beijing month it is requested in
    minimum_amount: int

    @property
    def net_amount(self) -> int:
        return self.amount - self.fee_amount - self.tax_amount

    @property
    def below_minimum(self) -> bool:
        return self.amount < self.minimum_amount or self.net_amount <= 0


def tax_period_of(moment: datetime) -> date:
    """The tax month a moment falls in: the first day of its month, Beijing time."""
    return timezone.localtime(moment).date().replace(day=1)


def withdrawal_quote(*, reseller_id: int, amount: int, plan: CommissionPlan | None = None) -> WithdrawalQuote:
    """The one place a withdrawal's fee and tax are worked out: the money
    page's quote asks it, and ``withdrawal_request`` stores what it answers
    (under the reseller's lock, so the month's earlier withdrawals are
    settled). The ``labour`` rule reads the month's withdrawals made under it
    that still stand (not rejected, not failed): one query."""
    now = timezone.now()
    plan = plan or commission_plan_in_effect(at=now)
    fee = withdrawal_fee(amount=amount, fixed_amount=plan.withdrawal_fee_amount, basis_points=plan.withdrawal_fee_bps)
    rule, period = settings.WITHHOLDING_RULE, tax_period_of(now)
    month = {"amount": 0, "tax": 0}
    if rule == WithholdingRule.LABOUR:
        month = (
            Withdrawal.objects.filter(reseller_id=reseller_id, tax_period=period, tax_rule=rule)
            .exclude(status__in=[WithdrawalStatus.REJECTED, WithdrawalStatus.FAILED])
            .aggregate(amount=Sum("amount", default=0), tax=Sum("tax_amount", default=0))
        )
    tax = withholding_tax(
        rule=rule,
        amount=amount,
        flat_rate_bps=settings.WITHHOLDING_FLAT_RATE_BPS,
        month_amount_before=month["amount"],
        month_tax_before=month["tax"],
    ).tax_amount
    return WithdrawalQuote(
        amount=amount,
        fee_amount=fee,
        tax_amount=min(tax, amount - fee) if amount > fee else 0,
        tax_rule=rule,
        tax_period=period,
        minimum_amount=plan.min_withdrawal_amount,
    )


@overload
def withdrawal_request(
    *, reseller: Reseller, amount: int, payout_account_id: int | None = None, idempotency: None = None
) -> Withdrawal: ...


@overload
def withdrawal_request(
    *, reseller: Reseller, amount: int, payout_account_id: int | None = None, idempotency: Idempotency[Withdrawal]
) -> Answer: ...


@transaction.atomic
def withdrawal_request(
    *,
    reseller: Reseller,
    amount: int,
    payout_account_id: int | None = None,
    idempotency: Idempotency[Withdrawal] | None = None,
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
    amount).

    It is paid to ``payout_account_id`` (one of the reseller's payout
    accounts) or, unnamed, its latest; NoPayoutAccount when it has none the
    provider can pay (``payout_accounts.payout_account_for_withdrawal``)."""
    if idempotency is None:
        return _withdrawal_request(reseller, amount, payout_account_id)
    return idempotent(idempotency, lambda: _withdrawal_request(reseller, amount, payout_account_id))


def _withdrawal_request(reseller: Reseller, amount: int, payout_account_id: int | None) -> Withdrawal:
    if not reseller.is_active:
        raise ResellerNotActive()
    payout_account = payout_account_for_withdrawal(reseller=reseller, account_id=payout_account_id, amount=amount)
    plan = commission_plan_in_effect(at=timezone.now())
    if amount < plan.min_withdrawal_amount or amount <= withdrawal_fee(
        amount=amount, fixed_amount=plan.withdrawal_fee_amount, basis_points=plan.withdrawal_fee_bps
    ):
        _below_minimum(plan)
    withdrawable, pending = _accounts(reseller.pk)
    balance = ledger_balance_locked(kind=AccountKind.RESELLER_WITHDRAWABLE, owner_id=reseller.pk)
    if amount > balance:
        raise InsufficientBalance(
            _("You can withdraw at most %(balance)s.") % {"balance": format_yuan(max(balance, 0))},
            fields={"amount": [_("More than your withdrawable balance.")]},
        )
    # under the lock: the month's earlier withdrawals cannot change while the tax is worked out
    quote = withdrawal_quote(reseller_id=reseller.pk, amount=amount, plan=plan)
    if quote.below_minimum:
        _below_minimum(plan)
    withdrawal = Withdrawal.objects.create(
        reseller=reseller,
        amount=amount,
        fee_amount=quote.fee_amount,
        tax_amount=quote.tax_amount,
        tax_rule=quote.tax_rule,
        tax_period=quote.tax_period,
        payout_account=payout_account,
    )
    WithdrawalStatusChange.objects.create(
        withdrawal=withdrawal, from_status="", to_status=WithdrawalStatus.REQUESTED, actor=reseller.user
    )
    ledger_post(
        idempotency_key=f"withdrawal-request:{withdrawal.pk}",
        description=f"withdrawal #{withdrawal.pk} requested",
        debits=[(withdrawable, amount)],
        credits=[(pending, amount)],
    )
    if quote.tax_amount:
        ledger_post(
            idempotency_key=f"withdrawal-tax:{withdrawal.pk}",
            description=f"withdrawal #{withdrawal.pk}: income tax withheld ({quote.tax_rule})",
            debits=[(pending, quote.tax_amount)],
            credits=[(ledger_account(kind=AccountKind.PLATFORM_TAX_PAYABLE), quote.tax_amount)],
        )
    withdrawal_requested_emit(withdrawal)
    return withdrawal


def _below_minimum(plan: CommissionPlan):
    minimum = format_yuan(plan.min_withdrawal_amount)
    raise BelowMinimumWithdrawal(
        _("The minimum withdrawal is %(minimum)s.") % {"minimum": minimum},
        fields={"amount": [_("At least %(minimum)s.") % {"minimum": minimum}]},
    )


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


def _record_payout(item_id: int, result: PayoutResult) -> None:
    with transaction.atomic():
        item = PayoutItem.objects.select_for_update().get(pk=item_id)
        if item.outcome != PayoutItemOutcome.UNSENT:
            return  # recorded already (a duplicate run, or the notification came first)
        _payout_apply(item, result, actor=None)


def _payout_apply(item: PayoutItem, result: PayoutResult, *, actor: User | None) -> None:
    """Record the provider's answer on a locked item that is unsent or
    pending: pending (sent, not finished), paid, or failed. Paid and failed
    move the withdrawal and post exactly as they always have."""
    if result.pending:
        fields = {
            "provider_reference": result.provider_reference or item.provider_reference,
            "package_info": result.package_info,
            "confirm_until": result.confirm_until or item.confirm_until,
        }
        if item.outcome == PayoutItemOutcome.PENDING:
            PayoutItem.objects.filter(pk=item.pk).update(**fields)
        else:
            state_set(item, PayoutItemOutcome.PENDING, machine=PAYOUT_ITEM_MACHINE, actor_kind=SYSTEM, **fields)
        return
    withdrawal = _locked(item.withdrawal_id)
    outcome = PayoutItemOutcome.PAID if result.succeeded else PayoutItemOutcome.FAILED
    state_set(
        item,
        outcome,
        machine=PAYOUT_ITEM_MACHINE,
        actor_kind=SYSTEM if actor is None else OPERATOR,
        provider_reference=result.provider_reference or item.provider_reference,
        package_info="",
    )
    if result.succeeded:
        provider_reference = item.provider_reference
        _transition(withdrawal, WithdrawalStatus.PAID, actor=actor, reason=provider_reference)
        _, pending = _accounts(withdrawal.reseller_id)
        credits = [(ledger_account(kind=AccountKind.PLATFORM_PAYOUT_CLEARING), withdrawal.net_amount)]
        if withdrawal.fee_amount:
            credits.append((ledger_account(kind=AccountKind.PLATFORM_REVENUE), withdrawal.fee_amount))
        ledger_post(  # the tax withheld left pending when it was requested
            idempotency_key=f"withdrawal-paid:{withdrawal.pk}",
            description=f"withdrawal #{withdrawal.pk} paid ({provider_reference})",
            debits=[(pending, withdrawal.amount - withdrawal.tax_amount)],
            credits=credits,
        )
    else:
        _transition(withdrawal, WithdrawalStatus.FAILED, actor=actor, reason=result.failure_reason)
        _return_to_withdrawable(withdrawal, "withdrawal-failed", f"withdrawal #{withdrawal.pk} payout failed")


def payout_outcome_apply(*, reference: str, result: PayoutResult) -> PayoutItem | None:
    """A provider's word on a payout (its notification, or the sweep's
    query), applied once: to an item not finished yet; a finished item
    changes nothing. None for a reference we never sent."""
    with transaction.atomic():
        item = PayoutItem.objects.select_for_update().filter(reference=reference).first()
        if item is None:
            return None
        if item.outcome in (PayoutItemOutcome.UNSENT, PayoutItemOutcome.PENDING):
            _payout_apply(item, result, actor=None)
        return item


@transaction.atomic
def withdrawal_mark_paid(*, operator: User, withdrawal_id: int, reason: str) -> Withdrawal:
    """An operator paid a withdrawal to its bank card by hand: ``reason`` is
    the bank's reference (required: what the bank statement shows). Only a
    payout that waits for an operator (sent, pending, a bank card)."""
    if not reason.strip():
        raise WithdrawalRefused(_("Enter the bank's reference."), fields={"reason": [_("Required.")]})
    item = (
        PayoutItem.objects.select_for_update()
        .filter(withdrawal_id=withdrawal_id, withdrawal__payout_account__kind=PayoutAccountKind.BANK)
        .first()
    )
    if item is None:
        raise NotFound()
    if item.outcome != PayoutItemOutcome.PENDING:
        raise InvalidTransition()
    _payout_apply(item, PayoutResult(True, reason.strip()[:80]), actor=operator)
    return _locked(withdrawal_id)


def payout_items_pending_settle(*, now=None) -> int:
    """The query sweep: ask the provider about every payout sent but not
    finished (a lost notification, a worker that died after sending), apply
    what it says, and cancel a transfer its payee did not accept in time (the
    provider then says cancelled: the money returns). Returns how many items
    it finished."""
    now = now or timezone.now()
    provider = payout_provider()
    finished = 0
    items = (
        PayoutItem.objects.filter(outcome=PayoutItemOutcome.PENDING)
        .select_related("withdrawal__payout_account")
        .order_by("pk")
    )
    for item in items:
        account = payout_account_info(item.withdrawal.payout_account)
        try:
            result = provider.payout_query(reference=item.reference, account=account)
            if result is None:
                continue  # nothing it knows of (a bank card: its operator answers)
            if result.pending and item.confirm_until and item.confirm_until < now:
                provider.payout_cancel(reference=item.reference, account=account)
                result = provider.payout_query(reference=item.reference, account=account) or result
        except PayoutProviderUnavailable:
            logger.warning("payout item %s: the provider did not answer; asked again next sweep", item.pk)
            continue
        payout_outcome_apply(reference=item.reference, result=result)
        finished += not result.pending
    return finished


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
        item = PayoutItem.objects.select_related("withdrawal__payout_account").get(pk=item_id)
        try:
            result = provider.payout_send(
                reference=item.reference,
                reseller_id=item.withdrawal.reseller_id,
                amount=item.amount,
                account=payout_account_info(item.withdrawal.payout_account),
            )
            _record_payout(item_id, result)
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
