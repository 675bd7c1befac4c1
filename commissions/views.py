"""The reseller's money page (phone) and the operators' money report."""

from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from distribution.decorators import reseller_required
from ledger.choices import AccountKind
from ledger.selectors import ledger_totals_by_kind
from socialshop.csvexport import spreadsheet_writer
from socialshop.errors import DomainError
from socialshop.events import event_consumers_lag, task_wake
from socialshop.money import fen_to_yuan

from .choices import CommissionState, PayoutBatchStatus, WithdrawalStatus
from .forms import WithdrawForm
from .models import Commission, PayoutBatch, ReconciliationRun, Withdrawal
from .reconciliation import check_label
from .selectors import commission_list_for_reseller, earnings_by_day, money_summary, statement_lines
from .services.withdrawals import withdrawal_request
from .tasks import reconcile_task

COMMISSION_PAGE_SIZE = 20
WITHDRAWAL_HISTORY_SIZE = 10
CHART_DAYS = 30


def _chart(days):
    """Bars of a server-drawn SVG chart (no JavaScript), 100 units tall at
    the best day, on a 105-unit canvas."""
    peak = max((day.amount for day in days), default=0) or 1
    bars = []
    for index, day in enumerate(days):
        height = round(max(day.amount, 0) / peak * 100, 1)
        bars.append({"x": index * 10, "y": 105 - height, "height": height, "day": day.day, "amount": day.amount})
    return bars


@reseller_required
@require_http_methods(["GET", "POST"])
def money(request, reseller):
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            withdrawal_request(reseller=reseller, amount=form.cleaned_data["amount"])
        except DomainError as error:
            form.add_error("amount", error.message)
        else:
            messages.success(request, _("Withdrawal requested: an operator will review it."))
            return redirect("commissions:money")
    days = earnings_by_day(reseller_id=reseller.pk, days=CHART_DAYS)
    commissions = Paginator(commission_list_for_reseller(reseller_id=reseller.pk), COMMISSION_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "commissions/money.html",
        {
            "reseller": reseller,
            "summary": money_summary(reseller_id=reseller.pk),
            "form": form,
            "bars": _chart(days),
            "chart_total": sum(day.amount for day in days),
            "commissions": commissions,
            "withdrawals": Withdrawal.objects.filter(reseller=reseller)[:WITHDRAWAL_HISTORY_SIZE],
        },
        status=400 if request.method == "POST" else 200,
    )


@reseller_required
@require_GET
def statement_csv(request, reseller):
    """Every movement of the reseller's money as CSV (opens in Excel/WPS:
    UTF-8 with a byte-order mark)."""
    writer = spreadsheet_writer()
    names = {
        AccountKind.RESELLER_FROZEN: _("frozen"),
        AccountKind.RESELLER_WITHDRAWABLE: _("withdrawable"),
        AccountKind.RESELLER_WITHDRAWAL_PENDING: _("withdrawal pending"),
    }

    def rows():
        yield "\ufeff" + writer.writerow([_("time"), _("balance"), _("what"), _("amount (yuan)")])
        for line in statement_lines(reseller_id=reseller.pk):
            yield writer.writerow(
                [
                    timezone.localtime(line.at).strftime("%Y-%m-%d %H:%M:%S"),
                    names.get(line.account_kind, line.account_kind),
                    line.description,
                    fen_to_yuan(line.amount),
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="statement-{reseller.invite_code}.csv"'
    return response


def _commissions_by_state() -> list[tuple[str, int]]:
    counts = dict(Commission.objects.values("state").annotate(n=Count("id")).values_list("state", "n"))
    return [(label, counts.get(state, 0)) for state, label in CommissionState.choices]


@staff_member_required
@require_GET
def money_report(request):
    """Operators: what the platform owes resellers (commission liability),
    the payout batches, and the books' last reconciliation."""
    liability = ledger_totals_by_kind(
        kinds=[
            AccountKind.RESELLER_FROZEN,
            AccountKind.RESELLER_WITHDRAWABLE,
            AccountKind.RESELLER_WITHDRAWAL_PENDING,
            AccountKind.SUPPLIER_PAYABLE,
        ]
    )
    reconciliation = ReconciliationRun.objects.first()
    return render(
        request,
        "commissions/money_report.html",
        {
            **admin.site.each_context(request),  # the admin's header, user tools and menu around the page
            "frozen": liability.get(AccountKind.RESELLER_FROZEN, 0),
            "withdrawable": liability.get(AccountKind.RESELLER_WITHDRAWABLE, 0),
            "pending": liability.get(AccountKind.RESELLER_WITHDRAWAL_PENDING, 0),
            "supplier_payable": liability.get(AccountKind.SUPPLIER_PAYABLE, 0),
            "commissions_by_state": _commissions_by_state(),
            "withdrawals_waiting": Withdrawal.objects.filter(status=WithdrawalStatus.REQUESTED).count(),
            "batches": PayoutBatch.objects.annotate(items_count=Count("items"), paid=Sum("items__amount"))[:20],
            "open_batches": PayoutBatch.objects.filter(status=PayoutBatchStatus.OPEN).count(),
            "reconciliation": reconciliation,
            "reconciliation_breaks": [
                (check_label(check), found)
                for check, found in (reconciliation.breaks if reconciliation else {}).items()
                if found
            ],
            "event_lags": event_consumers_lag(),
            "title": _("Money report"),
        },
    )


@staff_member_required
@require_POST
def reconcile_now(request):
    """Operators: prove the books now rather than at the next hourly run. The
    run goes to a worker (a big ledger takes longer than a request may) and
    its result shows on the money report; with tasks run in process (the
    embedded default) it is there at once."""
    task_wake(reconcile_task)  # never blocks on a broker that is down: the hourly run still comes
    messages.success(request, _("Reconciliation started: its result shows here when it is done."))
    return redirect(reverse("commissions:report") + "#reconciliation")
