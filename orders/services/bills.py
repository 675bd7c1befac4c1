"""The gateways' daily trade bills (交易账单) reconciled line by line.

Each enabled provider answers its bill of a Beijing day
(``PaymentProvider.trade_bill``); every line must match what we recorded
(a succeeded payment session, by our reference, with the same amount and
the gateway's transaction id; a succeeded refund, by our refund reference,
with the same amount), and everything we recorded that day must be on the
bill. Each mismatch is a break naming the transaction, stored in a
``PaymentBillCheck`` that reconcile reports (commissions/reconciliation.py).
"""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from socialshop.money import format_yuan as yuan

from ..choices import PaymentSessionStatus, RefundStatus
from ..models import PaymentBillCheck, PaymentIssue, PaymentSession, Refund
from ..providers import BillLine, payment_providers


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))  # the current time zone: Beijing
    return start, start + timedelta(days=1)


def payment_bill_compare(*, provider: str, bill_date: date, lines: list[BillLine]) -> list[str]:
    """Breaks between a bill's lines and our records of that provider and day."""
    breaks = []
    payments = {line.reference: line for line in lines if line.kind == "payment"}
    refunds = {line.reference: line for line in lines if line.kind == "refund"}
    sessions = {
        session.reference: session
        for session in PaymentSession.objects.filter(reference__in=payments, provider=provider)
    }
    for reference, line in payments.items():
        session = sessions.get(reference)
        if session is None or session.status != PaymentSessionStatus.SUCCEEDED:
            breaks.append(
                f"payment {reference} ({line.provider_reference}): on the bill for {yuan(line.amount)}, "
                "not recorded as paid by us"
            )
        elif session.amount != line.amount:
            breaks.append(
                f"payment {reference} ({line.provider_reference}): the bill says {yuan(line.amount)}, "
                f"we recorded {yuan(session.amount)}"
            )
        elif session.provider_transaction_id != line.provider_reference:
            breaks.append(
                f"payment {reference}: the bill's transaction {line.provider_reference} is not ours "
                f"({session.provider_transaction_id})"
            )
    ours = {
        refund.reference: refund.amount
        for refund in Refund.objects.filter(reference__in=refunds, status=RefundStatus.SUCCEEDED)
    }
    ours.update(
        (issue.refund_reference, issue.session.amount)
        for issue in PaymentIssue.objects.filter(refund_reference__in=refunds).select_related("session")
    )
    for reference, line in refunds.items():
        if reference not in ours:
            breaks.append(
                f"refund {reference} ({line.provider_reference}): on the bill for {yuan(line.amount)}, "
                "not recorded as refunded by us"
            )
        elif ours[reference] != line.amount:
            breaks.append(
                f"refund {reference} ({line.provider_reference}): the bill says {yuan(line.amount)}, "
                f"we recorded {yuan(ours[reference])}"
            )
    start, end = _day_bounds(bill_date)
    for reference, transaction_id, amount in PaymentSession.objects.filter(
        provider=provider, status=PaymentSessionStatus.SUCCEEDED, payment__paid_at__gte=start, payment__paid_at__lt=end
    ).values_list("reference", "provider_transaction_id", "amount"):
        if reference not in payments:
            breaks.append(f"payment {reference} ({transaction_id}): paid {yuan(amount)} by our books, not on the bill")
    for reference, amount in Refund.objects.filter(
        order__payment__provider=provider, status=RefundStatus.SUCCEEDED, refunded_at__gte=start, refunded_at__lt=end
    ).values_list("reference", "amount"):
        if reference not in refunds:
            breaks.append(f"refund {reference}: refunded {yuan(amount)} by our books, not on the bill")
    return breaks


def payment_bills_reconcile(*, bill_date: date | None = None) -> list[PaymentBillCheck]:
    """Fetch every enabled provider's bill of ``bill_date`` (yesterday,
    Beijing, by default) and record its comparison; run again, it replaces
    that day's record (a corrected bill clears its breaks)."""
    bill_date = bill_date or timezone.localdate() - timedelta(days=1)
    checks = []
    for name, provider in payment_providers().items():
        lines = provider.trade_bill(bill_date=bill_date)
        check, _created = PaymentBillCheck.objects.update_or_create(
            provider=name,
            bill_date=bill_date,
            defaults={
                "lines": len(lines),
                "breaks": payment_bill_compare(provider=name, bill_date=bill_date, lines=lines),
            },
        )
        checks.append(check)
    return checks


def payment_bill_breaks(*, days: int = 7, now: datetime | None = None) -> list[str]:
    """What the gateways' bills of the last ``days`` days did not agree with,
    and the bills not checked: for each enabled real gateway, yesterday's bill
    is due once its beat task has run (11:00 Beijing)."""
    now = timezone.localtime(now)
    since = now.date() - timedelta(days=days)
    breaks = [
        f"{check.provider} bill of {check.bill_date}: {line}"
        for check in PaymentBillCheck.objects.filter(bill_date__gte=since).exclude(breaks=[])
        for line in check.breaks
    ]
    if now.hour >= 11:
        yesterday = now.date() - timedelta(days=1)
        start, _end = _day_bounds(yesterday)
        checked = set(PaymentBillCheck.objects.filter(bill_date=yesterday).values_list("provider", flat=True))
        # a gateway in use (a payment opened with it before yesterday ended) whose bill nobody read
        in_use = set(
            PaymentSession.objects.filter(created_at__lt=start + timedelta(days=1))
            .exclude(provider="sandbox")
            .values_list("provider", flat=True)
            .distinct()
        )
        breaks += [
            f"{name} bill of {yesterday}: not checked"
            for name in payment_providers()
            if name in in_use and name not in checked
        ]
    return breaks
