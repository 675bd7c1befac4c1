"""The pages: cart and checkout, the buyer's orders, the payment webhook,
and the supplier portal's shipments and refunds (a reseller's shop orders are commissions' pages).
Every change is a POST form that redirects; nothing needs JavaScript."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import phone_required
from catalog.views import supplier_staff_required
from socialshop.errors import DomainError, NotFound

from .cart import cart_add, cart_entries, cart_remove, cart_set
from .choices import Actor, FulfilmentStatus, OrderStatus, Reason, RefundStatus
from .forms import (
    AddressForm,
    CartAddForm,
    CartQuantityForm,
    CheckoutForm,
    RefundDecisionForm,
    RefundRequestForm,
    ShipForm,
    ShipmentsUploadForm,
)
from .pricing import LineRequest
from .regions import children, provinces
from .selectors import (
    cart_priced,
    fulfilment_get_for_supplier,
    fulfilments_for_supplier,
    order_expires_at,
    order_get_for_buyer,
    order_history,
    order_list_for_buyer,
    refunds_for_supplier,
)
from .services.addresses import address_as_input, address_save
from .services.fulfilment import fulfilment_deliver, fulfilment_ship, fulfilments_csv_export, fulfilments_ship_csv
from .services.lifecycle import order_cancel, order_confirm_receipt
from .services.placing import order_place
from .services.refunds import refund_decide, refund_request

logger = logging.getLogger(__name__)


def _page_error(request, error: DomainError) -> None:
    details = [str(message) for values in error.fields.values() for message in values]
    messages.error(request, " ".join([str(error.message), *details]))


# --- cart ----------------------------------------------------------------------


@require_POST
def cart_add_view(request):
    """From a product page: add the chosen SKU (``then=checkout`` goes straight on)."""
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
        return redirect("orders:checkout")
    messages.success(request, _("Added to your cart."))
    return redirect("orders:cart")


def _cart_rows(request):
    rows = cart_priced(entries=cart_entries(request))
    total = sum(line.total_amount for _entry, line in rows if line is not None)
    return rows, total


def cart_page(request):
    rows, total = _cart_rows(request)
    return render(request, "orders/cart.html", {"rows": rows, "total": total})


@require_POST
def cart_update_view(request):
    form = CartQuantityForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        cart_set(request, shop_slug=data["shop"] or None, sku_id=data["sku"], quantity=data["quantity"])
    return redirect("orders:cart")


# --- checkout --------------------------------------------------------------------


@login_required
@phone_required  # a WeChat log-in adds its number (by SMS code) before its first order
@require_http_methods(["GET", "POST"])
def checkout(request):
    rows, total = _cart_rows(request)
    buyable = [(entry, line) for entry, line in rows if line is not None]
    addresses = list(request.user.addresses.all()[:5])
    checkout_form = CheckoutForm(
        request.POST or None, addresses=addresses, initial={"address": str(addresses[0].pk) if addresses else "new"}
    )
    wants_new = (request.POST.get("address") or ("new" if not addresses else "")) == "new"
    address_form = AddressForm(
        request.POST if request.method == "POST" and wants_new else None,
        prefix="new",
        # beside saved addresses the new one is optional: the browser must not refuse a saved one
        use_required_attribute=not addresses,
    )
    if request.method == "POST" and "refresh" not in request.POST and buyable and checkout_form.is_valid():
        order = _place_from_checkout(request, buyable, checkout_form, address_form, addresses)
        if order is not None:
            cart_remove(request, [entry for entry, _line in buyable])
            messages.success(request, _("Order placed. Pay within the time shown to keep it."))
            return redirect("orders:detail", order_id=order.pk)
    return render(
        request,
        "orders/checkout.html",
        {
            "rows": rows,
            "total": total,
            "buyable": buyable,
            "form": checkout_form,
            "address_form": address_form,
            "has_addresses": bool(addresses),
        },
        status=400 if request.method == "POST" and "refresh" not in request.POST else 200,
    )


def _place_from_checkout(request, buyable, checkout_form, address_form, addresses):
    choice = checkout_form.cleaned_data["address"] or "new"
    if choice == "new":
        if not address_form.is_valid():
            checkout_form.add_error("address", _("Fill in the new address below, or choose a saved one."))
            return None
        address = address_form.address()
    else:
        saved = next((a for a in addresses if str(a.pk) == choice), None)
        if saved is None:
            checkout_form.add_error("address", _("Choose an address."))
            return None
        address = address_as_input(saved)
    try:
        order = order_place(
            buyer=request.user,
            lines=[
                LineRequest(sku_id=line.sku.pk, quantity=entry.quantity, shop_slug=entry.shop_slug)
                for entry, line in buyable
            ],
            address=address,
            note=checkout_form.cleaned_data["note"],
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


@login_required
def order_list(request):
    return render(request, "orders/order_list.html", {"orders": order_list_for_buyer(buyer=request.user)[:50]})


@login_required
def order_detail(request, order_id: int):
    order = order_get_for_buyer(buyer=request.user, order_id=order_id)
    waiting = order.status == OrderStatus.PENDING_PAYMENT and request.GET.get("from") == "pay"
    return render(
        request,
        "orders/order_detail.html",
        {
            "order": order,
            "expires_at": order_expires_at(order) if order.status == OrderStatus.PENDING_PAYMENT else None,
            "waiting_for_payment": waiting,
            "history": order_history(order=order),
            "can_cancel": order.status in (OrderStatus.PENDING_PAYMENT, OrderStatus.PAID)
            and all(group.status == FulfilmentStatus.TO_SHIP for group in order.fulfilments.all()),
            "can_confirm": order.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED),
        },
    )


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
    order = order_get_for_buyer(buyer=request.user, order_id=order_id)
    line = next((line for line in order.lines.all() if line.pk == line_id), None)
    if line is None:
        raise Http404
    form = RefundRequestForm(request.POST or None, initial={"amount": line.refundable_amount})
    if request.method == "POST" and form.is_valid():
        try:
            refund_request(
                order_id=order.pk,
                line_id=line.pk,
                buyer=request.user,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            if "amount" in error.fields:
                form.add_error("amount", error.fields["amount"])
            else:
                form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Refund requested. You will see the answer here."))
            return redirect("orders:detail", order_id=order.pk)
    return render(
        request,
        "orders/refund_request.html",
        {"order": order, "line": line, "form": form},
        status=400 if form.errors else 200,
    )




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
    response = HttpResponse(fulfilments_csv_export(supplier=request.supplier), content_type="text/csv; charset=utf-8")
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
