from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import islice

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Product
from coupons.choices import CouponFunder
from ledger.choices import AccountKind, OwnerKind
from ledger.selectors import ledger_balances_for_owner, ledger_entries_for_owner
from orders.choices import OrderStatus
from orders.models import Order, OrderDiscount, OrderLine
from socialshop.money import BASIS_POINTS, format_yuan

from .calculations import (
    ConditionProgress,
    GradeFigures,
    GradeRule,
    LineMoney,
    LineSplit,
    grade_shares_worst_case,
    line_split,
    tier_shares_graded,
)
from .choices import CommissionKind, GradeConditionKind, WithdrawalStatus
from .models import (
    Commission,
    CommissionDecision,
    CommissionPlan,
    Grade,
    GradeChange,
    ResellerGrade,
    Withdrawal,
)


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


def _has_override(*, plan: CommissionPlan, product_id: int, category_id: int) -> bool:
    overrides = list(plan.overrides.all()) if plan.pk else []
    return any(override.product_id == product_id or override.category_id == category_id for override in overrides)


def commission_split_for_line(
    *,
    plan: CommissionPlan,
    line: LineMoney,
    product_id: int,
    category_id: int,
    grade_shares: list[int | None] | None = None,
) -> tuple[list[int], LineSplit]:
    """How ``plan`` splits one line (the tier shares that apply to its product,
    then ``line_split`` over the plan's base): what the engine snapshots when a
    payment is confirmed (``accrual``), and what the pages estimate before a
    sale (选品's 预计赚). No query (the plan's overrides come prefetched).

    ``grade_shares``: per tier, the rate of that tier's earner's grade as the
    payment committed (None: the plan's). Grades replace the plan's rates,
    not a product's or category's override, which stands
    (``tier_shares_graded``, capped at 100 %; ``line_split`` then caps the
    whole at the margin)."""
    shares = commission_shares_for(plan=plan, product_id=product_id, category_id=category_id)
    if grade_shares and any(share is not None for share in grade_shares):
        if not _has_override(plan=plan, product_id=product_id, category_id=category_id):
            shares = tier_shares_graded(plan_shares=shares, grade_shares=grade_shares)
    return shares, line_split(line=line, tier_basis_points=shares, base=plan.base)


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


STATEMENT_CHUNK = 2_000


def _commissions_named(ids: set[int]) -> dict[int, tuple[str, str]]:
    """Commission id → (what it is, the number of its order), in one query."""
    commissions = (
        Commission.objects.filter(pk__in=ids)
        .select_related("order")
        .only("kind", "tier", "order__id", "order__created_at")
    )
    named = {}
    for commission in commissions:
        if commission.kind == CommissionKind.MARKUP:
            what = _("shop profit")
        else:
            what = _("tier %(tier)s commission") % {"tier": commission.tier}
        named[commission.pk] = (what, commission.order.number)
    return named


def _key_id(key: str) -> int | None:
    """The id a posting's key names (``commission-accrue:12`` → 12), if any."""
    _what, _colon, rest = key.partition(":")
    first = rest.split(":")[0]
    return int(first) if first.isdigit() else None


def _commissions_in(keys: list[str]) -> dict[int, tuple[str, str]]:
    """What the commission postings among ``keys`` name, in one query."""
    ids = {pk for key in keys if key.startswith("commission-") and (pk := _key_id(key)) is not None}
    return _commissions_named(ids) if ids else {}


def _orders_in(keys: list[str]) -> dict[int, str]:
    """The order numbers the coupon postings among ``keys`` name (``coupon-charge:<order>:<claim>``), in
    one query (none when there are none)."""
    ids = {pk for key in keys if key.startswith(("coupon-charge:", "coupon-offset:")) and (pk := _key_id(key))}
    return (
        {order.pk: order.number for order in Order.objects.filter(pk__in=ids).only("pk", "created_at")} if ids else {}
    )


def _posting_described(
    key: str, description: str, commissions: dict[int, tuple[str, str]], orders: dict[int, str] | None = None
) -> str:
    """What a posting on a reseller's accounts means, in the reader's
    language, read from its key: ``commission-accrue``, ``commission-refund``,
    ``commission-settle`` (accrual.py, settlement.py) and ``withdrawal-*``
    and the coupons it funds (``coupon-*``, its promo codes) are the only
    postings that touch a reseller's accounts; a key it does not know keeps
    its stored description."""
    orders = orders or {}
    what, _colon, rest = key.partition(":")
    parts = rest.split(":")
    pk = _key_id(key)
    if pk is None:
        return description
    if what == "withdrawal-request":
        return _("Withdrawal #%(id)s requested") % {"id": pk}
    if what == "withdrawal-tax":
        return _("Withdrawal #%(id)s: income tax withheld") % {"id": pk}
    if what == "withdrawal-paid":
        return _("Withdrawal #%(id)s paid out") % {"id": pk}
    if what == "withdrawal-reject":
        return _("Withdrawal #%(id)s rejected: the money is withdrawable again") % {"id": pk}
    if what == "withdrawal-failed":
        return _("Withdrawal #%(id)s could not be paid: the money is withdrawable again") % {"id": pk}
    if what in ("coupon-charge", "coupon-offset"):
        order = orders.get(pk, pk)
        if what == "coupon-charge":
            return _("Order %(order)s: your promo code's discount, charged") % {"order": order}
        return _("Order %(order)s: your promo code's discount, paid from your withdrawable money") % {"order": order}
    if what == "coupon-return":
        return _("Refund #%(id)s: your promo code's discount, given back") % {"id": pk}
    if what == "coupon-offset-return":
        return _("Refund #%(id)s: your promo code's discount, back to your withdrawable money") % {"id": pk}
    if pk not in commissions:
        return description
    kind, order = commissions[pk]
    if what == "commission-accrue":
        return _("Order %(order)s: %(what)s earned, frozen until the after-sales window ends") % {
            "order": order,
            "what": kind,
        }
    if what == "commission-settle":
        return _("Order %(order)s: %(what)s settled, now withdrawable") % {"order": order, "what": kind}
    if what == "commission-refund" and len(parts) > 1 and parts[1].isdigit():
        return _("Order %(order)s: %(refunded)s of the item refunded, %(what)s reduced") % {
            "order": order,
            "refunded": format_yuan(int(parts[1])),
            "what": kind,
        }
    return description


def statement_lines(*, reseller_id: int):
    """Every movement of the reseller's money, oldest first (ledger entries of
    its accounts, shown on the accounts' own side), each described in the
    reader's language. An iterator: a statement can be long; it reads a
    chunk of entries, then the commissions they name in one query."""
    entries = ledger_entries_for_owner(owner_id=reseller_id, owner_kind=OwnerKind.RESELLER)
    while chunk := list(islice(entries, STATEMENT_CHUNK)):
        commissions = _commissions_in([entry.key for entry in chunk])
        orders = _orders_in([entry.key for entry in chunk])
        for entry in chunk:
            yield StatementLine(
                at=entry.at,
                account_kind=entry.account_kind,
                description=_posting_described(entry.key, entry.description, commissions, orders),
                amount=entry.amount,
            )


# --- the reseller's workbench, 选品 and shop orders ------------------------------------


def _net_amount():
    return F("amount") - F("reversed_amount") - F("clawed_back_amount")


def commission_earned_since(*, reseller_id: int, month_start: datetime, day_start: datetime) -> tuple[int, int]:
    """What the reseller earned (all its commissions and markups, less what
    refunds took back) since ``day_start`` and since ``month_start``: the
    workbench's 预计收益, on the same basis as the money page's chart
    (``earnings_by_day``: frozen ones included, hence *estimated*). One query
    over the (beneficiary, created at) index."""
    totals = Commission.objects.filter(beneficiary_id=reseller_id, created_at__gte=month_start).aggregate(
        today=Sum(_net_amount(), filter=Q(created_at__gte=day_start)), month=Sum(_net_amount())
    )
    return totals["today"] or 0, totals["month"] or 0


def commission_earned_on_orders(*, reseller_id: int, order_ids: list[int]) -> dict[int, int]:
    """Order id → what the reseller earns on that order (本单收益: its
    commissions of every kind on the order, less what refunds took back).
    Orders it earns nothing on are missing. One query."""
    if not order_ids:
        return {}
    rows = (
        Commission.objects.filter(beneficiary_id=reseller_id, order_id__in=order_ids)
        .values("order_id")
        .annotate(total=Sum(_net_amount()))
        .order_by()
    )
    return {row["order_id"]: row["total"] for row in rows}


def commission_decided_orders(*, order_ids: list[int]) -> set[int]:
    """Which of the orders the engine has already decided (its commissions
    are there, or it found none to pay). One query."""
    if not order_ids:
        return set()
    return set(CommissionDecision.objects.filter(order_id__in=order_ids).values_list("order_id", flat=True))


@dataclass(frozen=True)
class TierEstimate:
    tier: int
    low_amount: int  # the least a tier earns on one unit among the product's options
    high_amount: int  # the most

    @property
    def is_range(self) -> bool:
        return self.low_amount != self.high_amount


def commission_estimates_for_product(
    *, plan: CommissionPlan, product: Product, unit_prices: dict[int, int]
) -> list[TierEstimate]:
    """预计赚: what each tier of ``plan`` would earn on one unit of each of the
    product's active SKUs (``product.active_skus``) sold at ``unit_prices``
    (SKU id → the shop's current price, ``shops.calculations.line_price``):
    the engine's own split (``commission_split_for_line``), tier 1 with the
    shop's markup, as the engine pays it to the seller. No query."""
    per_tier: dict[int, list[int]] = {tier: [] for tier in range(1, plan.tier_count + 1)}
    for sku in product.active_skus:
        line = LineMoney(
            quantity=1,
            unit_price_amount=unit_prices.get(sku.pk, sku.list_price_amount),
            list_price_amount=sku.list_price_amount,
            cost_amount=sku.cost_amount,
        )
        _shares, split = commission_split_for_line(
            plan=plan, line=line, product_id=product.pk, category_id=product.category_id
        )
        for tier, amount in enumerate(split.tier_amounts, start=1):
            per_tier[tier].append(amount + (split.markup_amount if tier == 1 else 0))
    return [
        TierEstimate(tier=tier, low_amount=min(amounts), high_amount=max(amounts))
        for tier, amounts in per_tier.items()
        if amounts
    ]


# --- income tax withheld, for filing ----------------------------------------------------


@dataclass(frozen=True)
class WithheldTax:
    reseller_id: int
    invite_code: str
    nickname: str
    phone: str
    paid_count: int  # withdrawals of the month paid out
    paid_amount: int  # their amounts, before fee and tax
    paid_tax_amount: int  # the tax withheld from them: what is filed for the month
    paid_net_amount: int  # what reached the reseller
    pending_tax_amount: int  # withheld from withdrawals of the month still on their way


def withheld_tax_by_reseller(*, period: date) -> list[WithheldTax]:
    """Per reseller, the income tax withheld from its withdrawals of the tax
    month ``period`` (the first day of a Beijing month; the month a withdrawal
    was requested in, whose table computed its tax): what was paid out, and
    what is still on its way. Rejected and failed withdrawals gave their tax
    back and are left out. One grouped query, ordered by reseller."""
    paid = Q(status=WithdrawalStatus.PAID)
    rows = (
        Withdrawal.objects.filter(tax_period=period, tax_amount__gt=0)
        .exclude(status__in=[WithdrawalStatus.REJECTED, WithdrawalStatus.FAILED])
        .values("reseller_id", "reseller__invite_code", "reseller__user__nickname", "reseller__user__phone")
        .annotate(
            paid_count=Count("id", filter=paid),
            paid_amount=Sum("amount", filter=paid, default=0),
            paid_tax_amount=Sum("tax_amount", filter=paid, default=0),
            paid_net_amount=Sum(F("amount") - F("fee_amount") - F("tax_amount"), filter=paid, default=0),
            pending_tax_amount=Sum("tax_amount", filter=~paid, default=0),
        )
        .order_by("reseller_id")
    )
    return [
        WithheldTax(
            reseller_id=row["reseller_id"],
            invite_code=row["reseller__invite_code"],
            nickname=row["reseller__user__nickname"],
            phone=row["reseller__user__phone"] or "",
            paid_count=row["paid_count"],
            paid_amount=row["paid_amount"],
            paid_tax_amount=row["paid_tax_amount"],
            paid_net_amount=row["paid_net_amount"],
            pending_tax_amount=row["pending_tax_amount"],
        )
        for row in rows
    ]


# --- coupons a reseller funds (docs/coupons.md) -----------------------------------------


@dataclass(frozen=True)
class CouponDeduction:
    order_number: str
    paid_at: datetime
    code: str
    amount: int  # what the reseller's coupon took off the order (paid from its withdrawable money)
    returned_amount: int  # what refunds gave back to it

    @property
    def net_amount(self) -> int:
        return self.amount - self.returned_amount


def coupon_deductions_for_reseller(*, reseller_id: int, limit: int = 20) -> tuple[list[CouponDeduction], int]:
    """The latest orders paid with the reseller's own promo codes, each with
    what the code took from the reseller's withdrawable money and what
    refunds gave back, and the all-time net (two queries)."""
    funded = OrderDiscount.objects.filter(
        funder=CouponFunder.RESELLER, funder_id=reseller_id, order__paid_at__isnull=False
    )
    rows = (
        funded.values("order_id", "order__created_at", "order__paid_at", "claim__coupon__code")
        .annotate(amount=Sum("amount"), returned=Sum("returned_amount"))
        .order_by("-order__paid_at", "-order_id")[:limit]
    )
    total = funded.aggregate(net=Sum(F("amount") - F("returned_amount")))["net"] or 0
    return [
        CouponDeduction(
            order_number=Order(pk=row["order_id"], created_at=row["order__created_at"]).number,
            paid_at=row["order__paid_at"],
            code=row["claim__coupon__code"] or "",
            amount=row["amount"],
            returned_amount=row["returned"],
        )
        for row in rows
    ], total


# --- reseller grades (分销等级) -----------------------------------------------------------------


def grade_rules() -> list[GradeRule]:
    """The grades in use, as the promotion rule reads them (two queries)."""
    grades = Grade.objects.filter(is_active=True).prefetch_related("conditions").order_by("rank")
    return [
        GradeRule(
            grade_id=grade.pk,
            rank=grade.rank,
            hold_days=grade.hold_days,
            conditions=tuple(
                (condition.kind, condition.threshold, condition.window_days) for condition in grade.conditions.all()
            ),
        )
        for grade in grades
    ]


def grade_windows(rules: list[GradeRule]) -> set[int]:
    return {window for rule in rules for _kind, _threshold, window in rule.conditions}


def grade_figures(*, reseller_ids: list[int], windows: set[int], now: datetime) -> dict[int, GradeFigures]:
    """Each reseller's OWN results over each window (the last ``window`` days
    up to ``now``), from the raw order lines attributed to it (its shop and
    its bound customers), its own purchases left out:

    - ``sales_amount``: what was paid for its lines paid in the window, less
      what was refunded of them (fen);
    - ``completed_orders``: its orders completed in the window still not
      wholly refunded;
    - ``buying_customers``: the distinct buyers who paid for such a line in the
      window and kept it (not wholly refunded).

    Nothing of its team or of whom it invited: grades never reward recruiting
    (``GradeConditionKind``). One query for any number of resellers."""
    figures: dict[int, GradeFigures] = {
        reseller_id: {window: dict.fromkeys(GradeConditionKind.values, 0) for window in windows}
        for reseller_id in reseller_ids
    }
    if not reseller_ids or not windows:
        return figures
    kept = Q(paid_amount__gt=F("refunded_amount"))
    annotations = {}
    for window in windows:
        since = now - timedelta(days=window)
        paid_in = Q(order__paid_at__gt=since, order__paid_at__lte=now)
        completed_in = Q(
            order__status=OrderStatus.COMPLETED, order__completed_at__gt=since, order__completed_at__lte=now
        )
        annotations[f"sales_{window}"] = Sum(F("paid_amount") - F("refunded_amount"), filter=paid_in, default=0)
        annotations[f"buyers_{window}"] = Count("order__buyer_id", distinct=True, filter=paid_in & kept)
        annotations[f"completed_{window}"] = Count("order_id", distinct=True, filter=completed_in & kept)
    earliest = now - timedelta(days=max(windows))
    rows = (
        OrderLine.objects.filter(
            attributed_reseller_id__in=reseller_ids, buyer_is_attributed_reseller=False, paid_amount__gt=0
        )
        .filter(Q(order__paid_at__gt=earliest) | Q(order__completed_at__gt=earliest))
        .values("attributed_reseller_id")
        .annotate(**annotations)
        .order_by()
    )
    for row in rows:
        for window in windows:
            figures[row["attributed_reseller_id"]][window] = {
                GradeConditionKind.SALES: row[f"sales_{window}"],
                GradeConditionKind.COMPLETED_ORDERS: row[f"completed_{window}"],
                GradeConditionKind.BUYING_CUSTOMERS: row[f"buyers_{window}"],
            }
    return figures


def grade_terms_for_earners(reseller_ids: set[int]) -> dict[str, dict]:
    """What the payment's snapshot records of the earners' grades (registered
    with orders: ``earner_terms_source_set``): reseller id (a string) →
    ``{"id", "name", "rates"}`` for those who hold a grade in use. One query."""
    if not reseller_ids:
        return {}
    rows = ResellerGrade.objects.filter(
        reseller_id__in=reseller_ids, grade__isnull=False, grade__is_active=True
    ).values_list(
        "reseller_id",
        "grade_id",
        "grade__name",
        "grade__tier1_share_bps",
        "grade__tier2_share_bps",
        "grade__tier3_share_bps",
    )
    return {str(reseller): {"id": grade, "name": name, "rates": list(rates)} for reseller, grade, name, *rates in rows}


def grade_rates_error(*, rates: list[int | None], grade_id: int | None = None, plan: CommissionPlan | None = None):
    """Why a grade's per-tier rates cannot be saved, or None: a rate for a
    tier the plan in effect does not pay (the tier cap), or a mix of this
    grade's and the other grades' (and the plan's) rates that could pass
    100 % of the commission base on one line — the engine's own cap, which
    with the margin base keeps every line within its margin
    (``grade_shares_worst_case``, ``line_split``). Two queries."""
    plan = plan or commission_plan_in_effect(at=timezone.now())
    for tier, rate in enumerate(rates, start=1):
        if tier > plan.tier_count and rate:
            return _(
                "The plan in effect pays %(count)s tiers: a grade cannot give tier %(tier)s a rate. Leave it empty."
            ) % {"count": plan.tier_count, "tier": tier}
    others = [
        grade.tier_rates() for grade in Grade.objects.filter(is_active=True).exclude(pk=grade_id).order_by("rank")
    ]
    worst = grade_shares_worst_case(plan_shares=plan.tier_shares(), grades=[*others, rates])
    if worst > BASIS_POINTS:
        return _(
            "With these rates, a line whose earners hold different grades (or the plan's rates) could pay "
            "%(total)s%% of the commission base: more than 100%%. Lower a tier's rate."
        ) % {"total": f"{worst / 100:g}"}
    return None


@dataclass(frozen=True)
class GradeProgress:
    held: ResellerGrade | None
    grade: Grade | None  # the grade held now
    next_grade: Grade | None  # the next one up, if any
    conditions: list[ConditionProgress]  # toward the next grade
    grades: list[Grade]  # all in use, lowest first
    changes: list[GradeChange]  # the latest changes, newest first


GRADE_CHANGES_SHOWN = 5


def grade_progress(*, reseller_id: int, now: datetime | None = None) -> GradeProgress:
    """The reseller's grade page: its grade, the next one up and how far each
    of that grade's conditions is (the reseller's own figures), every grade
    in use, its last changes. A constant number of queries (five)."""
    now = now or timezone.now()
    held = ResellerGrade.objects.filter(reseller_id=reseller_id).first()
    grades = list(Grade.objects.filter(is_active=True).prefetch_related("conditions").order_by("rank"))
    by_id = {grade.pk: grade for grade in grades}
    current = by_id.get(held.grade_id) if held and held.grade_id else None
    above = [grade for grade in grades if current is None or grade.rank > current.rank]
    next_grade = above[0] if above else None
    conditions = []
    if next_grade is not None:
        wanted = list(next_grade.conditions.all())
        figures = grade_figures(
            reseller_ids=[reseller_id], windows={condition.window_days for condition in wanted}, now=now
        )[reseller_id]
        conditions = [
            ConditionProgress(
                kind=condition.kind,
                threshold=condition.threshold,
                window_days=condition.window_days,
                figure=figures[condition.window_days][condition.kind],
            )
            for condition in wanted
        ]
    changes = list(
        GradeChange.objects.filter(reseller_id=reseller_id)
        .select_related("from_grade", "to_grade")
        .order_by("-changed_at", "-id")[:GRADE_CHANGES_SHOWN]
    )
    return GradeProgress(
        held=held, grade=current, next_grade=next_grade, conditions=conditions, grades=grades, changes=changes
    )
