"""Accrual (计提): commissions born when a payment is confirmed, from the
payment-time snapshot of who earns, each decision recorded; shrinking with
refunds; maturing when the order completes. With ``settlement`` the only
writer of ``Commission`` rows and their money (docs/commissions.md).

| event | debit | credit | key |
| --- | --- | --- | --- |
| commission earned | commission expense | reseller frozen | ``commission-accrue:<id>`` |
| refund before settlement | reseller frozen | commission expense | ``commission-refund:<id>:<line refunded>`` |
| refund after settlement (扣回) | reseller withdrawable | commission expense | the same |

Orders post the buyer's cash themselves, with the payment and the refund
(``orders/services/cash.py``).
"""

from collections.abc import Iterable

from django.db import transaction

from distribution.selectors import UplineMember, reseller_uplines
from ledger.choices import AccountKind
from ledger.services import Posting, ledger_accounts, ledger_post_batch
from orders.events import order_paid
from orders.models import Order, OrderLine, Refund
from socialshop.models import Event
from socialshop.money import BASIS_POINTS, share_of
from socialshop.states import SYSTEM, state_set_many

from ..calculations import LineMoney, amount_after_refund, flash_tier_shares, line_split
from ..choices import CommissionKind, CommissionState
from ..events import commissions_accrued_emit
from ..models import Commission, CommissionDecision
from ..selectors import commission_plan_in_effect, commission_split_for_line
from .states import COMMISSION_MACHINE


def _line_money(line: OrderLine) -> LineMoney:
    return LineMoney(
        quantity=line.quantity,
        unit_price_amount=line.unit_price_amount,
        list_price_amount=line.list_price_amount,
        cost_amount=line.cost_amount,
        discount_amount=line.discount_amount,
    )


Earners = dict[str, list[list]]  # the order.paid event's snapshot (orders/events.py)
EarnerGrades = dict[str, dict]  # its ``grades``: reseller id → {"id", "name", "rates"} (services/grades.py)


def _uplines_at_payment(
    order: Order, lines: list[OrderLine], earners: Earners | None, tiers: int, grades: EarnerGrades | None = None
):
    """Each attributed seller's upline as it stood when the payment committed,
    and the grades its members held then: from ``earners`` and ``grades``
    (the order.paid event's snapshot), else from the event row still kept,
    else (an order paid before snapshots existed) from the tree as it is now,
    without grades (the plan's rates)."""
    if earners is None:
        earners, grades = (
            Event.objects.filter(type=order_paid, aggregate_type="order", aggregate_id=order.pk)
            .values_list("payload__earners", "payload__grades")
            .first()
        ) or (None, None)
    grades = {int(reseller): terms for reseller, terms in (grades or {}).items()}
    if earners is not None:
        return {
            int(seller): [UplineMember(member, active) for member, active in chain][:tiers]
            for seller, chain in earners.items()
        }, grades
    sellers = {line.attributed_reseller_id for line in lines if line.attributed_reseller_id}
    return (reseller_uplines(reseller_ids=sellers, tiers=tiers) if sellers else {}), {}


def _commission_rows(
    order: Order,
    lines: list[OrderLine],
    earners: Earners | None,
    share_bps: int = BASIS_POINTS,
    flash_shares: dict[str, int] | None = None,
    grades: EarnerGrades | None = None,
) -> list[Commission]:
    """The commissions the lines earn under the plan in effect when the order
    was paid: the attributed reseller (tier 1, plus its shop markup) and its
    upline as they stood at payment, active ones only (a frozen reseller's
    share stays with the platform), nobody's share above what the margin
    allows."""
    plan = commission_plan_in_effect(at=order.paid_at)
    uplines, held = _uplines_at_payment(order, lines, earners, plan.tier_count, grades)
    rows = []
    for line in lines:
        chain = uplines.get(line.attributed_reseller_id, [])
        if not chain:
            continue
        # grades (分销等级): each tier earns the rate its own earner's grade had as the payment committed
        grade_shares = [_grade_rate(held.get(member.reseller_id), tier) for tier, member in enumerate(chain)]
        shares, split = commission_split_for_line(
            plan=plan,
            line=_line_money(line),
            product_id=line.product_id,
            category_id=line.category_id,
            grade_shares=grade_shares,
        )
        # --- flash sales: the campaign's share of the commission, as the payment's snapshot recorded it
        flash_share = (flash_shares or {}).get(str(line.pk), line.flash_commission_share_bps)
        if flash_share is not None:
            shares = flash_tier_shares(shares=shares, commission_share_bps=flash_share)
            split = line_split(line=_line_money(line), tier_basis_points=shares, base=plan.base)
            if flash_share == 0:
                continue
        # --- end flash sales
        # 自购返佣: a reseller buying for itself earns tier 1 (and its markup) only if the plan says so
        tier_1_blocked = line.buyer_is_attributed_reseller and not plan.self_purchase_earns

        def row(*, beneficiary_id, kind, tier, rate_bps, base_amount, amount, line=line):
            # a group-buying campaign (拼团) paying a lower rate: that share of each amount, rounded down
            amount = amount if share_bps == BASIS_POINTS else share_of(amount, share_bps)
            terms = held.get(beneficiary_id) if kind == CommissionKind.TIER else None
            return Commission(
                grade_id=terms["id"] if terms else None,
                grade_name=terms["name"][:30] if terms else "",
                order_line=line,
                order=order,
                beneficiary_id=beneficiary_id,
                kind=kind,
                tier=tier,
                rate_bps=rate_bps,
                base_amount=base_amount,
                amount=amount,
                plan=plan if plan.pk else None,
                matures_at=order.after_sales_ends_at,
            )

        seller = chain[0]
        if split.markup_amount > 0 and seller.is_active and not tier_1_blocked:
            rows.append(
                row(
                    beneficiary_id=seller.reseller_id,
                    kind=CommissionKind.MARKUP,
                    tier=1,
                    rate_bps=0,
                    base_amount=split.markup_amount,
                    amount=split.markup_amount,
                )
            )
        for tier, (member, rate_bps, amount) in enumerate(
            zip(chain, shares, split.tier_amounts, strict=False), start=1
        ):
            if amount <= 0 or not member.is_active or (tier == 1 and tier_1_blocked):
                continue
            rows.append(
                row(
                    beneficiary_id=member.reseller_id,
                    kind=CommissionKind.TIER,
                    tier=tier,
                    rate_bps=rate_bps,
                    base_amount=split.base_amount,
                    amount=amount,
                )
            )
    return rows


def _grade_rate(terms: dict | None, tier_index: int) -> int | None:
    """The rate (bp) a grade held at payment gives tier ``tier_index`` (0 is tier 1); None: the plan's."""
    if not terms:
        return None
    rates = terms.get("rates") or []
    return rates[tier_index] if tier_index < len(rates) else None


def _accrual_postings(commissions: list[Commission]) -> list[Posting]:
    if not commissions:
        return []
    accounts = ledger_accounts(
        keys=[(AccountKind.PLATFORM_COMMISSION_EXPENSE, None)]
        + [(AccountKind.RESELLER_FROZEN, commission.beneficiary_id) for commission in commissions]
    )
    expense = accounts[(AccountKind.PLATFORM_COMMISSION_EXPENSE, None)]
    return [
        Posting(
            idempotency_key=f"commission-accrue:{commission.pk}",
            description=f"commission on order line {commission.order_line_id}, tier {commission.tier}",
            debits=((expense, commission.amount),),
            credits=((accounts[(AccountKind.RESELLER_FROZEN, commission.beneficiary_id)], commission.amount),),
        )
        for commission in commissions
    ]


@transaction.atomic
def commissions_create_for_order(
    *,
    order_id: int,
    earners: Earners | None = None,
    share_bps: int = BASIS_POINTS,
    reason_if_none: str = "",
    flash_commission_shares: dict[str, int] | None = None,
    grades: EarnerGrades | None = None,
) -> int:
    """On ``order.paid``: create the order's commissions, frozen, each with
    its snapshot, and post them. Who earns comes from ``earners``, the
    upline the payment's transaction recorded (read from the event when not
    given): a move or a freeze after payment changes nothing, however late
    this runs. A flash-sale line earns the share of it its campaign set
    (``flash_commission_shares``, the same snapshot; the line keeps it
    too). The rate each earner gets is its grade's as the payment committed
    (``grades``, the same snapshot; none: the plan's). Idempotent: the order row is locked while it runs and a
    second run (or five at once) finds the commissions there; the unique
    constraint on (line, beneficiary, kind) backs it. A constant number of
    queries whatever the tree's size or depth. Returns how many it created.

    Group buying (拼团): called when the group fills (``group.succeeded``),
    with the campaign's ``share_bps`` of each amount (10000 full, 0 none),
    or with ``share_bps=0`` when it fails, so the decision is recorded with
    ``reason_if_none``."""
    order = Order.objects.select_for_update().filter(pk=order_id, paid_at__isnull=False).first()
    if order is None:
        return 0
    if CommissionDecision.objects.filter(order=order).exists():
        return 0
    lines = list(order.lines.order_by("id"))
    rows = [
        row
        for row in _commission_rows(order, lines, earners, share_bps, flash_commission_shares, grades)
        if row.amount > 0
    ]
    commissions = Commission.objects.bulk_create(rows)
    ledger_post_batch(_accrual_postings(commissions))
    reason = "" if commissions else (reason_if_none or _no_commission_reason(lines))
    CommissionDecision.objects.create(order=order, commissions_count=len(commissions), reason=reason)
    earned: dict[int, int] = {}
    for commission in commissions:
        earned[commission.beneficiary_id] = earned.get(commission.beneficiary_id, 0) + commission.amount
    if earned:
        commissions_accrued_emit(order_id=order.pk, earned=earned)
    # a refund that came before this ran (tasks may run late) shrinks them at once
    _follow_refunds([line for line in lines if line.refunded_amount])
    return len(commissions)


def commission_decision_reason(*, order_id: int) -> str:
    """What the engine decided for a paid order, in a few words."""
    decision = CommissionDecision.objects.filter(order_id=order_id).first()
    if decision is None:
        return "not decided yet"
    return f"{decision.commissions_count} commissions" if decision.commissions_count else decision.reason


def _no_commission_reason(lines: list[OrderLine]) -> str:
    if not any(line.attributed_reseller_id for line in lines):
        return "no line is attributed to a reseller"
    return "nobody in the upline could earn: frozen, self-purchase not paid, or no margin to share"


def _follow_refunds(lines: Iterable[OrderLine]) -> int:
    """Bring the lines' commissions in line with what has been refunded of
    each line: each commission shrinks to its share of what is still paid
    (rounded down), released from frozen money before settlement, clawed
    back from withdrawable money after it. Computed from the line's total
    refunded, so refunds handled twice or out of order change nothing more.
    Locks the commissions (a settlement running now waits, or has finished)."""
    lines = {line.pk: line for line in lines}
    if not lines:
        return 0
    commissions = list(
        Commission.objects.select_for_update()
        .filter(order_line_id__in=lines)
        .exclude(state=CommissionState.CANCELLED)
        .order_by("pk")
    )
    changes = []  # (commission, delta, account kind)
    used_up = []  # frozen commissions a refund took all of: cancelled
    for commission in commissions:
        line = lines[commission.order_line_id]
        target = amount_after_refund(
            amount=commission.amount, paid_amount=line.paid_amount, refunded_amount=line.refunded_amount
        )
        delta = commission.net_amount - target
        if delta <= 0:
            continue
        if commission.state == CommissionState.FROZEN:
            commission.reversed_amount += delta
            if commission.net_amount == 0:
                used_up.append(commission)
            changes.append((commission, delta, AccountKind.RESELLER_FROZEN, line.refunded_amount))
        else:  # settled: the money is withdrawable (or gone): claw it back, even into a negative balance
            commission.clawed_back_amount += delta
            changes.append((commission, delta, AccountKind.RESELLER_WITHDRAWABLE, line.refunded_amount))
    if not changes:
        return 0
    Commission.objects.bulk_update(
        [commission for commission, *_ in changes], ["reversed_amount", "clawed_back_amount"]
    )
    state_set_many(Commission, used_up, CommissionState.CANCELLED, machine=COMMISSION_MACHINE, actor_kind=SYSTEM)
    accounts = ledger_accounts(
        keys=[(AccountKind.PLATFORM_COMMISSION_EXPENSE, None)]
        + [(kind, commission.beneficiary_id) for commission, _delta, kind, _refunded in changes]
    )
    expense = accounts[(AccountKind.PLATFORM_COMMISSION_EXPENSE, None)]
    ledger_post_batch(
        [
            Posting(
                idempotency_key=f"commission-refund:{commission.pk}:{refunded}",
                description=f"commission {commission.pk} follows a refund ({refunded} fen of the line refunded)",
                debits=((accounts[(kind, commission.beneficiary_id)], delta),),
                credits=((expense, delta),),
            )
            for commission, delta, kind, refunded in changes
        ]
    )
    return len(changes)


@transaction.atomic
def commissions_follow_refund(*, refund_id: int) -> int:
    """On ``order.refunded``: the line's commissions shrink to what is still
    paid (the refunded cash itself was posted with the refund). Idempotent."""
    line_id = Refund.objects.filter(pk=refund_id, amount__gt=0).values_list("line_id", flat=True).first()
    if line_id is None:
        return 0
    return _follow_refunds([OrderLine.objects.get(pk=line_id)])  # its refunded total as committed now


def commissions_mature(*, order_id: int) -> int:
    """On ``order_completed``: the order's frozen commissions mature when
    its after-sales window ends (set-based, idempotent)."""
    order = Order.objects.filter(pk=order_id, after_sales_ends_at__isnull=False).first()
    if order is None:
        return 0
    return Commission.objects.filter(order_id=order_id, state=CommissionState.FROZEN).update(
        matures_at=order.after_sales_ends_at
    )
