"""The books proven: every check ``reconcile`` runs, as data.

Each check returns a list of breaks (strings a person can act on); an empty
list means the rule holds. The command prints them and exits non-zero on
any break; a periodic task (or an operator's button on /ops/money/) runs them,
records a ``ReconciliationRun`` and alerts operators.

Check names are translated when shown; a run stores each under its English
name (the message id), whatever the language of the process that ran it.
Breaks are sentences for operators (gettext), written in the deployment's
language (``LANGUAGE_CODE``) when the run is made, and stored as written.
"""

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coupons.choices import CouponFunder
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
from .events import reconcile_broken_emit
from .models import Commission, CommissionDecision, PayoutItem, ReconciliationRun, SupplierPayable, Withdrawal
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
    return [
        gettext("ledger transaction %(id)s sums to %(total)s") % {"id": tid, "total": yuan(total)}
        for tid, total in ledger_unbalanced_transactions()
    ]


def check_cached_balances() -> list[str]:
    return [
        gettext("ledger account %(id)s: cached balance %(cached)s but its entries sum to %(computed)s")
        % {"id": account_id, "cached": yuan(cached), "computed": yuan(computed)}
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
        named = {"id": withdrawal_id, "status": WithdrawalStatus(status).label}
        if withdrawal_id not in requested:
            breaks.append(gettext("withdrawal %(id)s has no reservation in the ledger") % named)
        if (withdrawal_id in paid) != (status == WithdrawalStatus.PAID):
            breaks.append(
                (
                    gettext("withdrawal %(id)s is %(status)s but the ledger has its payout")
                    if withdrawal_id in paid
                    else gettext("withdrawal %(id)s is %(status)s but the ledger has no payout for it")
                )
                % named
            )
        returns = status in (WithdrawalStatus.REJECTED, WithdrawalStatus.FAILED)
        if (withdrawal_id in returned) != returns:
            breaks.append(
                (
                    gettext("withdrawal %(id)s is %(status)s but the ledger returned its money")
                    if withdrawal_id in returned
                    else gettext("withdrawal %(id)s is %(status)s but the ledger never returned its money")
                )
                % named
            )
    return breaks


def check_withheld_tax_matches_the_ledger() -> list[str]:
    """The income tax withheld (预扣个税) is in the ledger as the withdrawals
    say: each standing withdrawal's tax is held in tax payable, a rejected or
    failed one's came back with its money, and the tax payable account holds
    exactly the standing withdrawals' tax (nothing is remitted from it yet)."""
    held = defaultdict(int)
    for key, kind, amount in ledger_entries_with_key_prefix("withdrawal-"):
        if kind == AccountKind.PLATFORM_TAX_PAYABLE:
            held[int(key.rsplit(":", 1)[1])] -= amount  # a credit holds it, a debit gives it back
    breaks = []
    standing_total = 0
    rows = Withdrawal.objects.filter(Q(tax_amount__gt=0) | Q(pk__in=list(held))).values_list(
        "pk", "tax_amount", "status"
    )
    for pk, tax_amount, status in rows.iterator(chunk_size=5_000):
        expected = 0 if status in (WithdrawalStatus.REJECTED, WithdrawalStatus.FAILED) else tax_amount
        standing_total += expected
        if held[pk] != expected:
            breaks.append(
                gettext(
                    "withdrawal %(id)s (%(status)s) should hold %(expected)s of tax withheld, the ledger holds %(held)s"
                )
                % {
                    "id": pk,
                    "status": WithdrawalStatus(status).label,
                    "expected": yuan(expected),
                    "held": yuan(held[pk]),
                }
            )
    balance = ledger_totals_by_kind(kinds=[AccountKind.PLATFORM_TAX_PAYABLE])[AccountKind.PLATFORM_TAX_PAYABLE]
    if balance != standing_total:
        breaks.append(
            gettext("tax payable holds %(balance)s but the withdrawals withheld %(withheld)s")
            % {"balance": yuan(balance), "withheld": yuan(standing_total)}
        )
    return breaks


def check_no_withdrawal_paid_twice() -> list[str]:
    """At most one payout item per withdrawal (a unique constraint too), and
    every payout the provider made (as its ``payouts_made`` says) is recorded
    against its item (one that is not yet recorded means a worker died
    mid-payout: the next run records it)."""
    breaks = [
        gettext("withdrawal %(id)s has %(count)s payout items") % {"id": row["withdrawal_id"], "count": row["n"]}
        for row in PayoutItem.objects.values("withdrawal_id").annotate(n=Count("id")).filter(n__gt=1)
    ]
    recorded = set(PayoutItem.objects.filter(outcome="paid").values_list("reference", flat=True))
    try:
        for reference in payout_provider().payouts_made():
            if reference not in recorded:
                breaks.append(
                    gettext("the provider paid %(reference)s, but no payout item records it as paid")
                    % {"reference": reference}
                )
    except PayoutProviderUnavailable as error:  # unproven is not passed: the run says so, and alerts
        breaks.append(gettext("the payout provider could not say what it paid: %(error)s") % {"error": error})
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
            breaks.append(
                gettext("commission %(id)s earned %(amount)s but the ledger credited %(ledger)s")
                % {"id": pk, "amount": yuan(amount), "ledger": yuan(accrued[pk])}
            )
        if released[pk] != reversed_amount:
            breaks.append(
                gettext("commission %(id)s reversed %(amount)s but the ledger released %(ledger)s")
                % {"id": pk, "amount": yuan(reversed_amount), "ledger": yuan(released[pk])}
            )
        if clawed[pk] != clawed_back_amount:
            breaks.append(
                gettext("commission %(id)s clawed back %(amount)s but the ledger took %(ledger)s")
                % {"id": pk, "amount": yuan(clawed_back_amount), "ledger": yuan(clawed[pk])}
            )
        if (pk in settled) != (state == CommissionState.SETTLED):
            breaks.append(
                (
                    gettext("commission %(id)s is %(state)s but the ledger settled it")
                    if pk in settled
                    else gettext("commission %(id)s is %(state)s but the ledger never settled it")
                )
                % {"id": pk, "state": CommissionState(state).label}
            )
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
        gettext("order line %(id)s pays out %(total)s on a margin of %(margin)s")
        % {"id": pk, "total": yuan(total), "margin": yuan(paid - cost * quantity)}
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
    return [
        gettext("order %(number)s is paid but its payment was never posted to the ledger") % {"number": order.number}
        for order in missing
    ]


def check_paid_orders_commissions_decided() -> list[str]:
    """Every paid order's commissions were decided by the engine (made, or
    none with the reason recorded), once the consumers have had time.
    Missing means the engine never handled the payment."""
    missing = (
        Order.objects.filter(paid_at__lt=_grace(), awaiting_group=False)  # 拼团: decided with its group
        .exclude(Exists(CommissionDecision.objects.filter(order_id=OuterRef("pk"))))
        .order_by("pk")
        .only("pk", "created_at")[:100]
    )
    return [
        gettext("order %(number)s is paid but who earns on it was never decided") % {"number": order.number}
        for order in missing
    ]


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
    return [
        gettext("refund %(id)s of order %(number)s has no reversal in the ledger")
        % {"id": refund.pk, "number": refund.order.number}
        for refund in missing
    ]


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
    return [
        gettext("commission %(id)s of completed order %(number)s has no maturity date")
        % {"id": row.pk, "number": row.order.number}
        for row in stuck
    ]


def check_events_handled() -> list[str]:
    """Every event is handled by every consumer of its type within
    ``EVENTS_LAG_ALERT_MINUTES``; a parked event is a break until an
    operator retries it."""
    breaks = []
    for name in sorted(event_consumers()):
        for event, receipt in events_unhandled(consumer=name, before=_grace(), limit=20):
            named = {
                "event": f"{event.pk} ({event.type}, {event.aggregate_type} {event.aggregate_id})",
                "consumer": name,
            }
            if receipt is not None and receipt.status == "parked":
                breaks.append(
                    gettext("event %(event)s is parked at %(consumer)s after %(attempts)s attempts: %(error)s")
                    % {**named, "attempts": receipt.attempts, "error": receipt.last_error[:120]}
                )
            else:
                since = timezone.localtime(event.created_at)
                breaks.append(
                    gettext("event %(event)s has not been handled by %(consumer)s since %(since)s")
                    % {**named, "since": f"{since:%Y-%m-%d %H:%M:%S}"}
                )
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
        gettext(
            "order %(number)s (id %(id)s) was cancelled after paying %(paid)s, "
            "but %(refunded)s is refunded and %(coming)s on its way"
        )
        % {
            "number": order.number,
            "id": order.pk,
            "paid": yuan(order.paid_amount),
            "refunded": yuan(order.refunded),
            "coming": yuan(order.coming),
        }
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
    back, less what the funders already paid from their own money (the
    offsets below)."""
    charged, returned = defaultdict(int), defaultdict(int)
    offset, offset_back, payable_offset = defaultdict(int), defaultdict(int), defaultdict(int)
    for key, kind, amount in ledger_entries_with_key_prefix("coupon-"):
        if kind not in COUPON_DISCOUNT_KINDS:
            continue
        what, item_id = key.split(":")[0], int(key.rsplit(":", 1)[1])
        if what == "coupon-charge":
            charged[item_id] += amount  # a debit
        elif what == "coupon-return":
            returned[item_id] += -amount  # a credit
        elif what == "coupon-offset":
            offset[item_id] += -amount  # a credit: the reseller paid it
        elif what == "coupon-offset-return":
            offset_back[item_id] += amount  # a debit: the reseller got it back
        elif what == "coupon-payable-offset":
            payable_offset[item_id] += -amount  # a credit: taken from the supplier's payable (by line)
    shares = (
        OrderDiscount.objects.filter(order__paid_at__isnull=False)
        .values("claim_id", "funder")
        .annotate(amount=Sum("amount"), returned=Sum("returned_amount"))
        .values_list("claim_id", "funder", "amount", "returned")
    )
    breaks, seen = [], set()
    for claim_id, funder, amount, returned_amount in shares.iterator(chunk_size=5_000):
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
        paid_by_reseller = (offset[claim_id], offset_back[claim_id])
        if funder == CouponFunder.RESELLER and paid_by_reseller != (amount, returned_amount):
            breaks.append(
                f"reseller coupon {claim_id} took {yuan(amount)} and gave back {yuan(returned_amount)}, "
                f"but its reseller's withdrawable money paid {yuan(paid_by_reseller[0])} "
                f"and got back {yuan(paid_by_reseller[1])}"
            )
        if funder != CouponFunder.RESELLER and any(paid_by_reseller):
            breaks.append(f"coupon {claim_id} is not a reseller's, but a reseller's money paid for it")
    breaks += [
        f"coupon {claim_id} was charged {yuan(charged[claim_id])} but no paid order used it"
        for claim_id in sorted(set(charged) - seen)
    ]
    breaks += _supplier_coupon_offset_breaks(payable_offset)
    outstanding = (
        sum(charged.values())
        - sum(returned.values())
        - sum(offset.values())
        + sum(offset_back.values())
        - sum(payable_offset.values())
    )
    balances = sum(ledger_totals_by_kind(kinds=sorted(COUPON_DISCOUNT_KINDS)).values())
    if balances != outstanding:
        breaks.append(f"the coupon discount accounts hold {yuan(balances)} but coupons took {yuan(outstanding)} net")
    return breaks


def _supplier_coupon_offset_breaks(payable_offset: dict[int, int]) -> list[str]:
    """A supplier's coupons are taken from its payable, line by line, when
    the payable is posted: each line with a payable took exactly its
    supplier coupons' shares less what refunds gave back; a line without one
    took nothing yet."""
    funded = defaultdict(int)
    for line_id, amount, returned_amount in (
        OrderDiscount.objects.filter(funder=CouponFunder.SUPPLIER, order__paid_at__isnull=False)
        .filter(Exists(SupplierPayable.objects.filter(order_line_id=OuterRef("line_id"))))
        .values_list("line_id", "amount", "returned_amount")
        .iterator(chunk_size=5_000)
    ):
        funded[line_id] += amount - returned_amount
    return [
        f"order line {line_id}: its supplier's coupons took {yuan(funded[line_id])} net, "
        f"its payable was reduced by {yuan(payable_offset[line_id])}"
        for line_id in sorted(set(funded) | set(payable_offset))
        if funded[line_id] != payable_offset[line_id]
    ]


CHECKS: list[tuple[Promise, Callable[[], list[str]]]] = [
    (_("every ledger transaction balances"), check_transactions_balance),
    (_("every cached balance equals the sum of its entries"), check_cached_balances),
    (_("every commission's state matches its ledger entries"), check_commissions_match_the_ledger),
    (_("per order line, commissions and markup stay within the margin"), check_commissions_within_margin),
    (_("every withdrawal's state matches its ledger entries"), check_withdrawals_match_the_ledger),
    (_("no withdrawal is paid twice"), check_no_withdrawal_paid_twice),
    (_("the income tax withheld matches the ledger's tax payable"), check_withheld_tax_matches_the_ledger),
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
    """Every check's breaks, as sentences in the deployment's language
    (``LANGUAGE_CODE``: the operators'), whoever runs it: a command, a
    worker, or a request in another language with tasks run in process."""
    with translation.override(settings.LANGUAGE_CODE):
        return [CheckResult(name, check()) for name, check in CHECKS]


def reconciliation_record() -> ReconciliationRun:
    """Run every check and record the run (at most 100 breaks a check); on a
    break, log an error: the admin's front page and /ops/money/ show it."""
    results = reconcile()
    with transaction.atomic():
        previous = ReconciliationRun.objects.order_by("-ran_at", "-id").first()
        run = ReconciliationRun.objects.create(
            ok=all(result.ok for result in results), breaks={result.key: result.breaks[:100] for result in results}
        )
        broken = sorted(key for key, breaks in run.breaks.items() if breaks)
        already = {key for key, breaks in (previous.breaks if previous else {}).items() if breaks}
        if set(broken) - already:  # operators are told when a check breaks, not every hour it stays broken
            reconcile_broken_emit(run_id=run.pk, checks=broken)
    if not run.ok:
        logger.error(
            "reconciliation found breaks: %s",
            {result.key: len(result.breaks) for result in results if not result.ok},
        )
    return run
