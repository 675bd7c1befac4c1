"""The commission engine: commissions born when a payment is confirmed,
following refunds, maturing when the after-sales window closes, settling
set-based. The only writer of ``Commission`` rows and their money.

Ledger postings (docs/commissions.md), each keyed so a second run posts
nothing:

| event | debit | credit | key |
| --- | --- | --- | --- |
| order paid | payment clearing | revenue | ``order-paid:<order>`` |
| commission earned | commission expense | reseller frozen | ``commission-accrue:<id>`` |
| refund before settlement | reseller frozen | commission expense | ``commission-refund:<id>:<line refunded>`` |
| refund after settlement (扣回) | reseller withdrawable | commission expense | the same |
| refund paid back | refunds | payment clearing | ``order-refund:<refund>`` |
| settlement (结算) | reseller frozen | reseller withdrawable | ``commission-settle:<id>`` |
| a line's cost, once matured | cost of goods | supplier payable | ``supplier-payable:<line>`` |
"""

import logging
from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from distribution.selectors import UplineMember, reseller_uplines
from ledger.choices import AccountKind
from ledger.services import Posting, ledger_accounts, ledger_post_batch
from orders.choices import REFUND_OPEN
from orders.events import order_paid
from orders.models import Order, OrderLine, Refund
from socialshop.models import Event
from socialshop.money import proportion_of
from socialshop.states import SYSTEM, state_set_many, state_set_query

from ..calculations import LineMoney, amount_after_refund, line_split
from ..choices import CommissionKind, CommissionState
from ..models import Commission, SupplierPayable
from ..selectors import commission_plan_in_effect, commission_shares_for
from .states import COMMISSION_MACHINE

logger = logging.getLogger(__name__)

SETTLEMENT_BATCH_SIZE = 2_000


def _line_money(line: OrderLine) -> LineMoney:
    return LineMoney(
        quantity=line.quantity,
        unit_price_amount=line.unit_price_amount,
        list_price_amount=line.list_price_amount,
        cost_amount=line.cost_amount,
        discount_amount=line.discount_amount,
    )


Earners = dict[str, list[list]]  # the order.paid event's snapshot (orders/events.py)


def _uplines_at_payment(order: Order, lines: list[OrderLine], earners: Earners | None, tiers: int):
    """Each attributed seller's upline as it stood when the payment committed:
    from ``earners`` (the order.paid event's snapshot), else from the event
    row still kept, else (an order paid before snapshots existed) from the
    tree as it is now."""
    if earners is None:
        earners = (
            Event.objects.filter(type=order_paid, aggregate_type="order", aggregate_id=order.pk)
            .values_list("payload__earners", flat=True)
            .first()
        )
    if earners is not None:
        return {
            int(seller): [UplineMember(member, active) for member, active in chain][:tiers]
            for seller, chain in earners.items()
        }
    sellers = {line.attributed_reseller_id for line in lines if line.attributed_reseller_id}
    return reseller_uplines(reseller_ids=sellers, tiers=tiers) if sellers else {}


def _commission_rows(order: Order, lines: list[OrderLine], earners: Earners | None) -> list[Commission]:
    """The commissions the lines earn under the plan in effect when the order
    was paid: the attributed reseller (tier 1, plus its shop markup) and its
    upline as they stood at payment, active ones only (a frozen reseller's
    share stays with the platform), nobody's share above what the margin
    allows."""
    plan = commission_plan_in_effect(at=order.paid_at)
    uplines = _uplines_at_payment(order, lines, earners, plan.tier_count)
    rows = []
    for line in lines:
        chain = uplines.get(line.attributed_reseller_id, [])
        if not chain:
            continue
        shares = commission_shares_for(plan=plan, product_id=line.product_id, category_id=line.category_id)
        split = line_split(line=_line_money(line), tier_basis_points=shares, base=plan.base)
        # 自购返佣: a reseller buying for itself earns tier 1 (and its markup) only if the plan says so
        tier_1_blocked = line.buyer_is_attributed_reseller and not plan.self_purchase_earns

        def row(*, beneficiary_id, kind, tier, rate_bps, base_amount, amount, line=line):
            return Commission(
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
def commissions_create_for_order(*, order_id: int, earners: Earners | None = None) -> int:
    """On ``order.paid``: create the order's commissions, frozen, each with
    its snapshot, and post them. Who earns comes from ``earners``, the
    upline the payment's transaction recorded (read from the event when not
    given): a move or a freeze after payment changes nothing, however late
    this runs. Idempotent: the order row is locked while it runs and a
    second run (or five at once) finds the commissions there; the unique
    constraint on (line, beneficiary, kind) backs it. A constant number of
    queries whatever the tree's size or depth. Returns how many it created."""
    order = Order.objects.select_for_update().filter(pk=order_id, paid_at__isnull=False).first()
    if order is None:
        return 0
    lines = list(order.lines.order_by("id"))
    commissions = []
    if not Commission.objects.filter(order=order).exists():
        commissions = Commission.objects.bulk_create(_commission_rows(order, lines, earners))
    ledger_post_batch(_payment_postings(order) + _accrual_postings(commissions))
    # a refund that came before this ran (tasks may run late) shrinks them at once
    _follow_refunds([line for line in lines if line.refunded_amount])
    return len(commissions)


def _payment_postings(order: Order) -> list[Posting]:
    """The money the buyer paid, received through the payment provider."""
    if order.paid_amount <= 0:
        return []
    accounts = ledger_accounts(
        keys=[(AccountKind.PLATFORM_PAYMENT_CLEARING, None), (AccountKind.PLATFORM_REVENUE, None)]
    )
    return [
        Posting(
            idempotency_key=f"order-paid:{order.pk}",
            description=f"order {order.pk} paid",
            debits=((accounts[(AccountKind.PLATFORM_PAYMENT_CLEARING, None)], order.paid_amount),),
            credits=((accounts[(AccountKind.PLATFORM_REVENUE, None)], order.paid_amount),),
        )
    ]


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
    """On ``order_refunded``: the refunded money leaves the books (refunds ←
    payment clearing) and the line's commissions shrink. Idempotent."""
    refund = Refund.objects.select_related("line").filter(pk=refund_id).first()
    if refund is None or refund.amount <= 0:
        return 0
    accounts = ledger_accounts(
        keys=[(AccountKind.PLATFORM_REFUNDS, None), (AccountKind.PLATFORM_PAYMENT_CLEARING, None)]
    )
    ledger_post_batch(
        [
            Posting(
                idempotency_key=f"order-refund:{refund.pk}",
                description=f"refund {refund.pk} of order {refund.order_id}",
                debits=((accounts[(AccountKind.PLATFORM_REFUNDS, None)], refund.amount),),
                credits=((accounts[(AccountKind.PLATFORM_PAYMENT_CLEARING, None)], refund.amount),),
            )
        ]
    )
    line = OrderLine.objects.get(pk=refund.line_id)  # its refunded total as committed now
    return _follow_refunds([line])


def commissions_mature(*, order_id: int) -> int:
    """On ``order_completed``: the order's frozen commissions mature when
    its after-sales window ends (set-based, idempotent)."""
    order = Order.objects.filter(pk=order_id, after_sales_ends_at__isnull=False).first()
    if order is None:
        return 0
    return Commission.objects.filter(order_id=order_id, state=CommissionState.FROZEN).update(
        matures_at=order.after_sales_ends_at
    )


def commissions_settle_matured(*, now: datetime | None = None, batch_size: int = SETTLEMENT_BATCH_SIZE) -> int:
    """The settlement sweep (结算): frozen commissions past their maturity
    whose line has no open refund become withdrawable, in batches, each in
    one transaction: rows chosen with ``FOR UPDATE SKIP LOCKED`` (two sweeps
    at once take different rows), moved with a conditional UPDATE, posted as
    one ledger transaction per commission. A worker killed mid-batch rolls
    its batch back; a redelivered task finds only what is left. Then the
    matured lines' costs become payable to their suppliers. Returns how many
    commissions it settled."""
    now = now or timezone.now()
    settled = 0
    while True:
        with transaction.atomic():
            batch = list(
                Commission.objects.matured(now=now)
                .exclude(Exists(Refund.objects.filter(line_id=OuterRef("order_line_id"), status__in=REFUND_OPEN)))
                .select_for_update(skip_locked=True)
                .order_by("matures_at", "pk")  # the partial index's order: no walk past settled rows
                .values_list("pk", "beneficiary_id", "amount", "reversed_amount")[:batch_size]
            )
            if not batch:
                break
            state_set_query(  # one conditional UPDATE of the batch: frozen → settled, from the table
                Commission.objects.filter(pk__in=[row[0] for row in batch]),
                CommissionState.SETTLED,
                machine=COMMISSION_MACHINE,
                actor_kind=SYSTEM,
                settled_at=timezone.now(),  # when it happened; ``now`` only decides maturity
            )
            accounts = ledger_accounts(
                keys=[
                    (kind, row[1])
                    for row in batch
                    for kind in (AccountKind.RESELLER_FROZEN, AccountKind.RESELLER_WITHDRAWABLE)
                ]
            )
            ledger_post_batch(
                [
                    Posting(
                        idempotency_key=f"commission-settle:{pk}",
                        description=f"commission {pk} settled",
                        debits=((accounts[(AccountKind.RESELLER_FROZEN, beneficiary)], amount - reversed_amount),),
                        credits=(
                            (accounts[(AccountKind.RESELLER_WITHDRAWABLE, beneficiary)], amount - reversed_amount),
                        ),
                    )
                    for pk, beneficiary, amount, reversed_amount in batch
                ]
            )
            settled += len(batch)
        if len(batch) < batch_size:
            break
    supplier_payables_post(now=now)
    return settled


def supplier_payables_post(*, now: datetime, batch_size: int = SETTLEMENT_BATCH_SIZE) -> int:
    """Suppliers are owed the cost of what was sold (一件代发): once a line's
    after-sales window is over and no refund of it is open, its cost — less
    the refunded share, rounded down — moves to the supplier's payable.
    Set-based and idempotent (a marker row per line; the posting is keyed by
    the line). Returns how many lines it took."""
    taken = 0
    while True:
        with transaction.atomic():
            lines = list(
                OrderLine.objects.filter(order__after_sales_ends_at__lte=now, paid_amount__gt=0)
                .exclude(Exists(SupplierPayable.objects.filter(order_line_id=OuterRef("pk"))))
                .exclude(Exists(Refund.objects.filter(line_id=OuterRef("pk"), status__in=REFUND_OPEN)))
                .order_by("pk")
                .values_list("pk", "supplier_id", "cost_amount", "quantity", "paid_amount", "refunded_amount")[
                    :batch_size
                ]
            )
            if not lines:
                break
            owed = {
                pk: proportion_of(cost * quantity, max(paid - refunded, 0), paid)
                for pk, _supplier, cost, quantity, paid, refunded in lines
            }
            SupplierPayable.objects.bulk_create(
                [
                    SupplierPayable(order_line_id=pk, supplier_id=supplier, amount=owed[pk])
                    for pk, supplier, *_rest in lines
                ],
                ignore_conflicts=True,  # another sweep took the line meanwhile: its posting is the same
            )
            accounts = ledger_accounts(
                keys=[(AccountKind.PLATFORM_COST_OF_GOODS, None)]
                + [(AccountKind.SUPPLIER_PAYABLE, supplier) for _pk, supplier, *_rest in lines]
            )
            ledger_post_batch(
                [
                    Posting(
                        idempotency_key=f"supplier-payable:{pk}",
                        description=f"cost of order line {pk}, owed to supplier {supplier}",
                        debits=((accounts[(AccountKind.PLATFORM_COST_OF_GOODS, None)], owed[pk]),),
                        credits=((accounts[(AccountKind.SUPPLIER_PAYABLE, supplier)], owed[pk]),),
                    )
                    for pk, supplier, *_rest in lines
                    if owed[pk] > 0
                ]
            )
            taken += len(lines)
        if len(lines) < batch_size:
            break
    return taken
