"""The pages: cart and checkout, the buyer's orders, the payment webhook,
and the supplier portal's shipments and refunds (a reseller's shop orders are commissions' pages).
Every change is a POST form that redirects; nothing needs JavaScript."""

import logging
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import phone_required
from catalog.views import supplier_staff_required
from socialshop.api.exceptions import error_body
from socialshop.errors import DomainError, NotFound
from socialshop.money import format_yuan

from .cart import cart_add, cart_entries, cart_remove, cart_set
from .choices import Actor, FulfilmentStatus, OrderStatus, Reason, RefundReason, RefundStatus
from .forms import (
    CartAddForm,
    CartQuantityForm,
    RefundDecisionForm,
    RefundRequestForm,
    ShipForm,
    ShipmentsUploadForm,
    checkout_address,
    checkout_address_chosen,
)
from .models import MAX_QUANTITY
from .pricing import LineRequest
from .regions import children, provinces
from .selectors import (
    BUYER_ORDER_TABS,
    CouponOption,
    cart_priced,
    cart_row_key,
    cart_view,
    checkout_coupon_options,
    fulfilment_get_for_supplier,
    fulfilments_for_supplier,
    order_counts_for_buyer,
    order_expires_at,
    order_get_for_buyer,
    order_history,
    order_list_for_buyer,
    order_steps,
    refunds_for_supplier,
)
from .services.addresses import address_save
from .services.fulfilment import fulfilment_deliver, fulfilment_ship, fulfilments_csv_export, fulfilments_ship_csv
from .services.lifecycle import order_cancel, order_confirm_receipt
from .services.placing import order_place
from .services.refunds import refund_decide, refund_photos_process, refund_request

logger = logging.getLogger(__name__)


def _page_error(request, error: DomainError) -> None:
    details = [str(message) for values in error.fields.values() for message in values]
    messages.error(request, " ".join([str(error.message), *details]))


# --- cart ----------------------------------------------------------------------


CHECKOUT_PICKS = "checkout_picks"  # the session's cart rows the buyer chose to check out (``CartRow.key``)


@require_POST
def cart_add_view(request):
    """From a product page: add the chosen SKU (``then=checkout``, 立即购买,
    goes straight on with that item alone)."""
    form = CartAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an option and a quantity."))
        return redirect("orders:cart")
    data = form.cleaned_data
    entry = LineRequest(shop_slug=data["shop"] or None, sku_id=data["sku"], quantity=data["quantity"])
    if cart_priced(entries=[entry])[0][1] is None:
        messages.error(request, _("This item cannot be bought here any more."))
        return redirect("orders:cart")
    cart_add(request, shop_slug=data["shop"] or None, sku_id=data["sku"], quantity=data["quantity"])
    if request.POST.get("then") == "checkout":
        request.session[CHECKOUT_PICKS] = [cart_row_key(entry)]
        return redirect("orders:checkout")
    messages.success(request, _("Added to your cart."))
    return redirect("orders:cart")


def cart_page(request):
    return render(request, "orders/cart.html", {"cart": cart_view(entries=cart_entries(request))})


@require_POST
def cart_update_view(request):
    """A line's quantity: typed, or one more or fewer (``step``, the
    stepper's buttons, which work without JavaScript); 0 removes the line.
    Asked for JSON (the cart page's script), it answers the line's new
    quantity and total, priced by ``lines_priced``."""
    form = CartQuantityForm(request.POST)
    if not form.is_valid():
        if _wants_json(request):
            return JsonResponse(error_body("validation_error", _("Choose an option and a quantity.")), status=400)
        messages.error(request, _("Choose an option and a quantity."))
        return redirect("orders:cart")
    data = form.cleaned_data
    quantity = data["quantity"]
    if data["step"] and quantity > 0:
        quantity = max(1, min(quantity + data["step"], MAX_QUANTITY))
    cart_set(request, shop_slug=data["shop"] or None, sku_id=data["sku"], quantity=quantity)
    if not _wants_json(request):
        if quantity == 0:
            messages.success(request, _("Removed from your cart."))
        return redirect("orders:cart")
    key = cart_row_key(LineRequest(shop_slug=data["shop"] or None, sku_id=data["sku"], quantity=quantity))
    cart = cart_view(entries=cart_entries(request))
    row = next((row for row in cart.rows if row.key == key), None)
    return JsonResponse(
        {
            "key": key,
            "quantity": row.entry.quantity if row else 0,
            "total_amount": row.line.total_amount if row else 0,
            "total": format_yuan(row.line.total_amount) if row else "",
            "short_of_stock": bool(row and row.short_of_stock),
            "max_quantity": min(MAX_QUANTITY, row.sku.stock) if row else 0,  # the + stops there
            "count": len(cart.rows) + len(cart.invalid),
        }
    )


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


# --- checkout --------------------------------------------------------------------


def _checkout_picks(request) -> list[str]:
    """The cart rows to check out: those posted with the form, else those the
    cart or 立即购买 chose (the session), else all."""
    posted = request.POST.getlist("pick") if request.method == "POST" else []
    return posted or request.session.get(CHECKOUT_PICKS, [])


@login_required
@phone_required  # a WeChat log-in adds its number (by SMS code) before its first order
@require_http_methods(["GET", "POST"])
def checkout(request):
    if request.method == "POST" and request.POST.get("from") == "cart":
        # the cart's 结算: remember the rows chosen there, then show them (a reload asks nothing again)
        request.session[CHECKOUT_PICKS] = request.POST.getlist("pick")[:50]
        return redirect("orders:checkout")
    cart = cart_view(entries=cart_entries(request))
    picks = set(_checkout_picks(request))
    rows = [row for row in cart.rows if row.key in picks] or cart.rows
    buyable = [(row.entry, row.line) for row in rows]
    total = sum(line.total_amount for _entry, line in buyable)
    coupons = _checkout_coupons(request, buyable)
    checkout = checkout_address(request)
    checkout_form, address_form, addresses = checkout.form, checkout.address_form, checkout.addresses
    if request.method == "POST" and "refresh" not in request.POST and buyable and checkout_form.is_valid():
        order = _place_from_checkout(request, buyable, checkout_form, address_form, addresses, coupons)
        if order is not None:
            cart_remove(request, [entry for entry, _line in buyable])
            request.session.pop(CHECKOUT_PICKS, None)
            messages.success(request, _("Order placed. Pay within the time shown to keep it."))
            return redirect("orders:detail", order_id=order.pk)
    return render(
        request,
        "orders/checkout.html",
        {
            "rows": rows,
            "total": total,
            "buyable": buyable,
            "coupons": coupons,
            "to_pay": total - coupons.saving_amount,
            **checkout.context(),
        },
        status=400 if request.method == "POST" and "refresh" not in request.POST else 200,
    )


@dataclass(frozen=True)
class CheckoutCoupons:
    """The coupon picker: the buyer's options (best first), the one chosen
    (the best unless the buyer picked another or none) and what it saves."""

    options: list[CouponOption]
    chosen: str  # an option's key (a claim id, or a platform and a supplier claim, "12,15"), or "" for none
    promo_code: str = ""  # a reseller's code typed (placing binds and adds its coupon)

    @property
    def chosen_ids(self) -> list[int]:
        return [int(claim_id) for claim_id in self.chosen.split(",")] if self.chosen else []

    @property
    def saving_amount(self) -> int:
        return next((o.saving_amount for o in self.options if o.key == self.chosen), 0)


def _checkout_coupons(request, buyable) -> CheckoutCoupons:
    options = checkout_coupon_options(buyer=request.user, priced=[line for _entry, line in buyable], with_pairs=True)
    offered = {option.key for option in options}
    if request.method == "POST" and "coupon" in request.POST:
        chosen = request.POST["coupon"] if request.POST["coupon"] in offered else ""
    else:
        chosen = options[0].key if options else ""
    promo_code = request.POST.get("promo_code", "").strip()[:20] if request.method == "POST" else ""
    return CheckoutCoupons(options=options, chosen=chosen, promo_code=promo_code)


def _place_from_checkout(request, buyable, checkout_form, address_form, addresses, coupons: CheckoutCoupons):
    address = checkout_address_chosen(checkout_form, address_form, addresses)
    if address is None:
        return None
    try:
        order = order_place(
            buyer=request.user,
            lines=[
                LineRequest(sku_id=line.sku.pk, quantity=entry.quantity, shop_slug=entry.shop_slug)
                for entry, line in buyable
            ],
            address=address,
            note=checkout_form.cleaned_data["note"],
            coupon_ids=coupons.chosen_ids,
            promo_code=coupons.promo_code,
        )
    except DomainError as error:
        for name, field_messages in error.fields.items():
            if name in address_form.fields:
                for message in field_messages:
                    address_form.add_error(name, message)
        _page_error(request, error)
        return None
    address_save(user=request.user, address=address)
    return order


@require_GET
def regions_json(request):
    """The checkout form's lists: provinces, a province's cities, a city's districts."""
    parent = request.GET.get("parent", "")
    found = children(parent) if parent else provinces()
    return JsonResponse({"regions": [{"code": region.code, "name": region.name} for region in found]})


# --- the buyer's orders --------------------------------------------------------------------


# 我的订单's tabs, in the order shown: (tab, label); "" is 全部
ORDER_TABS = [
    ("", _lazy("All")),
    ("to_pay", _lazy("Awaiting payment")),
    ("to_ship", _lazy("To ship")),
    ("to_receive", _lazy("To receive")),
    ("completed", _lazy("Completed")),
    ("after_sales", _lazy("After-sales")),
]
PAY_CHECKS = 15  # how many times (2 s apart) the page looks again for a payment's result before it asks


@login_required
def order_list(request):
    tab = request.GET.get("tab", "")
    if tab not in BUYER_ORDER_TABS:
        tab = ""
    counts = order_counts_for_buyer(buyer=request.user)
    return render(
        request,
        "orders/order_list.html",
        {
            "orders": order_list_for_buyer(buyer=request.user, tab=tab or None, with_pictures=True)[:50],
            "tab": tab,
            "tabs": [(value, label, counts[value or "all"]) for value, label in ORDER_TABS],
        },
    )


@login_required
def order_detail(request, order_id: int):
    """The buyer's order. Back from paying (``?from=pay``) it never trusts the
    redirect: it reads the order's state, and shows 支付成功 once the
    provider's callback marked it paid, else 正在确认支付结果 and looks again
    every 2 seconds (a meta refresh, no script), ``PAY_CHECKS`` times."""
    order = order_get_for_buyer(buyer=request.user, order_id=order_id, with_pictures=True)
    from_pay = request.GET.get("from") == "pay"
    checks = _small_int(request.GET.get("check"))
    pending = order.status == OrderStatus.PENDING_PAYMENT
    return render(
        request,
        "orders/order_detail.html",
        {
            "order": order,
            "expires_at": order_expires_at(order) if pending else None,
            "waiting_for_payment": from_pay and pending and checks < PAY_CHECKS,
            "payment_unconfirmed": from_pay and pending and checks >= PAY_CHECKS,
            "next_check": checks + 1,
            "paid_just_now": from_pay and order.paid_at is not None,
            "history": order_history(order=order),
            "steps": order_steps(order),
            "can_cancel": order.status in (OrderStatus.PENDING_PAYMENT, OrderStatus.PAID)
            and all(group.status == FulfilmentStatus.TO_SHIP for group in order.fulfilments.all()),
            "can_confirm": order.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED),
        },
    )


def _small_int(text) -> int:
    return int(text) if text and text.isascii() and text.isdigit() and len(text) < 4 else 0


@login_required
@require_POST
def order_cancel_view(request, order_id: int):
    try:
        order_cancel(
            order_id=order_id,
            by=request.user,
            buyer=request.user,
            actor_kind=Actor.BUYER,
            reason=Reason.CANCELLED_BY_BUYER,
        )
    except NotFound:
        raise
    except DomainError as error:
        _page_error(request, error)
    else:
        messages.success(request, _("Order cancelled."))
    return redirect("orders:detail", order_id=order_id)


@login_required
@require_POST
def order_confirm_view(request, order_id: int):
    try:
        order_confirm_receipt(order_id=order_id, buyer=request.user)
    except NotFound:
        raise
    except DomainError as error:
        _page_error(request, error)
    else:
        messages.success(request, _("Thank you! The order is complete."))
    return redirect("orders:detail", order_id=order_id)


@login_required
@require_http_methods(["GET", "POST"])
def refund_request_view(request, order_id: int, line_id: int):
    order = order_get_for_buyer(buyer=request.user, order_id=order_id, with_pictures=True)
    line = next((line for line in order.lines.all() if line.pk == line_id), None)
    if line is None:
        raise Http404
    form = RefundRequestForm(request.POST or None, request.FILES or None, initial={"amount": line.refundable_amount})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            photos = refund_photos_process(data["photos"])
        except ValidationError as error:
            form.add_error("photos", error)
        else:
            _refund_request_from_form(request, form, order, line, photos)
        if not form.errors:
            messages.success(request, _("Refund requested. You will see the answer here."))
            return redirect("orders:detail", order_id=order.pk)
    return render(
        request,
        "orders/refund_request.html",
        {"order": order, "line": line, "form": form, "refunds_open": order.accepts_refund_requests()},
        status=400 if form.errors else 200,
    )


def _refund_request_from_form(request, form, order, line, photos) -> None:
    data = form.cleaned_data
    reason_label = str(RefundReason(data["reason_code"]).label)
    try:
        refund_request(
            order_id=order.pk,
            line_id=line.pk,
            buyer=request.user,
            amount=data["amount"],
            # what the supplier reads first: the buyer's words, else the reason chosen
            reason=data["description"].strip() or reason_label,
            resolution=data["resolution"],
            reason_code=data["reason_code"],
            description=data["description"],
            photos=photos,
        )
    except DomainError as error:
        if "amount" in error.fields:
            form.add_error("amount", error.fields["amount"])
        else:
            form.add_error(None, str(error.message))


# --- the supplier portal ----------------------------------------------------------------------


SHIPMENT_TABS = [FulfilmentStatus.TO_SHIP, FulfilmentStatus.SHIPPED, FulfilmentStatus.DELIVERED]


@supplier_staff_required
def supplier_shipments(request):
    status = request.GET.get("status", FulfilmentStatus.TO_SHIP)
    if status not in FulfilmentStatus.values and status != "all":
        status = FulfilmentStatus.TO_SHIP
    groups = fulfilments_for_supplier(supplier=request.supplier, status=None if status == "all" else status)
    return render(
        request,
        "orders/supplier/shipments.html",
        {
            "groups": groups[:200],
            "status": status,
            "tabs": [(value, FulfilmentStatus(value).label) for value in SHIPMENT_TABS],
            "ship_form": ShipForm(),
            "upload_form": ShipmentsUploadForm(),
            "open_refunds": refunds_for_supplier(supplier=request.supplier, status=RefundStatus.REQUESTED).count(),
        },
    )


@supplier_staff_required
def supplier_shipment(request, fulfilment_id: int):
    group = fulfilment_get_for_supplier(supplier=request.supplier, fulfilment_id=fulfilment_id)
    return render(
        request, "orders/supplier/shipment.html", {"group": group, "order": group.order, "ship_form": ShipForm()}
    )


def _back_to_shipments(request):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("orders:supplier_shipments")


@supplier_staff_required
@require_POST
def supplier_ship(request, fulfilment_id: int):
    form = ShipForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(_("Give a known carrier and a tracking number."))
        fulfilment_ship(
            fulfilment_id=fulfilment_id,
            supplier=request.supplier,
            by=request.user,
            carrier=form.cleaned_data["carrier"],
            tracking_number=form.cleaned_data["tracking_number"],
        )
    except NotFound:
        raise
    except DomainError as error:
        _page_error(request, error)
    else:
        messages.success(request, _("Shipment %(id)s marked shipped.") % {"id": fulfilment_id})
    return _back_to_shipments(request)


@supplier_staff_required
@require_POST
def supplier_deliver(request, fulfilment_id: int):
    try:
        fulfilment_deliver(fulfilment_id=fulfilment_id, supplier=request.supplier, by=request.user)
    except NotFound:
        raise
    except DomainError as error:
        _page_error(request, error)
    else:
        messages.success(request, _("Shipment %(id)s marked delivered.") % {"id": fulfilment_id})
    return _back_to_shipments(request)


@supplier_staff_required
@require_POST
def supplier_shipments_upload(request):
    form = ShipmentsUploadForm(request.POST, request.FILES)
    result = None
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > 2 * 1024 * 1024:
            form.add_error("file", _("At most 2 MB."))
        else:
            try:
                result = fulfilments_ship_csv(supplier=request.supplier, by=request.user, content=upload.read())
            except DomainError as error:
                form.add_error("file", str(error.message))
    return render(
        request,
        "orders/supplier/upload_result.html",
        {"form": form, "result": result},
        status=200 if result is not None else 400,
    )


@supplier_staff_required
def supplier_shipments_export(request):
    """The parcels to ship as CSV, UTF-8 with a byte-order mark: without it
    Excel reads the Chinese as GBK (mojibake). The upload takes the file back
    as Excel saves it (UTF-8 with or without the mark, or GBK)."""
    csv_text = "\ufeff" + fulfilments_csv_export(supplier=request.supplier)
    response = HttpResponse(csv_text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="to-ship.csv"'
    return response


@supplier_staff_required
def supplier_refunds(request):
    return render(
        request,
        "orders/supplier/refunds.html",
        {"refunds": refunds_for_supplier(supplier=request.supplier)[:200], "form": RefundDecisionForm()},
    )


@supplier_staff_required
@require_POST
def supplier_refund_decide(request, refund_id: int):
    form = RefundDecisionForm(request.POST)
    if form.is_valid():
        try:
            refund_decide(
                refund_id=refund_id,
                approve=form.cleaned_data["decision"] == "approve",
                by=request.user,
                actor_kind=Actor.SUPPLIER,
                supplier=request.supplier,
                note=form.cleaned_data["note"],
            )
        except NotFound:
            raise
        except DomainError as error:
            _page_error(request, error)
        else:
            messages.success(request, _("Decision recorded."))
    return redirect("orders:supplier_refunds")
