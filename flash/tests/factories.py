"""Flash-sale worlds for tests: a campaign in a slot, built as an operator
would (the admin writes the rows; the services do the rest)."""

from datetime import timedelta

from django.utils import timezone

from catalog.tests.factories import SkuFactory
from flash.choices import CommissionMode
from flash.models import FlashCampaign, FlashItem


def a_campaign(
    *,
    starts_in: timedelta = timedelta(0),
    lasts: timedelta = timedelta(hours=2),
    limit: int = 1,
    hold_minutes: int = 5,
    commission_mode: str = CommissionMode.FULL,
    commission_share_bps: int = 5_000,
    now=None,
) -> FlashCampaign:
    starts_at = (now or timezone.now()) + starts_in - timedelta(seconds=1)
    return FlashCampaign.objects.create(
        title="限时秒杀",
        starts_at=starts_at,
        ends_at=starts_at + lasts,
        per_person_limit=limit,
        hold_minutes=hold_minutes,
        commission_mode=commission_mode,
        commission_share_bps=commission_share_bps,
    )


def a_flash_item(*, campaign=None, sku=None, units: int = 10, stock: int = 100, price: int = 5_900, **campaign_fields):
    """A SKU (list price 100.00, cost 50.00, ``stock`` in stock) at ``price``
    with ``units`` of flash stock, in ``campaign`` (a live one by default)."""
    campaign = campaign or a_campaign(**campaign_fields)
    sku = sku or SkuFactory(stock=stock)
    return FlashItem.objects.create(campaign=campaign, sku=sku, flash_price_amount=price, planned_stock=units)
