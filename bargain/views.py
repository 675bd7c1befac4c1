"""The bargain pages (phone first): a campaign with 发起砍价, a bargain's
shared page (progress, helpers, countdown, 帮砍 for friends, 立即购买 for the
starter, the link and its QR code), the starter's checkout, and 我的砍价.
Every change is a POST form that redirects; paying is the orders' cashier."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import phone_required
from orders.choices import OrderStatus
from orders.forms import checkout_address
from orders.models import Order
from orders.services.addresses import address_save
from socialshop.api.throttles import client_address, page_throttled
from socialshop.drawing import qr_png
from socialshop.errors import DomainError
from socialshop.money import format_yuan

from .choices import BargainStatus
from .exceptions import AlreadyStarted
from .models import Help
from .selectors import bargain_of_starter, bargain_view, campaign_get, views_for_starter
from .services import bargain_buy, bargain_help, bargain_start
from .throttles import BARGAIN_HELP_THROTTLES


def _hours(seconds: float) -> str:
    """24, or 1.5: the time limit as people say it."""
    hours = round(seconds / 3600, 1)
    return str(int(hours)) if hours == int(hours) else str(hours)


@require_http_methods(["GET", "POST"])
def campaign_page(request, campaign_id: int):
    campaign = campaign_get(campaign_id=campaign_id)
    mine = bargain_of_starter(campaign_id=campaign.pk, starter=request.user) if request.user.is_authenticated else None
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            mine = bargain_start(starter=request.user, campaign_id=campaign.pk)
        except AlreadyStarted:
            mine = bargain_of_starter(campaign_id=campaign.pk, starter=request.user)
        except DomainError as error:
            messages.error(request, str(error.message))
            return redirect("bargain:campaign", campaign_id=campaign.pk)
        else:
            messages.success(request, _("Your bargain has started: share it with friends to cut the price."))
        return redirect("bargain:bargain", bargain_id=mine.pk)
    now = timezone.now()
    images = list(campaign.sku.product.images.all()[:1])
    return render(
        request,
        "bargain/campaign.html",
        {
            "campaign": campaign,
            "mine": mine,
            "running": campaign.starts_at <= now < campaign.ends_at,
            "picture": images[0] if images else None,
            "hours": _hours(campaign.time_limit.total_seconds()),
        },
    )


@require_GET
def bargain_page(request, bargain_id: int):
    view = bargain_view(bargain_id=bargain_id)
    bargain = view.bargain
    is_starter = request.user.is_authenticated and request.user.pk == bargain.starter_id
    has_helped = (
        request.user.is_authenticated
        and not is_starter
        and Help.objects.filter(bargain_id=bargain.pk, helper=request.user).exists()
    )
    return render(
        request,
        "bargain/bargain.html",
        {
            "view": view,
            "bargain": bargain,
            "campaign": bargain.campaign,
            "is_starter": is_starter,
            "has_helped": has_helped,
            "statuses": BargainStatus,
            "share_url": request.build_absolute_uri(reverse("bargain:bargain", args=[bargain.pk])),
        },
    )


@require_POST
def help_tap(request, bargain_id: int):
    if not request.user.is_authenticated:  # back to the bargain after logging in (the tap is a POST)
        return redirect_to_login(reverse("bargain:bargain", args=[bargain_id]))
    if page_throttled(request, BARGAIN_HELP_THROTTLES):
        messages.error(request, _("You have helped enough for today. Try again tomorrow."))
        return redirect("bargain:bargain", bargain_id=bargain_id)
    try:
        done = bargain_help(helper=request.user, bargain_id=bargain_id, client_address=client_address(request))
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request, _("You cut %(amount)s off your friend's price!") % {"amount": format_yuan(done.cut_amount)}
        )
    return redirect("bargain:bargain", bargain_id=bargain_id)


@login_required
@phone_required
@require_http_methods(["GET", "POST"])
def buy_page(request, bargain_id: int):
    view = bargain_view(bargain_id=bargain_id)
    bargain = view.bargain
    if bargain.starter_id != request.user.pk:
        raise Http404
    if (
        bargain.status == BargainStatus.ORDERED
        and Order.objects.filter(pk=bargain.order_id, status=OrderStatus.PENDING_PAYMENT).exists()
    ):  # its order waits: pay it (a cancelled one reopens the bargain when this page orders again)
        return redirect("orders:pay", order_id=bargain.order_id)
    checkout = checkout_address(request)
    form, address_form = checkout.form, checkout.address_form
    if request.method == "POST" and form.is_valid():
        address = checkout.chosen()
        if address is not None:
            try:
                order = bargain_buy(
                    starter=request.user, bargain_id=bargain.pk, address=address, note=form.cleaned_data["note"]
                )
            except DomainError as error:
                for name, field_messages in error.fields.items():
                    if name in address_form.fields:
                        for message in field_messages:
                            address_form.add_error(name, message)
                messages.error(request, str(error.message))
            else:
                address_save(user=request.user, address=address)
                return redirect("orders:pay", order_id=order.pk)
    return render(
        request,
        "bargain/buy.html",
        {
            "view": view,
            "bargain": bargain,
            "campaign": bargain.campaign,
            **checkout.context(),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def my_bargains(request):
    return render(
        request, "bargain/mine.html", {"views": views_for_starter(starter=request.user), "statuses": BargainStatus}
    )


def bargain_qr(request, bargain_id: int):
    """The bargain's link as a QR code (长按识别), for a friend to scan."""
    view = bargain_view(bargain_id=bargain_id)
    png = qr_png(request.build_absolute_uri(reverse("bargain:bargain", args=[view.bargain.pk])), scale=8)
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"  # the link never changes
    return response
