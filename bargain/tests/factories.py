"""Worlds for bargaining tests, built through the services."""

from datetime import timedelta

from django.utils import timezone

from accounts.tests.factories import OperatorFactory, UserFactory
from bargain.models import Bargain, BargainCampaign
from bargain.services import bargain_help, bargain_start, campaign_create
from catalog.tests.factories import SkuFactory
from groupbuy.choices import CommissionMode


def a_campaign(
    *,
    sku=None,
    start: int = 10000,
    floor: int = 6000,
    helps: int = 3,
    stock: int = 100,
    time_limit=timedelta(hours=24),
    new_users_only: bool = False,
    commission_mode: str = CommissionMode.NONE,
    commission_bps: int = 0,
) -> BargainCampaign:
    """An operator's running campaign on one SKU (list 100.00, cost 50.00), from ``start`` down to ``floor``."""
    sku = sku or SkuFactory(stock=stock)
    now = timezone.now()
    return campaign_create(
        by=OperatorFactory(),
        sku=sku,
        title="好友帮砍",
        start_price_amount=start,
        floor_price_amount=floor,
        helps_needed=helps,
        time_limit=time_limit,
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(days=3),
        helpers_must_be_new=new_users_only,
        commission_mode=commission_mode,
        commission_bps=commission_bps,
    )


def started(campaign: BargainCampaign, *, starter=None) -> Bargain:
    return bargain_start(starter=starter or UserFactory(), campaign_id=campaign.pk)


def helped(bargain: Bargain, *, helper=None):
    return bargain_help(helper=helper or UserFactory(), bargain_id=bargain.pk)
