"""The books proven: every check ``reconcile`` runs, as data.

Each check returns a list of breaks (strings a person can act on); an empty
list means the rule holds. The command prints them and exits non-zero on
any break; a periodic task (or an operator's button on /ops/money/) runs them,
records a ``ReconciliationRun`` and alerts operators.

Check names are translated when shown; a run stores each under its English
name (the message id), whatever the language of the process that ran it.
"""

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ledger.choices import AccountKind
from ledger.selectors import (
    ledger_balance_mismatches,
    ledger_entries_with_key_prefix,
    ledger_keys_with_prefix,
    ledger_posted,
    ledger_totals_by_kind,
    ledger_unbalanced_transactions,
)
from orders.choices import OrderStatus, RefundStatus
from orders.models import Order, OrderDiscount, OrderLine, Refund
from orders.services.bills import payment_bill_breaks
from socialshop.events import event_consumers, events_unhandled
from socialshop.money import format_yuan as yuan

from .choices import CommissionState, WithdrawalStatus
from .models import Commission, CommissionDecision, PayoutItem, ReconciliationRun, Withdrawal
from .providers import PayoutProviderUnavailable, payout_provider

logger = logging.getLogger(__name__)


def check_key(name) -> str:
    """What a run stores for a check: its English name, the same in every language."""
    with translation.override(None):
        return str(name)


def check_label(key: str) -> str:
    """A stored check's name as people read it (a check since renamed keeps its stored name)."""
    return gettext(key)


@dataclass(frozen=True)
class CheckResult:
    name: str  # lazily translated
    breaks: list[str]

    @property
    def ok(self) -> bool:
        return not self.breaks

    @property
    def key(self) -> str:
        return check_key(self.name)


def check_transactions_balance() -> list[str]:
    return [f"ledger transaction {tid} sums to {yuan(total)}" for tid, total in ledger_unbalanced_transactions()]


def check_cached_balances() -> list[str]:
    return [
        f"ledger account {account_id}: cached balance {yuan(cached)} but its entries sum to {yuan(computed)}"
        for account_id, cached, computed in ledger_balance_mismatches()
    ]


def check_withdrawals_match_the_ledger() -> list[str]:
    """Each withdrawal's money moved exactly as its state says: reserved once
    when requested, then paid out or returned at most once, never both."""
    breaks = []
    requested = ledger_keys_with_prefix("withdrawal-request:")
    paid = ledger_keys_with_prefix("withdrawal-paid:")
    returned = ledger_keys_with_prefix("withdrawal-reject:") | ledger_keys_with_prefix("withdrawal-failed:")
    for withdrawal_id, status in Withdrawal.objects.values_list("pk", "status"):
        if withdrawal_id not in requested:
            breaks.append(f"withdrawal {withdrawal_id} has no reservation in the ledger")
        if (withdrawal_id in paid) != (status == WithdrawalStatus.PAID):
            breaks.append(f"withdrawal {withdrawal_id} is {status} but the ledger says paid={withdrawal_id in paid}")
        returns = status in (WithdrawalStatus.REJECTED, WithdrawalStatus.FAILED)
        if (withdrawal_id in returned) != returns:
            breaks.append(
                f"withdrawal {withdrawal_id} is {status} but the ledger says returned={withdrawal_id in returned}"
            )
    return breaks


def check_no_withdrawal_paid_twice() -> list[str]:
    """At most one payout item per withdrawal (a unique constraint too), and
    every payout the provider made (as its ``payouts_made`` says) is recorded
    against its item (one that is not yet recorded means a worker died
    mid-payout: the next run records it)."""
    breaks = [
        f"withdrawal {row['withdrawal_id']} has {row['n']} payout items"
        for row in PayoutItem.objects.values("withdrawal_id").annotate(n=Count("id")).filter(n__gt=1)
    ]
    recorded = set(PayoutItem.objects.filter(outcome="paid").values_list("reference", flat=True))
    try:
        for reference in payout_provider().payouts_made():
            if reference not in recorded:
                breaks.append(f"the provider paid {reference}, but no payout item records it as paid")
    except PayoutProviderUnavailable as error:  # unproven is not passed: the run says so, and alerts
        breaks.append(f"the payout provider could not say what it paid: {error}")
    return breaks


def check_commissions_match_the_ledger() -> list[str]:
    """Each commission's money in the ledger is what the commission says:
    credited to frozen once (its amount), released by refunds before
    settlement (its reversed amount), settled once exactly when its state is
    settled, clawed back after settlement (its clawed-back amount)."""
    accrued, released, clawed, settled = defaultdict(int), defaultdict(int), defaultdict(int), set()
    for key, kind, amount in ledger_entries_with_key_prefix("commission-"):
        what, commission_id = key.split(":")[0], int(key.split(":")[1])
        if what == "commission-accrue" and kind == AccountKind.RESELLER_FROZEN:
            accrued[commission_id] += -amount  # a credit
        elif what == "commission-refund" and kind == AccountKind.RESELLER_FROZEN:
            released[commission_id] += amount  # a debit
        elif what == "commission-refund" and kind == AccountKind.RESELLER_WITHDRAWABLE:
            clawed[commission_id] += amount
        elif what == "commission-settle" and kind == AccountKind.RESELLER_WITHDRAWABLE:
            settled.add(commission_id)
    breaks = []
    rows = Commission.objects.values_list("pk", "amount", "reversed_amount", "clawed_back_amount", "state")
    for pk, amount, reversed_amount, clawed_back_amount, state in rows.iterator(chunk_size=5_000):
        if accrued[pk] != amount:
            breaks.append(f"commission {pk} earned {yuan(amount)} but the ledger credited {yuan(accrued[pk])}")
        if released[pk] != reversed_amount:
            breaks.append(
                f"commission {pk} reversed {yuan(reversed_amount)} but the ledger released {yuan(released[pk])}"
            )
        if clawed[pk] != clawed_back_amount:
            breaks.append(
                f"commission {pk} clawed back {yuan(clawed_back_amount)} but the ledger took {yuan(clawed[pk])}"
            )
        if (pk in settled) != (state == CommissionState.SETTLED):
            breaks.append(f"commission {pk} is {state} but the ledger says settled={pk in settled}")
    return breaks


def check_commissions_within_margin() -> list[str]:
    """Per order line: commissions + markup ≤ margin (paid − cost), in one
    grouped query (no list of every line's id in Python)."""
    over = (
        OrderLine.objects.annotate(total=Sum("commissions__amount"))
        .filter(total__gt=Greatest(F("paid_amount") - F("cost_amount") * F("quantity"), Value(0)))
        .order_by("pk")
        .values_list("pk", "total", "paid_amount", "cost_amount", "quantity")
    )
    return [
        f"order line {pk} pays out {yuan(total)} on a margin of {yuan(paid - cost * quantity)}"
        for pk, total, paid, cost, quantity in over
    ]


def _grace() -> datetime:
    """Work the consumers have had time to do: what happened before this
    (``EVENTS_LAG_ALERT_MINUTES`` ago) must be done by now."""
    return timezone.now() - timedelta(minutes=settings.EVENTS_LAG_ALERT_MINUTES)


def check_paid_orders_posted() -> list[str]:
    """Every paid order has its order-paid posting (written with the
    payment, in its transaction)."""
    missing = (
        Order.objects.filter(paid_at__isnull=False, paid_amount__gt=0)
        .exclude(ledger_posted("order-paid:"))
        .order_by("pk")
        .only("pk", "created_at")[:100]
    )
    return [f"order {order.number} is paid but has no order-paid posting" for order in missing]


def check_paid_orders_commissions_decided() -> list[str]:
    """Every paid order's commissions were decided by the engine (made, or
    none with the reason recorded), once the consumers have had time.
    Missing means the engine never handled the payment."""
    missing = (
        Order.objects.filter(paid_at__lt=_grace())
        .exclude(Exists(CommissionDecision.objects.filter(order_id=OuterRef("pk"))))
        .order_by("pk")
        .only("pk", "created_at")[:100]
    )
    return [f"order {order.number} is paid but who earns on it was never decided" for order in missing]


def check_refunds_reversed() -> list[str]:
    """Every refund the provider made has left the books (its order-refund
    posting, written with the commissions it shrinks)."""
    missing = (
        Refund.objects.filter(status=RefundStatus.SUCCEEDED, amount__gt=0, refunded_at__lt=_grace())
        .exclude(ledger_posted("order-refund:"))
        .select_related("order")
        .order_by("pk")
        .only("pk", "order__id", "order__created_at")[:100]
    )
    return [f"refund {refund.pk} of order {refund.order.number} has no reversal in the ledger" for refund in missing]


def check_completed_orders_commissions_mature() -> list[str]:
    """A completed order's frozen commissions know when they mature (else
    they would never settle)."""
    stuck = (
        Commission.objects.filter(
            state=CommissionState.FROZEN, matures_at__isnull=True, order__status=OrderStatus.COMPLETED
        )
        .filter(order__completed_at__lt=_grace())
        .select_related("order")
        .order_by("pk")
        .only("pk", "order__id", "order__created_at")[:100]
    )
    return [f"commission {row.pk} of completed order {row.order.number} has no maturity date" for row in stuck]


def check_events_handled() -> list[str]:
    """Every event is handled by every consumer of its type within
    ``EVENTS_LAG_ALERT_MINUTES``; a parked event is a break until an
    operator retries it."""
    breaks = []
    for name in sorted(event_consumers()):
        for event, receipt in events_unhandled(consumer=name, before=_grace(), limit=20):
            what = f"event {event.pk} ({event.type}, {event.aggregate_type} {event.aggregate_id})"
            if receipt is not None and receipt.status == "parked":
                breaks.append(
                    f"{what} is parked at {name} after {receipt.attempts} attempts: {receipt.last_error[:120]}"
                )
            else:
                since = timezone.localtime(event.created_at)
                breaks.append(f"{what} has not been handled by {name} since {since:%Y-%m-%d %H:%M:%S}")
    return breaks


def check_cancelled_paid_orders_refunded_in_full() -> list[str]:
    """A paid order that was cancelled (before anything shipped) gives back
    all it paid: its refunds that succeeded, plus those on their way
    (approved: the provider is being asked; failed: waiting for an
    operator's retry, in the refunds admin), add up to what was paid. A
    request left ``requested`` counts for nothing: nobody should decide it
    any more (issue 12). One grouped query."""
    on_the_way = [RefundStatus.APPROVED, RefundStatus.FAILED]
    short = (
        Order.objects.filter(status=OrderStatus.CANCELLED, paid_amount__gt=0)
        .annotate(
            refunded=Coalesce(Sum("refunds__amount", filter=Q(refunds__status=RefundStatus.SUCCEEDED)), 0),
            coming=Coalesce(Sum("refunds__amount", filter=Q(refunds__status__in=on_the_way)), 0),
        )
        .exclude(paid_amount=F("refunded") + F("coming"))
        .order_by("pk")
    )
    return [
        f"order {order.number} (id {order.pk}) was cancelled after paying {yuan(order.paid_amount)}, "
        f"but {yuan(order.refunded)} is refunded and {yuan(order.coming)} on its way"
        for order in short.only("pk", "created_at", "paid_amount")
    ]


# --- coupons (docs/coupons.md) ---------------------------------------------------------

COUPON_DISCOUNT_KINDS = {
    AccountKind.PLATFORM_COUPON_DISCOUNT,
    AccountKind.SUPPLIER_COUPON_DISCOUNT,
    AccountKind.RESELLER_COUPON_DISCOUNT,
}


def check_coupon_discounts_match_the_ledger() -> list[str]:
    """Each used coupon's money in the funders' discount accounts is what
    its order's shares say: charged once its order is paid (the shares'
    sum), credited back what refunds returned; and the discount accounts
    together hold exactly what paid orders' coupons took, less what came
    back."""
    charged, returned = defaultdict(int), defaultdict(int)
    for key, kind, amount in ledger_entries_with_key_prefix("coupon-"):
        if kind not in COUPON_DISCOUNT_KINDS:
            continue
        what, claim_id = key.split(":")[0], int(key.rsplit(":", 1)[1])
        if what == "coupon-charge":
            charged[claim_id] += amount  # a debit
        elif what == "coupon-return":
            returned[claim_id] += -amount  # a credit
    shares = (
        OrderDiscount.objects.filter(order__paid_at__isnull=False)
        .values("claim_id")
        .annotate(amount=Sum("amount"), returned=Sum("returned_amount"))
        .values_list("claim_id", "amount", "returned")
    )
    breaks, seen = [], set()
    for claim_id, amount, returned_amount in shares.iterator(chunk_size=5_000):
        seen.add(claim_id)
        if charged[claim_id] != amount:
            breaks.append(
                f"coupon {claim_id} took {yuan(amount)} off a paid order, "
                f"its funder was charged {yuan(charged[claim_id])}"
            )
        if returned[claim_id] != returned_amount:
            breaks.append(
                f"coupon {claim_id} gave back {yuan(returned_amount)} with refunds, "
                f"its funder got {yuan(returned[claim_id])}"
            )
    breaks += [
        f"coupon {claim_id} was charged {yuan(charged[claim_id])} but no paid order used it"
        for claim_id in sorted(set(charged) - seen)
    ]
    outstanding = sum(charged.values()) - sum(returned.values())
    balances = sum(ledger_totals_by_kind(kinds=sorted(COUPON_DISCOUNT_KINDS)).values())
    if balances != outstanding:
        breaks.append(f"the coupon discount accounts hold {yuan(balances)} but coupons took {yuan(outstanding)} net")
    return breaks


CHECKS: list[tuple[Promise, Callable[[], list[str]]]] = [
    (_("every ledger transaction balances"), check_transactions_balance),
    (_("every cached balance equals the sum of its entries"), check_cached_balances),
    (_("every commission's state matches its ledger entries"), check_commissions_match_the_ledger),
    (_("per order line, commissions and markup stay within the margin"), check_commissions_within_margin),
    (_("every withdrawal's state matches its ledger entries"), check_withdrawals_match_the_ledger),
    (_("no withdrawal is paid twice"), check_no_withdrawal_paid_twice),
    (_("every paid order has its order-paid posting"), check_paid_orders_posted),
    (_("every paid order's commissions are decided"), check_paid_orders_commissions_decided),
    (_("every refund paid back has its reversal"), check_refunds_reversed),
    (_("every completed order's commissions have a maturity date"), check_completed_orders_commissions_mature),
    (_("every event is handled by each of its consumers"), check_events_handled),
    (_("every cancelled paid order is refunded in full"), check_cancelled_paid_orders_refunded_in_full),
    (_("the payment gateways' daily bills match our payments and refunds"), payment_bill_breaks),
    (
        _("every coupon's discount is charged to its funder and given back with refunds"),
        check_coupon_discounts_match_the_ledger,
    ),
]


def reconcile() -> list[CheckResult]:
    return [CheckResult(name, check()) for name, check in CHECKS]


def reconciliation_record() -> ReconciliationRun:
    """Run every check and record the run (at most 100 breaks a check); on a
    break, log an error: the admin's front page and /ops/money/ show it."""
    results = reconcile()
    run = ReconciliationRun.objects.create(
        ok=all(result.ok for result in results), breaks={result.key: result.breaks[:100] for result in results}
    )
    if not run.ok:
        logger.error(
            "reconciliation found breaks: %s",
            {result.key: len(result.breaks) for result in results if not result.ok},
        )
    return run
