"""Settlement (结算): frozen commissions past their maturity become
withdrawable, set-based; then the matured lines' costs become payable to
their suppliers (``payables``).

| event | debit | credit | key |
| --- | --- | --- | --- |
| settlement | reseller frozen | reseller withdrawable | ``commission-settle:<id>`` |
"""

from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from ledger.choices import AccountKind
from ledger.services import Posting, ledger_accounts, ledger_post_batch
from orders.choices import REFUND_OPEN
from orders.models import Refund
from socialshop.states import SYSTEM, state_set_query

from ..choices import CommissionState
from ..events import commissions_settled_emit
from ..models import Commission
from .payables import supplier_payables_post
from .states import COMMISSION_MACHINE

SETTLEMENT_BATCH_SIZE = 2_000


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
            commissions_settled_emit(batch=[(row[0], row[1], row[2] - row[3]) for row in batch])
            settled += len(batch)
        if len(batch) < batch_size:
            break
    supplier_payables_post(now=now)
    return settled
