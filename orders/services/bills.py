"""The gateways' daily trade bills (交易账单) reconciled line by line.

Each enabled provider answers its bill of a Beijing day
(``PaymentProvider.trade_bill``); every line must match what we recorded
(a succeeded payment session, by our reference, with the same amount and
the gateway's transaction id; a succeeded refund, by our refund reference,
with the same amount), and everything we recorded that day must be on the
bill. Each mismatch is a break naming the transaction, stored in a
``PaymentBillCheck`` that reconcile reports (commissions/reconciliation.py).
Breaks are sentences for operators, in the language active when they are
written (the deployment's, ``LANGUAGE_CODE``, in a worker or a command).
"""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socialshop.money import format_yuan as yuan

from ..choices import PaymentSessionStatus, RefundStatus
from ..models import PaymentBillCheck, PaymentIssue, PaymentSession, Refund
from ..providers import BillLine, payment_providers

PROVIDER_LABELS = {"wechat": gettext_lazy("WeChat Pay"), "alipay": gettext_lazy("Alipay")}


def _provider_label(name: str) -> str:
    return str(PROVIDER_LABELS.get(name, name))


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
                _("payment %(reference)s (%(transaction)s): on the bill for %(amount)s, not recorded as paid by us")
                % {"reference": reference, "transaction": line.provider_reference, "amount": yuan(line.amount)}
            )
        elif session.amount != line.amount:
            breaks.append(
                _("payment %(reference)s (%(transaction)s): the bill says %(billed)s, we recorded %(ours)s")
                % {
                    "reference": reference,
                    "transaction": line.provider_reference,
                    "billed": yuan(line.amount),
                    "ours": yuan(session.amount),
                }
            )
        elif session.provider_transaction_id != line.provider_reference:
            breaks.append(
                _("payment %(reference)s: the bill's transaction %(transaction)s is not ours (%(ours)s)")
                % {
                    "reference": reference,
                    "transaction": line.provider_reference,
                    "ours": session.provider_transaction_id,
                }
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
                _("refund %(reference)s (%(transaction)s): on the bill for %(amount)s, not recorded as refunded by us")
                % {"reference": reference, "transaction": line.provider_reference, "amount": yuan(line.amount)}
            )
        elif ours[reference] != line.amount:
            breaks.append(
                _("refund %(reference)s (%(transaction)s): the bill says %(billed)s, we recorded %(ours)s")
                % {
                    "reference": reference,
                    "transaction": line.provider_reference,
                    "billed": yuan(line.amount),
                    "ours": yuan(ours[reference]),
                }
            )
    start, end = _day_bounds(bill_date)
    for reference, transaction_id, amount in PaymentSession.objects.filter(
        provider=provider, status=PaymentSessionStatus.SUCCEEDED, payment__paid_at__gte=start, payment__paid_at__lt=end
    ).values_list("reference", "provider_transaction_id", "amount"):
        if reference not in payments:
            breaks.append(
                _("payment %(reference)s (%(transaction)s): paid %(amount)s by our books, not on the bill")
                % {"reference": reference, "transaction": transaction_id, "amount": yuan(amount)}
            )
    for reference, amount in Refund.objects.filter(
        order__payment__provider=provider, status=RefundStatus.SUCCEEDED, refunded_at__gte=start, refunded_at__lt=end
    ).values_list("reference", "amount"):
        if reference not in refunds:
            breaks.append(
                _("refund %(reference)s: refunded %(amount)s by our books, not on the bill")
                % {"reference": reference, "amount": yuan(amount)}
            )
    return breaks


def payment_bills_reconcile(*, bill_date: date | None = None) -> list[PaymentBillCheck]:
    """Fetch every enabled provider's bill of ``bill_date`` (yesterday,
    Beijing, by default) and record its comparison; run again, it replaces
    that day's record (a corrected bill clears its breaks)."""
    bill_date = bill_date or timezone.localdate() - timedelta(days=1)
    checks = []
    for name, provider in payment_providers().items():
        lines = provider.trade_bill(bill_date=bill_date)
        with translation.override(settings.LANGUAGE_CODE):  # stored as operators read them
            breaks = payment_bill_compare(provider=name, bill_date=bill_date, lines=lines)
        check, _created = PaymentBillCheck.objects.update_or_create(
            provider=name, bill_date=bill_date, defaults={"lines": len(lines), "breaks": breaks}
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
        _("%(provider)s bill of %(day)s: %(break)s")
        % {"provider": _provider_label(check.provider), "day": check.bill_date, "break": line}
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
            _("%(provider)s bill of %(day)s: not checked") % {"provider": _provider_label(name), "day": yesterday}
            for name in payment_providers()
            if name in in_use and name not in checked
        ]
    return breaks
