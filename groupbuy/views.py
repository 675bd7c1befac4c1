"""The group-buying pages (phone first): a campaign with its open groups
(凑团) and the form to open one, a group's shared page with the form to
join, the buyer's groups, a group's poster; and in the supplier portal, its
campaign proposals. Paying is the orders' cashier."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods

from accounts.decorators import phone_required
from catalog.views import supplier_staff_required
from orders.forms import AddressForm
from orders.services.addresses import address_as_input, address_save
from socialshop.drawing import qr_png
from socialshop.errors import DomainError

from .choices import CampaignStatus, GroupStatus, MemberStatus
from .forms import SeatForm, SupplierCampaignForm
from .posters import group_poster
from .selectors import (
    campaign_get,
    campaigns_proposed_by,
    group_view,
    groups_open_for_campaign,
    memberships_for_buyer,
    seat_coupon_options,
)
from .services import campaign_create, group_join, group_open


def _seat_forms(request, campaign):
    addresses = list(request.user.addresses.all()[:5]) if request.user.is_authenticated else []
    posted = request.POST if request.method == "POST" else None
    coupon_options = seat_coupon_options(buyer=request.user, campaign=campaign)
    form = SeatForm(posted, skus=list(campaign.skus.all()), addresses=addresses, coupon_options=coupon_options)
    wants_new = (request.POST.get("address") or ("new" if not addresses else "")) == "new"
    address_form = AddressForm(posted if wants_new else None, prefix="new", use_required_attribute=not addresses)
    return form, address_form, addresses


def _seat_take(request, form, address_form, addresses, take) -> bool:
    """Place the seat's order with the chosen address; False with the errors on the forms."""
    if not form.is_valid():
        return False
    choice = form.cleaned_data["address"]
    if choice == "new":
        if not address_form.is_valid():
            form.add_error("address", _("Fill in the new address below, or choose a saved one."))
            return False
        address = address_form.address()
    else:
        saved = next((a for a in addresses if str(a.pk) == choice), None)
        if saved is None:  # the form offers only the buyer's own
            form.add_error("address", _("Choose an address."))
            return False
        address = address_as_input(saved)
    try:
        coupon = form.cleaned_data.get("coupon")
        member = take(
            sku_id=form.cleaned_data["sku_id"],
            quantity=form.cleaned_data["quantity"],
            address=address,
            coupon_ids=[int(coupon)] if coupon else None,
        )
    except DomainError as error:
        for name, field_messages in error.fields.items():
            target = address_form if name in address_form.fields else form
            if name in target.fields:
                for message in field_messages:
                    target.add_error(name, message)
        messages.error(request, str(error.message))
        return False
    address_save(user=request.user, address=address)
    messages.success(request, _("Your seat is held: pay within the time shown to keep it."))
    request.seat_order_id = member.order_id
    return True


@require_http_methods(["GET", "POST"])
def campaign_page(request, campaign_id: int):
    campaign = campaign_get(campaign_id=campaign_id)
    form, address_form, addresses = _seat_forms(request, campaign)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())

        def take(**line):
            return group_open(buyer=request.user, campaign_id=campaign.pk, **line)

        if _seat_take(request, form, address_form, addresses, take):
            return redirect("orders:pay", order_id=request.seat_order_id)
    return render(
        request,
        "groupbuy/campaign.html",
        {
            "campaign": campaign,
            "skus": list(campaign.skus.all()),
            "open_groups": groups_open_for_campaign(campaign_id=campaign.pk),
            "form": form,
            "address_form": address_form,
            "has_addresses": bool(addresses),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def group_page(request, group_id: int):
    view = group_view(group_id=group_id)
    campaign = campaign_get(campaign_id=view.group.campaign_id)
    form, address_form, addresses = _seat_forms(request, campaign)
    mine = None
    if request.user.is_authenticated:
        mine = view.group.members.filter(buyer=request.user).order_by("-pk").select_related("order").first()
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())

        def take(**line):
            return group_join(buyer=request.user, group_id=view.group.pk, **line)

        if _seat_take(request, form, address_form, addresses, take):
            return redirect("orders:pay", order_id=request.seat_order_id)
    return render(
        request,
        "groupbuy/group.html",
        {
            "view": view,
            "campaign": campaign,
            "mine": mine,
            "is_open": view.group.status == GroupStatus.OPEN and view.seconds_left > 0,
            "share_url": request.build_absolute_uri(reverse("groupbuy:group", args=[view.group.pk])),
            "form": form,
            "address_form": address_form,
            "has_addresses": bool(addresses),
            "statuses": MemberStatus,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@phone_required
def my_groups(request):
    memberships = list(memberships_for_buyer(buyer=request.user)[:50])
    return render(request, "groupbuy/mine.html", {"memberships": memberships, "statuses": MemberStatus})


def group_qr(request, group_id: int):
    """The group's link as a QR code (长按识别): what the share card shows
    for a friend to scan off a screenshot or another phone."""
    view = group_view(group_id=group_id)
    png = qr_png(request.build_absolute_uri(reverse("groupbuy:group", args=[view.group.pk])), scale=8)
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"  # the link never changes
    return response


def group_poster_png(request, group_id: int):
    """The group's share poster (保存海报): public like the group's page, and
    cached briefly (its seats-left line changes as members pay; the ETag is
    the digest of what it shows)."""
    view = group_view(group_id=group_id)
    data, digest = group_poster(
        view=view, link=request.build_absolute_uri(reverse("groupbuy:group", args=[view.group.pk]))
    )
    response = HttpResponse(data, content_type="image/png")
    response["ETag"] = f'"{digest}"'
    response["Cache-Control"] = "public, max-age=300"
    return response


# --- the supplier portal: proposing campaigns -------------------------------------------------

# a proposal's state as its supplier reads it (the admin's words for the same states are the operator's)
PROPOSAL_STATES = {
    CampaignStatus.PENDING: _lazy("Awaiting review"),
    CampaignStatus.ACTIVE: _lazy("Approved to run"),
    CampaignStatus.REJECTED: _lazy("Turned down"),
    CampaignStatus.ENDED: _lazy("Ended"),
}


@supplier_staff_required
@require_http_methods(["GET", "POST"])
def supplier_campaigns(request):
    """A supplier proposes group-buying campaigns for its own SKUs
    (``campaign_create(supplier=…)``: pending until an operator approves
    them in the admin) and follows its proposals."""
    form = SupplierCampaignForm(request.POST or None, supplier=request.supplier)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        starts_at, ends_at = form.window()
        try:
            campaign_create(
                by=request.user,
                supplier=request.supplier,
                product=data["sku"].product,
                prices={data["sku"].pk: (data["group_price"], data["leader_price"])},
                title=data["title"],
                group_size=data["group_size"],
                fill_within=timedelta(hours=data["fill_hours"]),
                starts_at=starts_at,
                ends_at=ends_at,
                per_person_limit=data["per_person_limit"],
                coupons_apply=data["coupons_apply"],
            )
        except DomainError as error:
            _proposal_errors(form, error)
        else:
            messages.success(request, _("Proposed: an operator reviews it before it runs."))
            return redirect("groupbuy:supplier_campaigns")
    proposals = list(campaigns_proposed_by(supplier=request.supplier)[:50])
    for campaign in proposals:
        campaign.proposal_state = PROPOSAL_STATES.get(campaign.status, campaign.get_status_display())
        campaign.last_day = timezone.localtime(campaign.ends_at - timedelta(microseconds=1)).date()  # inclusive
    return render(
        request,
        "groupbuy/portal/campaigns.html",
        {"form": form, "proposals": proposals},
        status=400 if request.method == "POST" else 200,
    )


def _proposal_errors(form, error: DomainError) -> None:
    """The service's refusal on the form's fields: a price outside the SKU's
    cost and list price on the price typed, the rest where it names."""
    fields = {"fill_within": "fill_hours", "ends_at": "ends_on", "prices": "sku"}
    placed = False
    for name, field_messages in error.fields.items():
        if name.startswith("prices."):  # prices.<sku id>, or prices.<sku id>.leader for the leader's price
            target = "leader_price" if name.endswith(".leader") else "group_price"
        else:
            target = fields.get(name, name)
        if target in form.fields:
            for message in field_messages:
                form.add_error(target, str(message))
            placed = True
    if not placed:
        form.add_error(None, str(error.message))
