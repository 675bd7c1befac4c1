"""The pages: the flash-sale hall (秒杀会场), a product in flash mode with
立即抢购, and the admitted buyer's checkout. Every change is a POST form that
redirects; the countdowns are the only script (flash.js)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import phone_required
from orders.forms import checkout_address
from orders.services.addresses import address_save
from socialshop.api.throttles import page_throttled
from socialshop.errors import DomainError

from .exceptions import FlashLimitReached, FlashSoldOut
from .models import FlashAdmission
from .selectors import flash_item_get, flash_slots, item_progress
from .services import flash_admit, flash_order_place
from .throttles import FLASH_GRAB_THROTTLES


@require_GET
def hall(request):
    now = timezone.now()
    slots = flash_slots(now=now)
    chosen = request.GET.get("slot", "")
    current = next((slot for slot in slots if slot.starts_at.isoformat() == chosen), None)
    current = (
        current or next((slot for slot in slots if slot.state(now) == "live"), None) or (slots[0] if slots else None)
    )
    rows = [(item, item_progress(item)) for item in current.items] if current else []
    return render(
        request,
        "flash/hall.html",
        {
            "slots": [(slot, slot.state(now)) for slot in slots],
            "current": current,
            "state": current.state(now) if current else "",
            "rows": rows,
            "now": now,
        },
    )


@require_GET
def item_page(request, item_id: int):
    item = flash_item_get(item_id=item_id)
    if item is None:
        raise Http404
    now = timezone.now()
    campaign = item.campaign
    state = "upcoming" if now < campaign.starts_at else ("live" if now < campaign.ends_at else "ended")
    if state == "live" and item.opened_at and item.taken >= item.flash_stock:
        state = "sold_out"
    images = list(item.sku.product.images.all())
    return render(
        request,
        "flash/item.html",
        {
            "item": item,
            "campaign": campaign,
            "state": state,
            "progress": item_progress(item),
            "picture": images[0] if images else None,
            "now": now,
        },
    )


@require_POST
def grab(request, item_id: int):
    if not request.user.is_authenticated:  # back to the item after logging in (the tap is a POST)
        return redirect_to_login(reverse("flash:item", args=[item_id]))
    if page_throttled(request, FLASH_GRAB_THROTTLES):
        messages.error(request, _("You are tapping too fast. Wait a moment."))
        return redirect("flash:item", item_id=item_id)
    try:
        admitted = flash_admit(item_id=item_id, buyer=request.user)
    except FlashLimitReached:
        messages.error(request, _("Each person may buy at most the limit shown; you already have it."))
        return redirect("flash:item", item_id=item_id)
    except FlashSoldOut:
        messages.error(request, _("Sold out. Try another item."))
        return redirect("flash:item", item_id=item_id)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("flash:item", item_id=item_id)
    return redirect("flash:checkout", token=admitted.token)


@login_required
@phone_required
@require_http_methods(["GET", "POST"])
def checkout(request, token: str):
    admission = (
        FlashAdmission.objects.select_related("item__sku__product", "item__campaign")
        .filter(token=token, buyer=request.user)
        .first()
    )
    if admission is None:
        raise Http404
    if admission.order_id:
        return redirect("orders:detail", order_id=admission.order_id)
    checkout = checkout_address(request)
    form = checkout.form
    if request.method == "POST" and "refresh" not in request.POST and form.is_valid():
        order = _place(request, admission, checkout)
        if order is not None:
            messages.success(request, _("You got it! Pay before the time runs out, or it goes to someone else."))
            return redirect("orders:detail", order_id=order.pk)
    return render(
        request,
        "flash/checkout.html",
        {
            "admission": admission,
            "item": admission.item,
            **checkout.context(),
            "now": timezone.now(),
        },
        status=400 if request.method == "POST" and "refresh" not in request.POST else 200,
    )


def _place(request, admission, checkout):
    form, address_form = checkout.form, checkout.address_form
    address = checkout.chosen()
    if address is None:
        return None
    try:
        order = flash_order_place(
            buyer=request.user, token=admission.token, address=address, note=form.cleaned_data["note"]
        )
    except DomainError as error:
        for name, field_messages in error.fields.items():
            if name in address_form.fields:
                for message in field_messages:
                    address_form.add_error(name, message)
        messages.error(request, str(error.message))
        return None
    address_save(user=request.user, address=address)
    return order
