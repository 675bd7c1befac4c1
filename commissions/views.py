"""The reseller's pages that need money figures (phone): the workbench
(工作台, where a reseller lands), the pick catalogue (选品, with 预计赚), its
shop's orders (with 本单收益) and its money page; and the operators' money
report. They live here, above orders and shops, because the figures are the
commission engine's (docs/decisions.md)."""

import functools
import logging
from datetime import datetime, time

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog.selectors import category_list, product_list_on_sale
from distribution.decorators import reseller_required
from ledger.choices import AccountKind
from ledger.selectors import ledger_totals_by_kind
from orders.selectors import shop_order_get, shop_orders, shop_sales_since
from shops.calculations import line_price
from shops.models import ShopProduct
from shops.selectors import shop_for_user, shop_is_public, shop_sku_prices, shop_visitor_counts
from shops.sharing import absolute, product_share_path, shop_share_path
from socialshop.api.exceptions import error_body
from socialshop.csvexport import spreadsheet_writer
from socialshop.errors import DomainError, NotFound
from socialshop.events import event_consumers_lag, task_wake
from socialshop.forms import query_text
from socialshop.json_input import JsonInputRefused
from socialshop.money import InvalidAmount, fen_to_yuan, format_yuan, yuan_to_fen

from .choices import (
    CommissionState,
    GradeConditionKind,
    PayoutBatchStatus,
    PayoutItemOutcome,
    WithdrawalStatus,
    WithholdingRule,
)
from .forms import PayoutAccountForm, WithdrawForm
from .models import Commission, CommissionPlan, PayoutAccount, PayoutBatch, ReconciliationRun, Withdrawal
from .providers import PayoutNoticeInvalid, payout_provider
from .reconciliation import check_label
from .selectors import (
    commission_decided_orders,
    commission_earned_on_orders,
    commission_earned_since,
    commission_estimates_for_product,
    commission_list_for_reseller,
    commission_plan_in_effect,
    coupon_deductions_for_reseller,
    earnings_by_day,
    grade_progress,
    money_summary,
    statement_lines,
    withheld_tax_by_reseller,
)
from .services.payout_accounts import payout_account_add, payout_account_kinds, payout_account_remove
from .services.withdrawals import payout_outcome_apply, tax_period_of, withdrawal_request
from .services.withdrawals import withdrawal_quote as quote_for
from .tasks import reconcile_task

logger = logging.getLogger(__name__)

COMMISSION_PAGE_SIZE = 20
WITHDRAWAL_HISTORY_SIZE = 10
CHART_DAYS = 30
CATALOGUE_PAGE_SIZE = 20
SEARCH_MAX_LENGTH = 50
SHOP_ORDERS_SHOWN = 100


# --- the 30-day chart, drawn on the server --------------------------------------------

CHART_WIDTH, CHART_HEIGHT = 340, 170  # the SVG's own units; it scales to the page's width
CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = 44, 6, 8, 22  # room for the axes' labels
NICE_STEPS = (1, 2, 2.5, 5, 10)


def _nice_ceiling(amount: int) -> int:
    """The y axis' top in fen: a round number of yuan at or above ``amount``
    (¥1, ¥2, ¥2.50, ¥5, ¥10, ¥20 …), so its labels read well."""
    if amount <= 100:
        return 100
    magnitude = 100
    while magnitude * 10 < amount:
        magnitude *= 10
    return next(int(magnitude * step) for step in NICE_STEPS if magnitude * step >= amount)


def _chart(days):
    """A bar chart of the days' earnings as SVG coordinates (no JavaScript):
    a bar a day, the y axis in yuan (0, half, top: a round number), the x
    axis' dates (Beijing) every five days and on the last."""
    plot_width = CHART_WIDTH - CHART_LEFT - CHART_RIGHT
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    top = _nice_ceiling(max((day.amount for day in days), default=0))
    slot = plot_width / max(len(days), 1)
    bars = []
    for index, day in enumerate(days):
        height = round(max(day.amount, 0) / top * plot_height, 1)
        bars.append(
            {
                "x": round(CHART_LEFT + index * slot + slot * 0.15, 1),
                "y": round(CHART_TOP + plot_height - height, 1),
                "width": round(slot * 0.7, 1),
                "height": height,
                "day": day.day,
                "amount": day.amount,
                # the last date ends at the axis' end rather than past it
                "label_x": round(CHART_LEFT + index * slot + slot / 2, 1) if index < len(days) - 1 else CHART_WIDTH,
                "label_anchor": "middle" if index < len(days) - 1 else "end",
                "labelled": (index % 5 == 0 and index < len(days) - 3) or index == len(days) - 1,
            }
        )
    ticks = [
        {"y": round(CHART_TOP + plot_height - plot_height * share, 1), "amount": amount}
        for share, amount in ((0, 0), (0.5, top // 2), (1, top))
    ]
    return {
        "bars": bars,
        "ticks": ticks,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": CHART_LEFT,
        "right": CHART_WIDTH - CHART_RIGHT,
        "top": CHART_TOP,
        "baseline": CHART_TOP + plot_height,
        "date_y": CHART_HEIGHT - 6,
    }


def _withdrawal_terms(plan) -> dict:
    """The plan's withdrawal terms, and the tax rule, as the money page states them."""
    return {
        "minimum_amount": plan.min_withdrawal_amount,
        "fee_fixed_amount": plan.withdrawal_fee_amount,
        "fee_percent": plan.withdrawal_fee_bps / 100,
        "fee_bps": plan.withdrawal_fee_bps,
        "tax_rule": settings.WITHHOLDING_RULE,
        "tax_percent": settings.WITHHOLDING_FLAT_RATE_BPS / 100,
    }


@reseller_required
@require_http_methods(["GET", "POST"])
def money(request, reseller):
    accounts = _payout_accounts(reseller)
    form = WithdrawForm(request.POST or None, accounts=accounts)
    typed = None  # an amount sent back with an error: the form shows its quote
    if request.method == "POST" and form.is_valid():
        typed = form.cleaned_data["amount"]
        try:
            withdrawal_request(
                reseller=reseller, amount=typed, payout_account_id=form.cleaned_data.get("payout_account")
            )
        except DomainError as error:
            form.add_error(
                "payout_account" if "payout_account" in error.fields and accounts else "amount", error.message
            )
        else:
            messages.success(request, _("Withdrawal requested: an operator will review it."))
            return redirect("commissions:money")
    days = earnings_by_day(reseller_id=reseller.pk, days=CHART_DAYS)
    plan = commission_plan_in_effect(at=timezone.now())
    commissions = Paginator(commission_list_for_reseller(reseller_id=reseller.pk), COMMISSION_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "commissions/money.html",
        {
            "tab": "money",
            "reseller": reseller,
            "summary": money_summary(reseller_id=reseller.pk),
            "coupon_deductions": coupon_deductions_for_reseller(reseller_id=reseller.pk),
            "form": form,
            "chart": _chart(days),
            "chart_total": sum(day.amount for day in days),
            "terms": _withdrawal_terms(plan),
            "quote": quote_for(reseller_id=reseller.pk, amount=typed, plan=plan) if typed else None,
            "commissions": commissions,
            "withdrawals": Withdrawal.objects.filter(reseller=reseller).select_related("payout")[
                :WITHDRAWAL_HISTORY_SIZE
            ],
            "payout_accounts": accounts,
            "needs_account": payout_provider().needs_account,
            "waiting_for_you": PayoutItemOutcome.PENDING,
        },
        status=400 if request.method == "POST" else 200,
    )


def _payout_accounts(reseller) -> list[PayoutAccount]:
    """The reseller's payout accounts a withdrawal may go to, latest first."""
    return list(
        PayoutAccount.objects.filter(
            reseller=reseller, removed_at__isnull=True, kind__in=payout_provider().account_kinds()
        )
    )


@reseller_required
@require_http_methods(["GET", "POST"])
def payout_accounts(request, reseller):
    """收款账户: the reseller's payout accounts, and adding one (WeChat when
    its log-in through WeChat gave us its openid; Alipay; a bank card)."""
    kinds = payout_account_kinds(reseller=reseller)
    form = PayoutAccountForm(request.POST or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        try:
            payout_account_add(reseller=reseller, **form.cleaned_data)
        except DomainError as error:
            for field, problems in (error.fields or {"kind": [error.message]}).items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, _("Payout account added."))
            return redirect(request.GET.get("next") == "money" and "commissions:money" or "commissions:payout_accounts")
    return render(
        request,
        "commissions/payout_accounts.html",
        {"tab": "money", "form": form, "accounts": _payout_accounts(reseller), "kinds": kinds},
        status=400 if request.method == "POST" else 200,
    )


@reseller_required
@require_POST
def payout_account_remove_view(request, reseller, account_id: int):
    try:
        payout_account_remove(reseller=reseller, account_id=account_id)
    except NotFound:
        raise Http404 from None
    messages.success(request, _("Payout account removed."))
    return redirect("commissions:payout_accounts")


@reseller_required
@require_GET
def withdrawal_accept(request, reseller, withdrawal_id: int):
    """确认收款: a WeChat transfer waits for its payee. Inside WeChat the
    page hands the transfer's package to WeChat (``requestMerchantTransfer``);
    elsewhere it says to open the page in WeChat."""
    withdrawal = (
        Withdrawal.objects.filter(pk=withdrawal_id, reseller=reseller, payout__outcome=PayoutItemOutcome.PENDING)
        .exclude(payout__package_info="")
        .select_related("payout")
        .first()
    )
    if withdrawal is None:
        raise Http404
    return render(
        request,
        "commissions/withdrawal_accept.html",
        {
            "tab": "money",
            "withdrawal": withdrawal,
            "item": withdrawal.payout,
            "mch_id": settings.WECHATPAY_MCHID,
            "app_id": settings.WECHATPAY_APPID,
            "in_wechat": "micromessenger" in request.headers.get("User-Agent", "").lower(),
        },
    )


@csrf_exempt
@require_POST
def payout_notify(request, channel: str):
    """A payout provider's notification (WeChat Pay's transfer outcome):
    refused with 400 (413 beyond the JSON limits), nothing changed, unless
    the provider verifies it; 404 for a transfer we never sent; 200 once
    applied or already applied, so the provider stops retrying."""
    try:
        notice = payout_provider().payout_notice_parse(channel=channel, body=request.body, headers=request.headers)
    except PayoutNoticeInvalid as error:
        logger.warning("payout notification refused from %s: %s", request.META.get("REMOTE_ADDR"), error)
        return JsonResponse(error_body("signature_invalid", str(error)), status=400)
    except JsonInputRefused as error:
        return JsonResponse(error_body(error.code, str(error.message)), status=error.http_status)
    item = payout_outcome_apply(reference=notice.reference, result=notice.result)
    if item is None:
        return JsonResponse(error_body("not_found", _("No such payout.")), status=404)
    return HttpResponse(status=204)


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


@reseller_required
@require_GET
def withdrawal_quote(request, reseller):
    """What a withdrawal of ``?amount=<yuan>`` costs and brings, for the money
    page's form as the amount is typed: the server's fee rule, never the
    page's. 400 with the amount grammar's code for what is not an amount."""
    try:
        amount = yuan_to_fen(request.GET.get("amount", ""), positive=True)
    except InvalidAmount as error:
        return JsonResponse({"code": error.code, "message": str(error.message)}, status=400)
    quote = quote_for(reseller_id=reseller.pk, amount=amount)
    return JsonResponse(
        {
            "amount": str(fen_to_yuan(amount)),
            "fee": format_yuan(quote.fee_amount),
            "tax": format_yuan(quote.tax_amount),
            "arrives": format_yuan(quote.net_amount),
            "below_minimum": quote.below_minimum,
            "minimum": format_yuan(quote.minimum_amount),
        }
    )


# --- the workbench, 选品 and the shop's orders ------------------------------------------


def own_shop_page(view):
    """A page of the logged-in reseller's shop: the view gets the reseller
    and its shop (owner loaded); a reseller without a shop is sent to open
    one, anyone else to the join page (``reseller_required``)."""

    @reseller_required
    @functools.wraps(view)
    def page(request, reseller, *args, **kwargs):
        shop = shop_for_user(user=request.user)
        if shop is None:
            return redirect("shops:open")
        return view(request, reseller, shop, *args, **kwargs)

    return page


def _beijing_day_starts() -> tuple[datetime, datetime]:
    """The start of today and of this month, Beijing time (the site's zone)."""
    today = timezone.localdate()
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(today.replace(day=1), time.min, tzinfo=zone),
        datetime.combine(today, time.min, tzinfo=zone),
    )


@own_shop_page
@require_GET
def workbench(request, reseller, shop):
    """工作台: where a reseller lands. Today's and this month's visitors,
    paid orders, sales and estimated earnings, its withdrawable money, and
    the ways to share the shop, pick products, see its team and its money.
    A constant number of queries (one per figure family)."""
    month_start, day_start = _beijing_day_starts()
    visitors = shop_visitor_counts(shop=shop, today=timezone.localdate())
    sales_today, sales_month = shop_sales_since(shop=shop, month_start=month_start, day_start=day_start)
    earned_today, earned_month = commission_earned_since(
        reseller_id=reseller.pk, month_start=month_start, day_start=day_start
    )
    return render(
        request,
        "commissions/workbench.html",
        {
            "tab": "workbench",
            "reseller": reseller,
            "shop": shop,
            "is_public": shop_is_public(shop),
            "share_link": absolute(request, shop_share_path(shop)),
            "figures": [
                {"label": _("Visitors"), "today": visitors.today, "month": visitors.month, "money": False},
                {"label": _("Orders"), "today": sales_today.orders, "month": sales_month.orders, "money": False},
                {
                    "label": _("Sales"),
                    "today": sales_today.sales_amount,
                    "month": sales_month.sales_amount,
                    "money": True,
                },
                {"label": _("Estimated earnings"), "today": earned_today, "month": earned_month, "money": True},
            ],
            "summary": money_summary(reseller_id=reseller.pk),
        },
    )


@own_shop_page
@require_GET
def pick_catalogue(request, reseller, shop):
    """选品: products on sale, each with what the plan in force would pay each
    tier on one unit at the shop's current price (预计赚), and for those
    already in the shop their share link. A constant number of queries
    whatever the page holds."""
    category = query_text(request, "category")
    query = query_text(request, "q", max_length=SEARCH_MAX_LENGTH)
    products = product_list_on_sale(category_slug=category or None, query=query or None)
    page_obj = Paginator(products, CATALOGUE_PAGE_SIZE).get_page(request.GET.get("page"))
    on_page = list(page_obj.object_list)
    picked = set(ShopProduct.objects.filter(shop=shop).values_list("product_id", flat=True))
    prices = shop_sku_prices(shop=shop, product_ids=[product.pk for product in on_page if product.pk in picked])
    plan = commission_plan_in_effect(at=timezone.now())
    rows = []
    for product in on_page:
        unit_prices = {
            sku.pk: line_price(sku=sku, shop_price=prices.get(sku.pk)).unit_price_amount for sku in product.active_skus
        }
        rows.append(
            {
                "product": product,
                "picked": product.pk in picked,
                "offers": [(sku, unit_prices[sku.pk]) for sku in product.active_skus],
                "estimates": commission_estimates_for_product(plan=plan, product=product, unit_prices=unit_prices),
                "share_link": absolute(request, product_share_path(shop, product.pk)) if product.pk in picked else "",
            }
        )
    return render(
        request,
        "commissions/catalogue.html",
        {
            "tab": "pick",
            "shop": shop,
            "page_obj": page_obj,
            "rows": rows,
            "categories": category_list(),
            "current_category": category,
            "query": query,
        },
    )


def _earnings_shown(reseller, orders) -> None:
    """Each order gets ``earned_amount`` (本单收益: what the reseller earns on
    it) and ``earnings_pending`` (paid, the engine not done yet). Two queries."""
    ids = [order.pk for order in orders]
    earned = commission_earned_on_orders(reseller_id=reseller.pk, order_ids=ids)
    decided = commission_decided_orders(order_ids=[order.pk for order in orders if order.paid_at])
    for order in orders:
        order.earned_amount = earned.get(order.pk, 0)
        order.earnings_pending = bool(order.paid_at) and order.pk not in decided


@own_shop_page
@require_GET
def shop_order_list(request, reseller, shop):
    orders = list(shop_orders(shop=shop)[:SHOP_ORDERS_SHOWN])
    _earnings_shown(reseller, orders)
    return render(request, "commissions/shop_orders.html", {"tab": "workbench", "shop": shop, "orders": orders})


@own_shop_page
@require_GET
def shop_order_detail(request, reseller, shop, order_id: int):
    try:
        order = shop_order_get(shop=shop, order_id=order_id)
    except NotFound as error:
        raise Http404 from error
    _earnings_shown(reseller, [order])
    return render(request, "commissions/shop_order_detail.html", {"tab": "workbench", "shop": shop, "order": order})


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
            AccountKind.PLATFORM_TAX_PAYABLE,
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
            "tax_payable": liability.get(AccountKind.PLATFORM_TAX_PAYABLE, 0),
            "tax_rule": WithholdingRule(settings.WITHHOLDING_RULE).label,
            "this_month": tax_period_of(timezone.now()).strftime(MONTH_FORMAT),
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


MONTH_FORMAT = "%Y-%m"


@staff_member_required
@require_GET
def withheld_tax_csv(request):
    """Operators: the income tax withheld per reseller in a month
    (``?month=2026-12``, this month by default), for filing (个税代扣代缴申报).
    400 with a code for a month that is not one."""
    typed = request.GET.get("month", "").strip()
    try:
        period = datetime.strptime(typed, MONTH_FORMAT).date() if typed else tax_period_of(timezone.now())
    except ValueError:
        return JsonResponse({"code": "month_invalid", "message": _("Give the month as 2026-12.")}, status=400)
    writer = spreadsheet_writer()

    def rows():
        yield "\ufeff" + writer.writerow(
            [
                _("tax month"),
                _("reseller"),
                _("mobile number"),
                _("invite code"),
                _("withdrawals paid"),
                _("amount paid out before fee and tax (yuan)"),
                _("income tax withheld (yuan)"),
                _("received (yuan)"),
                _("withheld from withdrawals still on their way (yuan)"),
            ]
        )
        for line in withheld_tax_by_reseller(period=period):
            yield writer.writerow(
                [
                    period.strftime(MONTH_FORMAT),
                    line.nickname,
                    line.phone,
                    line.invite_code,
                    line.paid_count,
                    fen_to_yuan(line.paid_amount),
                    fen_to_yuan(line.paid_tax_amount),
                    fen_to_yuan(line.paid_net_amount),
                    fen_to_yuan(line.pending_tax_amount),
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="withheld-tax-{period.strftime(MONTH_FORMAT)}.csv"'
    return response


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


# --- the reseller's grade (分销等级) ---------------------------------------------------------


def _condition_rows(progress) -> list[dict]:
    """Each condition toward the next grade as the page shows it: money in yuan, counts as counts."""
    labels = {
        GradeConditionKind.SALES: _("Sales through my shop and links"),
        GradeConditionKind.COMPLETED_ORDERS: _("Completed orders"),
        GradeConditionKind.BUYING_CUSTOMERS: _("Customers who bought"),
    }
    return [
        {
            "label": labels[condition.kind],
            "money": condition.kind == GradeConditionKind.SALES,
            "figure": condition.figure,
            "threshold": condition.threshold,
            "window_days": condition.window_days,
            "percent": condition.percent,
            "met": condition.met,
        }
        for condition in progress.conditions
    ]


@reseller_required
@require_GET
def grade_page(request, reseller):
    """我的等级: the reseller's grade and its rates, the next grade and a
    progress bar toward each of its conditions (its own results only), every
    grade in use, and its last changes. A constant number of queries."""
    progress = grade_progress(reseller_id=reseller.pk)
    plan = CommissionPlan.objects.in_effect_at(timezone.now()).first() or CommissionPlan()
    plan_shares = plan.tier_shares()

    def rates(grade):  # what each tier the plan pays earns for a holder of ``grade`` (None: no grade), in %
        own = grade.tier_rates() if grade else []
        return [
            {"tier": tier, "percent": f"{(own[tier - 1] if grade and own[tier - 1] is not None else share) / 100:g}"}
            for tier, share in enumerate(plan_shares, start=1)
        ]

    return render(
        request,
        "commissions/grade.html",
        {
            "tab": "workbench",
            "reseller": reseller,
            "progress": progress,
            "rates": rates(progress.grade),
            "grades": [{"grade": grade, "rates": rates(grade)} for grade in progress.grades],
            "conditions": _condition_rows(progress),
            "all_met": bool(progress.conditions) and all(condition.met for condition in progress.conditions),
        },
    )
