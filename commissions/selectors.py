from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import F, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from ledger.choices import AccountKind, OwnerKind
from ledger.selectors import ledger_balances_for_owner, ledger_entries_for_owner

from .choices import WithdrawalStatus
from .models import Commission, CommissionPlan, Withdrawal


def commission_plan_in_effect(*, at: datetime) -> CommissionPlan:
    """The plan version that pays a payment confirmed at ``at`` (with its
    overrides prefetched). Migrations publish a first version; should none
    exist, the defaults apply (an unsaved plan)."""
    plan = CommissionPlan.objects.in_effect_at(at).prefetch_related("overrides").first()
    return plan if plan is not None else CommissionPlan()


def commission_tier_count_in_effect() -> int:
    """How many tiers the plan in effect now pays (one small query)."""
    tier_count = CommissionPlan.objects.in_effect_at(timezone.now()).values_list("tier_count", flat=True).first()
    return tier_count if tier_count is not None else CommissionPlan().tier_count


def commission_shares_for(*, plan: CommissionPlan, product_id: int, category_id: int) -> list[int]:
    """Tier shares (bp) for one product under ``plan``: the product's
    override, else its category's, else the plan's. Uses the prefetched
    overrides: no query."""
    overrides = list(plan.overrides.all()) if plan.pk else []
    for override in overrides:
        if override.product_id == product_id:
            return override.tier_shares(plan.tier_count)
    for override in overrides:
        if override.category_id == category_id:
            return override.tier_shares(plan.tier_count)
    return plan.tier_shares()


@dataclass(frozen=True)
class MoneySummary:
    frozen_amount: int  # 冻结: earned, not yet settled
    withdrawable_amount: int  # 可提现 (negative after a clawback larger than what was left)
    withdrawal_pending_amount: int  # asked for, not paid yet
    withdrawn_amount: int  # paid out, all time (before fees)


def money_summary(*, reseller_id: int) -> MoneySummary:
    """A reseller's money at a glance, from the ledger's balances."""
    balances = ledger_balances_for_owner(
        owner_id=reseller_id,
        kinds=[
            AccountKind.RESELLER_FROZEN,
            AccountKind.RESELLER_WITHDRAWABLE,
            AccountKind.RESELLER_WITHDRAWAL_PENDING,
        ],
    )
    withdrawn = (
        Withdrawal.objects.filter(reseller_id=reseller_id, status=WithdrawalStatus.PAID).aggregate(total=Sum("amount"))[
            "total"
        ]
        or 0
    )
    return MoneySummary(
        frozen_amount=balances[AccountKind.RESELLER_FROZEN],
        withdrawable_amount=balances[AccountKind.RESELLER_WITHDRAWABLE],
        withdrawal_pending_amount=balances[AccountKind.RESELLER_WITHDRAWAL_PENDING],
        withdrawn_amount=withdrawn,
    )


def commission_list_for_reseller(*, reseller_id: int) -> QuerySet[Commission]:
    """The reseller's commissions, newest first, with what a list shows."""
    return (
        Commission.objects.filter(beneficiary_id=reseller_id)
        .select_related("order_line", "order")
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class DayEarnings:
    day: date
    amount: int


def earnings_by_day(*, reseller_id: int, days: int = 30, today: date | None = None) -> list[DayEarnings]:
    """What the reseller earned each day of the last ``days`` (commissions
    made that day, less what refunds took back), every day present."""
    today = today or timezone.localdate()
    start = today - timedelta(days=days - 1)
    rows = (
        Commission.objects.filter(beneficiary_id=reseller_id, created_at__date__gte=start)
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(total=Sum(F("amount") - F("reversed_amount") - F("clawed_back_amount")))
    )
    totals = {row["day"]: row["total"] for row in rows}
    return [DayEarnings(start + timedelta(days=n), totals.get(start + timedelta(days=n), 0)) for n in range(days)]


@dataclass(frozen=True)
class StatementLine:
    at: datetime
    account_kind: str
    description: str
    amount: int  # + money in, − money out (on the account's own side)


def statement_lines(*, reseller_id: int):
    """Every movement of the reseller's money, oldest first (ledger entries of
    its accounts, shown on the accounts' own side). An iterator: a statement
    can be long."""
    for entry in ledger_entries_for_owner(owner_id=reseller_id, owner_kind=OwnerKind.RESELLER):
        yield StatementLine(
            at=entry.at, account_kind=entry.account_kind, description=entry.description, amount=entry.amount
        )
