"""An order's coupons after placing (docs/coupons.md): charged to their
funders when the order is paid, given back when it ends unpaid, their share
returned when a refund takes part of a line. Each runs in the transaction of
the change it follows; ``coupons.services`` writes the claims and the
postings. Placing uses the coupons itself (``placing._coupons_record``)."""

from collections import defaultdict

from coupons.calculations import share_returned
from coupons.services import Funding, coupon_charges_post, coupon_returns_post, coupons_give_back

from ..models import Order, OrderDiscount, OrderLine


def order_coupons_paid(*, order: Order) -> dict:
    """The order is being paid: each funder is charged its coupon's
    discount, and what comes back is the snapshot the ``order.paid`` event
    records: per claimed coupon, the coupon, its funder and each line's
    share. Nothing (no query) for an order without coupons."""
    if not order.discount_amount:
        return {}
    snapshot: dict[str, dict] = {}
    fundings: dict[int, list] = {}
    for claim_id, coupon_id, funder, funder_id, line_id, amount in OrderDiscount.objects.filter(
        order=order
    ).values_list("claim_id", "claim__coupon_id", "funder", "funder_id", "line_id", "amount"):
        entry = snapshot.setdefault(
            str(claim_id), {"coupon_id": coupon_id, "funder": funder, "funder_id": funder_id, "lines": {}}
        )
        entry["lines"][str(line_id)] = amount
        fundings.setdefault(claim_id, [funder, funder_id, 0])[2] += amount
    coupon_charges_post(
        order_id=order.pk,
        fundings=[
            Funding(claim_id, funder, funder_id, amount) for claim_id, (funder, funder_id, amount) in fundings.items()
        ],
    )
    return snapshot


def order_coupons_give_back(*, order_ids: list[int], now=None) -> int:
    """Orders ended unpaid (at ``now``): their coupons come back while still valid."""
    return coupons_give_back(order_ids=order_ids, now=now)


def order_coupons_follow_refund(*, line: OrderLine, refund_id: int) -> int:
    """A refund of ``line`` succeeded (its ``refunded_amount`` already
    counts it): each coupon's share of the line is given back in the same
    proportion as what was refunded of what was paid, rounded down and
    computed from the totals (so repeated partial refunds never drift and a
    full refund returns the whole share); the funders are credited the
    difference. Locks the shares. Returns how many shares moved."""
    if not line.discount_amount or not line.paid_amount:
        return 0
    moved, fundings = [], defaultdict(int)
    for discount in OrderDiscount.objects.select_for_update().filter(line=line).order_by("pk"):
        target = share_returned(
            share_amount=discount.amount, paid_amount=line.paid_amount, refunded_amount=line.refunded_amount
        )
        delta = target - discount.returned_amount
        if delta <= 0:
            continue
        discount.returned_amount = target
        moved.append(discount)
        fundings[(discount.claim_id, discount.funder, discount.funder_id)] += delta
    if not moved:
        return 0
    OrderDiscount.objects.bulk_update(moved, ["returned_amount"])
    coupon_returns_post(
        refund_id=refund_id,
        fundings=[
            Funding(claim_id, funder, funder_id, amount) for (claim_id, funder, funder_id), amount in fundings.items()
        ],
    )
    return len(moved)
