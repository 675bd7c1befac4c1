"""Suppliers' payables (一件代发): what a line cost becomes owed to its
supplier once the line can no longer be refunded (its after-sales window
over, no refund open). Decided here, by the sweep that settles.

| event | debit | credit | key |
| --- | --- | --- | --- |
| a line's cost, once matured | cost of goods | supplier payable | ``supplier-payable:<line>`` |
| its coupons' net share of the line | supplier payable | supplier coupon discount | ``coupon-payable-offset:<line>`` |

A supplier pays for its coupons out of what it is owed: the discount it
funded on a line (charged to its coupon discount account when the order
was paid, ``coupons.services``) is taken from the line's payable in the
same transaction, so the supplier's net money moves by exactly the
discount less what refunds gave back (docs/coupons.md).
"""

from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef

from coupons.choices import CouponFunder
from ledger.choices import AccountKind
from ledger.services import Posting, ledger_accounts, ledger_post_batch
from orders.choices import REFUND_OPEN
from orders.models import OrderDiscount, OrderLine, Refund
from socialshop.money import proportion_of

from ..models import SupplierPayable

PAYABLES_BATCH_SIZE = 2_000


def supplier_payables_post(*, now: datetime, batch_size: int = PAYABLES_BATCH_SIZE) -> int:
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
            funded = _supplier_coupons_on(pk for pk, *_rest in lines)
            accounts = ledger_accounts(
                keys=[(AccountKind.PLATFORM_COST_OF_GOODS, None)]
                + [(AccountKind.SUPPLIER_PAYABLE, supplier) for _pk, supplier, *_rest in lines]
                + [(AccountKind.SUPPLIER_PAYABLE, funder) for funder, _amount in funded.values()]
                + [(AccountKind.SUPPLIER_COUPON_DISCOUNT, funder) for funder, _amount in funded.values()]
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
                + [
                    Posting(
                        idempotency_key=f"coupon-payable-offset:{pk}",
                        description=f"supplier {funder}'s coupons on order line {pk}, taken from its payable",
                        debits=((accounts[(AccountKind.SUPPLIER_PAYABLE, funder)], amount),),
                        credits=((accounts[(AccountKind.SUPPLIER_COUPON_DISCOUNT, funder)], amount),),
                    )
                    for pk, (funder, amount) in funded.items()
                ]
            )
            taken += len(lines)
        if len(lines) < batch_size:
            break
    return taken


def _supplier_coupons_on(line_ids) -> dict[int, tuple[int, int]]:
    """Line id → (supplier, what its own coupons took off the line less what
    refunds gave back), for the lines a supplier's coupon reached (one
    query). A supplier's coupon only reaches its own lines."""
    funded: dict[int, tuple[int, int]] = {}
    rows = OrderDiscount.objects.filter(line_id__in=list(line_ids), funder=CouponFunder.SUPPLIER).values_list(
        "line_id", "funder_id", "amount", "returned_amount"
    )
    for line_id, funder, amount, returned in rows:
        funded[line_id] = (funder, funded.get(line_id, (funder, 0))[1] + amount - returned)
    return {line_id: entry for line_id, entry in funded.items() if entry[1] > 0}
