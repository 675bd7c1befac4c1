"""What the hall, the flash product page and the API read."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Prefetch
from django.utils import timezone

from catalog.models import ProductImage

from .models import FlashCampaign, FlashItem

HALL_DAYS = 2  # today's and tomorrow's slots


@dataclass(frozen=True)
class Slot:
    """One slot of the hall: its start, its end, its campaigns' items."""

    starts_at: datetime
    ends_at: datetime
    items: list[FlashItem]

    def state(self, now: datetime) -> str:
        if now < self.starts_at:
            return "upcoming"
        return "live" if now < self.ends_at else "ended"


def _items():
    return FlashItem.objects.select_related("sku__product", "campaign").prefetch_related(
        Prefetch("sku__product__images", queryset=ProductImage.objects.order_by("position", "id"))
    )


def flash_slots(*, now: datetime | None = None) -> list[Slot]:
    """Slots not yet ended, of today and tomorrow (Beijing time), each with
    its items; a fixed number of queries."""
    now = now or timezone.now()
    horizon = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=HALL_DAYS)
    campaigns = FlashCampaign.objects.filter(ends_at__gt=now, starts_at__lt=horizon).prefetch_related(
        Prefetch("items", queryset=_items())
    )
    slots: dict[tuple, Slot] = {}
    for campaign in campaigns:
        key = (campaign.starts_at, campaign.ends_at)
        slot = slots.setdefault(key, Slot(starts_at=campaign.starts_at, ends_at=campaign.ends_at, items=[]))
        slot.items.extend(campaign.items.all())
    return sorted(slots.values(), key=lambda slot: (slot.starts_at, slot.ends_at))


def flash_item_get(*, item_id: int) -> FlashItem | None:
    return _items().filter(pk=item_id).first()


def item_progress(item: FlashItem) -> int:
    """How much of the flash stock is gone, in percent (the stock bar), from
    PostgreSQL's counts (before the slot: 0)."""
    if item.flash_stock <= 0:
        return 100 if item.opened_at else 0
    return min(100, item.taken * 100 // item.flash_stock)


def flash_offer_for_product(*, product_id: int, now: datetime | None = None) -> FlashItem | None:
    """The flash item the product page points to: of the product's items in
    a slot not yet ended and shown in the hall (today's and tomorrow's), the
    soonest slot's cheapest; one query."""
    now = now or timezone.now()
    horizon = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=HALL_DAYS)
    return (
        FlashItem.objects.select_related("campaign")
        .filter(sku__product_id=product_id, campaign__ends_at__gt=now, campaign__starts_at__lt=horizon)
        .order_by("campaign__starts_at", "flash_price_amount", "id")
        .first()
    )
