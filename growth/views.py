"""The reseller's customer book (锁粉客户) and numbers (数据), and the
operators' dashboard (/ops/). Phone first; figures from the roll-ups."""

import io

from django.contrib import messages
from django.contrib.admin import site as admin_site
from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from openpyxl import Workbook

from commissions.views import _chart as bar_chart  # the money page's server-drawn SVG bar chart
from distribution.decorators import reseller_required
from distribution.selectors import distribution_settings_get
from socialshop.csvexport import spreadsheet_cell, spreadsheet_writer
from socialshop.errors import DomainError
from socialshop.forms import query_text
from socialshop.money import fen_to_yuan

from .choices import CustomerFilter, RankMeasure
from .forms import CustomerNoteForm, DateRangeForm, ReminderForm
from .models import RankingOptIn
from .selectors import (
    FUNNEL_PERIODS,
    channels_best,
    customer_book,
    customer_get,
    customer_note_get,
    customer_row,
    dashboard,
    funnel,
    period_start,
    products_best,
    ranking,
    reminders_for_customer,
    sales_by_day,
)
from .services import customer_note_save, ranking_opt_in_set, reminder_add, reminder_done

CUSTOMER_PAGE_SIZE = 20
SEARCH_MAX_LENGTH = 30


@reseller_required
@require_GET
def customer_list(request, reseller):
    """锁粉客户: the reseller's bound customers, a filter and a search. A
    constant number of queries whatever their number."""
    view = query_text(request, "view", max_length=10)
    if view not in CustomerFilter.values:
        view = ""
    query = query_text(request, "q", max_length=SEARCH_MAX_LENGTH)
    page_obj = Paginator(customer_book(reseller=reseller, view=view, query=query), CUSTOMER_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    lifetime = distribution_settings_get().binding_lifetime
    return render(
        request,
        "growth/customers.html",
        {
            "tab": "workbench",
            "page_obj": page_obj,
            "rows": [customer_row(binding, lifetime=lifetime) for binding in page_obj.object_list],
            "filters": CustomerFilter.choices,
            "view": view,
            "query": query,
        },
    )


def _customer_or_404(reseller, customer_id):
    binding = customer_get(reseller=reseller, customer_id=customer_id)
    if binding is None:
        raise Http404
    return binding


def _customer_page(request, reseller, binding, *, note_form=None, reminder_form=None, status=200):
    note = customer_note_get(reseller=reseller, customer_id=binding.customer_id)
    return render(
        request,
        "growth/customer.html",
        {
            "tab": "workbench",
            "row": customer_row(binding, lifetime=distribution_settings_get().binding_lifetime),
            "note_form": note_form
            or CustomerNoteForm(initial={"tags": note.tags if note else "", "note": note.note if note else ""}),
            "reminder_form": reminder_form or ReminderForm(),
            "reminders": reminders_for_customer(reseller=reseller, customer_id=binding.customer_id),
        },
        status=status,
    )


@reseller_required
@require_http_methods(["GET", "POST"])
def customer_detail(request, reseller, customer_id: int):
    """One customer: what the book knows, tags and the private note (POST
    saves them), open reminders and a form to add one."""
    binding = _customer_or_404(reseller, customer_id)
    if request.method == "POST":
        form = CustomerNoteForm(request.POST)
        if form.is_valid():
            customer_note_save(reseller=reseller, customer_id=customer_id, **form.cleaned_data)
            messages.success(request, _("Saved."))
            return redirect("growth:customer", customer_id=customer_id)
        return _customer_page(request, reseller, binding, note_form=form, status=400)
    return _customer_page(request, reseller, binding)


@reseller_required
@require_POST
def reminder_create(request, reseller, customer_id: int):
    binding = _customer_or_404(reseller, customer_id)
    form = ReminderForm(request.POST)
    if not form.is_valid():
        return _customer_page(request, reseller, binding, reminder_form=form, status=400)
    reminder_add(reseller=reseller, customer_id=customer_id, **form.cleaned_data)
    messages.success(request, _("Reminder set: it shows on your workbench on that day."))
    return redirect("growth:customer", customer_id=customer_id)


@reseller_required
@require_POST
def reminder_finish(request, reseller, reminder_id: int):
    try:
        reminder_done(reseller=reseller, reminder_id=reminder_id)
    except DomainError as error:
        raise Http404 from error
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/my-shop/") and "//" not in back else "commissions:workbench")


@reseller_required
@require_GET
def numbers(request, reseller):
    """数据: the funnel for 7, 30 or 90 days, sales by day, the best channels
    and products, and the ranking among peers by sales and new customers.
    A constant number of queries."""
    days = query_text(request, "days", max_length=3)
    days = int(days) if days.isdigit() and int(days) in FUNNEL_PERIODS else 30
    today = timezone.localdate()
    first = period_start(days, today)
    figures = funnel(first=first, last=today, reseller_id=reseller.pk)
    by_sales, my_sales_rank = ranking(reseller_id=reseller.pk, days=days, by=RankMeasure.SALES)
    by_new, my_new_rank = ranking(reseller_id=reseller.pk, days=days, by=RankMeasure.NEW_BINDINGS)
    top = max((value for _, value in figures.steps), default=0)
    return render(
        request,
        "growth/numbers.html",
        {
            "tab": "workbench",
            "days": days,
            "periods": FUNNEL_PERIODS,
            "figures": figures,
            "steps": [
                {"key": key, "value": value, "width": round(value * 100 / top) if top else 0}
                for key, value in figures.steps
            ],
            "chart": bar_chart(sales_by_day(first=first, last=today, reseller_id=reseller.pk)),
            "channels": channels_best(reseller_id=reseller.pk, first=first, last=today),
            "products": products_best(first=first, last=today, reseller_id=reseller.pk),
            "by_sales": by_sales,
            "my_sales_rank": my_sales_rank,
            "by_new": by_new,
            "my_new_rank": my_new_rank,
            "shown": RankingOptIn.objects.filter(reseller=reseller).exists(),
        },
    )


@reseller_required
@require_POST
def ranking_visibility(request, reseller):
    ranking_opt_in_set(reseller=reseller, shown=request.POST.get("shown") == "1")
    return redirect("growth:numbers")


def _period(request) -> tuple[DateRangeForm, object]:
    form = DateRangeForm(request.GET)
    if not form.is_valid():
        return form, None
    first, last = form.cleaned_data["first"], form.cleaned_data["last"]
    form = DateRangeForm({"first": first, "last": last})  # the period shown, defaults filled in
    return form, dashboard(first=first, last=last)


@staff_member_required
@require_GET
def dashboard_page(request):
    """Operators: GMV, paid orders, average order, refunds, active resellers
    and shops, commission liability by state, the platform's funnel, GMV by
    day and the top resellers, products and suppliers for a period."""
    form, board = _period(request)
    return render(
        request,
        "growth/dashboard.html",
        {
            **admin_site.each_context(request),
            "title": _("Operations dashboard"),
            "form": form,
            "board": board,
            "chart": bar_chart(board.gmv_by_day) if board else None,
            "query": request.GET.urlencode(),
        },
        status=200 if board else 400,
    )


def _dashboard_rows(board) -> list[list]:
    """The dashboard's figures and top lists as spreadsheet rows (yuan, Beijing days)."""
    rows = [
        [_("Period"), f"{board.first:%Y-%m-%d}", f"{board.last:%Y-%m-%d}"],
        [_("GMV (yuan)"), fen_to_yuan(board.gmv_amount)],
        [_("Paid orders"), board.paid_orders],
        [_("Average order (yuan)"), fen_to_yuan(board.average_order_amount)],
        [_("Refunds (yuan)"), fen_to_yuan(board.refunds_amount)],
        [_("Active resellers"), board.active_resellers],
        [_("Open shops"), board.open_shops],
    ]
    rows += [
        [_("Commission liability by state") + f" · {label}", fen_to_yuan(amount)] for label, amount in board.liability
    ]
    rows += [[], [_("Day"), _("GMV (yuan)")]]
    rows += [[f"{day.day:%Y-%m-%d}", fen_to_yuan(day.amount)] for day in board.gmv_by_day]
    rows += [[], [_("Top resellers"), _("Sales (yuan)"), _("Orders"), _("New customers")]]
    rows += [
        [row["name"], fen_to_yuan(row["sales_amount"]), row["orders"], row["new_bindings"]]
        for row in board.top_resellers
    ]
    rows += [[], [_("Top products"), _("Sales (yuan)"), _("Orders"), _("Visits")]]
    rows += [
        [row["title"], fen_to_yuan(row["sales_amount"]), row["orders"], row["visits"]] for row in board.top_products
    ]
    rows += [[], [_("Top suppliers"), _("Sales (yuan)"), _("Orders")]]
    rows += [[row["name"], fen_to_yuan(row["sales_amount"]), row["orders"]] for row in board.top_suppliers]
    return rows


def _refused(request, form):
    return render(request, "growth/dashboard.html", {**admin_site.each_context(request), "form": form}, status=400)


@staff_member_required
@require_GET
def dashboard_csv(request):
    """The dashboard's figures and top lists as one CSV (yuan, Beijing days)."""
    form, board = _period(request)
    if board is None:
        return _refused(request, form)
    writer = spreadsheet_writer()
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in _dashboard_rows(board)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="dashboard-{board.first:%Y%m%d}-{board.last:%Y%m%d}.csv"'
    return response


@staff_member_required
@require_GET
def dashboard_xlsx(request):
    """The same rows as an Excel workbook; every cell passes through
    ``spreadsheet_cell``, so a name cannot become a formula."""
    form, board = _period(request)
    if board is None:
        return _refused(request, form)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Operations dashboard")[:31])
    for row in _dashboard_rows(board):
        sheet.append([spreadsheet_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="dashboard-{board.first:%Y%m%d}-{board.last:%Y%m%d}.xlsx"'
    return response
