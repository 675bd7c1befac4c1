"""What the group pages and the API read (a constant number of queries)."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from accounts.models import User
from accounts.phone import mask_name, mask_phone
from catalog.models import Sku
from orders.pricing import LineRequest, lines_priced
from orders.selectors import CouponOption, checkout_coupon_options
from socialshop.errors import NotFound

from .choices import CampaignStatus, GroupStatus, MemberStatus
from .models import Campaign, CampaignSku, Group, Member

SEATED = (MemberStatus.PENDING_PAYMENT, MemberStatus.PAID, MemberStatus.REFUNDED)


def masked_name(user: User) -> str:
    """What other people see of a member: ``张**`` or ``138****8000``."""
    return mask_name(user.nickname) if user.nickname else mask_phone(user.phone)


@dataclass(frozen=True)
class Seat:
    name: str  # masked
    initial: str  # the avatar's letter
    is_leader: bool
    paid: bool


@dataclass(frozen=True)
class GroupView:
    group: Group
    seats: list[Seat]  # members who paid or hold a seat, leader first
    seats_left: int
    seconds_left: int
    price_amount: int  # the group price of its cheapest SKU
    list_price_amount: int


def _members_shown() -> Prefetch:
    return Prefetch(
        "members",
        queryset=Member.objects.filter(status__in=SEATED).select_related("buyer").order_by("-is_leader", "pk"),
        to_attr="shown",
    )


def _view(group: Group, now: datetime) -> GroupView:
    skus = sorted(group.campaign.skus.all(), key=lambda priced: priced.group_price_amount)
    paid = sum(1 for member in group.shown if member.status != MemberStatus.PENDING_PAYMENT)
    seats = [
        Seat(
            name=masked_name(member.buyer),
            initial=(masked_name(member.buyer) or "?")[0],
            is_leader=member.is_leader,
            paid=member.status != MemberStatus.PENDING_PAYMENT,
        )
        for member in group.shown
    ]
    left = group.size - paid if group.status == GroupStatus.OPEN else 0
    return GroupView(
        group=group,
        seats=seats,
        seats_left=max(left, 0),
        seconds_left=max(int((group.expires_at - now).total_seconds()), 0) if group.status == GroupStatus.OPEN else 0,
        price_amount=skus[0].group_price_amount if skus else 0,
        list_price_amount=skus[0].sku.list_price_amount if skus else 0,
    )


def _groups() -> QuerySet[Group]:
    return Group.objects.select_related("campaign__product").prefetch_related(
        _members_shown(), Prefetch("campaign__skus", queryset=CampaignSku.objects.select_related("sku"))
    )


def group_view(*, group_id: int) -> GroupView:
    """Anyone with the link sees a group: its members (masked), the seats
    left, the time left."""
    group = _groups().filter(pk=group_id).first()
    if group is None:
        raise NotFound()
    return _view(group, timezone.now())


def campaign_get(*, campaign_id: int) -> Campaign:
    campaign = (
        Campaign.objects.select_related("product")
        .prefetch_related(Prefetch("skus", queryset=CampaignSku.objects.select_related("sku").order_by("pk")))
        .filter(pk=campaign_id, status__in=[CampaignStatus.ACTIVE, CampaignStatus.ENDED])
        .first()
    )
    if campaign is None:
        raise NotFound()
    return campaign


def groups_open_for_campaign(*, campaign_id: int, limit: int = 10) -> list[GroupView]:
    """Open groups a buyer may join (凑团), the fullest first, then the one ending soonest."""
    now = timezone.now()
    groups = (
        _groups()
        .filter(campaign_id=campaign_id, status=GroupStatus.OPEN, expires_at__gt=now)
        .order_by("-seats_taken", "expires_at")
    )
    return [_view(group, now) for group in groups[:limit]]


def campaigns_running_for_product(*, product_id: int) -> list[Campaign]:
    now = timezone.now()
    return list(
        Campaign.objects.filter(
            product_id=product_id, status=CampaignStatus.ACTIVE, starts_at__lte=now, ends_at__gt=now
        ).order_by("pk")
    )


def memberships_for_buyer(*, buyer: User) -> QuerySet[Member]:
    """The buyer's groups, newest first, with the group and its order."""
    return (
        Member.objects.filter(buyer=buyer)
        .select_related("group__campaign__product", "order")
        .order_by("-joined_at", "-pk")
    )


def seat_coupon_options(*, buyer: User, campaign: Campaign) -> list[CouponOption]:
    """The buyer's coupons that take something off one unit of the
    campaign's first SKU at the group price, best first (what the seat form
    offers): none unless the campaign lets coupons apply. Priced as placing
    prices it (``lines_priced``, ``checkout_coupon_options``); placing checks
    again against the SKU and quantity chosen."""
    skus = list(campaign.skus.all())
    if not campaign.coupons_apply or not skus or not buyer.is_authenticated:
        return []
    first = skus[0]
    sku = Sku.objects.select_related("product__supplier").filter(pk=first.sku_id).first()
    if sku is None:
        return []
    line = LineRequest(sku_id=sku.pk, quantity=1, group_price_amount=first.group_price_amount, group_coupons_apply=True)
    priced = [found for found in lines_priced([line], skus={sku.pk: sku}, shop_offers={}) if found is not None]
    return checkout_coupon_options(buyer=buyer, priced=priced)


def campaigns_proposed_by(*, supplier) -> QuerySet[Campaign]:
    """A supplier's own campaign proposals, newest first, with their product and prices."""
    return (
        Campaign.objects.filter(supplier=supplier)
        .select_related("product")
        .prefetch_related(Prefetch("skus", queryset=CampaignSku.objects.select_related("sku").order_by("pk")))
        .order_by("-created_at", "-pk")
    )
