"""Suppliers' payables (一件代发): what a line cost becomes owed to its
supplier once the line can no longer be refunded (its after-sales window
over, no refund open). Decided here, by the sweep that settles.

| event | debit | credit | key |
| --- | --- | --- | --- |
| a line's cost, once matured | cost of goods | supplier payable | ``supplier-payable:<line>`` |
"""

from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef

from ledger.choices import AccountKind
from ledger.services import Posting, ledger_accounts, ledger_post_batch
from orders.choices import REFUND_OPEN
from orders.models import OrderLine, Refund
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
