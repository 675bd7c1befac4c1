"""What the bargain pages and the API read (a constant number of queries)."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from accounts.models import User
from groupbuy.selectors import masked_name
from socialshop.errors import NotFound

from .choices import BargainStatus
from .models import Bargain, BargainCampaign, Help


@dataclass(frozen=True)
class HelpShown:
    name: str  # masked: 张** or 138****8000
    initial: str  # the avatar's letter
    cut_amount: int


@dataclass(frozen=True)
class BargainView:
    bargain: Bargain
    helps: list[HelpShown]  # newest first
    seconds_left: int
    cut_amount: int  # cut so far
    progress_percent: int  # of the way from the start to the floor, 0–100 (integer)
    helps_left: int

    @property
    def is_open(self) -> bool:
        """Helps and buying are open."""
        return self.bargain.status == BargainStatus.ACTIVE and self.seconds_left > 0


def _view(bargain: Bargain, now: datetime) -> BargainView:
    span = bargain.start_price_amount - bargain.floor_price_amount
    cut = bargain.start_price_amount - bargain.current_price_amount
    live = bargain.status in (BargainStatus.ACTIVE, BargainStatus.ORDERED)
    return BargainView(
        bargain=bargain,
        helps=[
            HelpShown(name=name, initial=(name or "?")[0], cut_amount=row.cut_amount)
            for row in bargain.shown_helps
            for name in [masked_name(row.helper)]
        ],
        seconds_left=max(int((bargain.expires_at - now).total_seconds()), 0) if live else 0,
        cut_amount=cut,
        progress_percent=cut * 100 // span if span else 100,
        helps_left=bargain.helps_needed - bargain.helps_count,
    )


def _bargains() -> QuerySet[Bargain]:
    return Bargain.objects.select_related("campaign__sku__product", "starter").prefetch_related(
        Prefetch("helps", queryset=Help.objects.select_related("helper").order_by("-number"), to_attr="shown_helps")
    )


def bargain_view(*, bargain_id: int) -> BargainView:
    """Anyone with the link sees a bargain: its price and progress, helpers
    (masked) with their cuts, the time left. Three queries."""
    bargain = _bargains().filter(pk=bargain_id).first()
    if bargain is None:
        raise NotFound()
    return _view(bargain, timezone.now())


def campaign_get(*, campaign_id: int) -> BargainCampaign:
    campaign = BargainCampaign.objects.select_related("sku__product").filter(pk=campaign_id).first()
    if campaign is None:
        raise NotFound()
    return campaign


def campaign_running_for_product(*, product_id: int) -> BargainCampaign | None:
    """The product's running campaign (the soonest ending), for its product page."""
    now = timezone.now()
    return (
        BargainCampaign.objects.filter(sku__product_id=product_id, starts_at__lte=now, ends_at__gt=now)
        .order_by("ends_at", "pk")
        .first()
    )


def bargain_of_starter(*, campaign_id: int, starter: User) -> Bargain | None:
    return Bargain.objects.filter(campaign_id=campaign_id, starter=starter).first()


def bargains_for_starter(*, starter: User) -> QuerySet[Bargain]:
    """The starter's bargains (我的砍价), newest first, loaded for ``bargain_views``."""
    return _bargains().filter(starter=starter).order_by("-created_at", "-pk")


def bargain_views(bargains) -> list[BargainView]:
    now = timezone.now()
    return [_view(bargain, now) for bargain in bargains]


def views_for_starter(*, starter: User, limit: int = 50) -> list[BargainView]:
    return bargain_views(bargains_for_starter(starter=starter)[:limit])
