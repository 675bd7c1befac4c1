"""Worlds for group-buying tests, built through the services."""

from datetime import timedelta

from django.utils import timezone

from accounts.tests.factories import OperatorFactory, UserFactory
from catalog.tests.factories import SkuFactory
from groupbuy.choices import CommissionMode
from groupbuy.models import Campaign, Member
from groupbuy.services import campaign_create, group_join, group_open
from orders.tests.factories import an_address


def a_campaign(
    *,
    sku=None,
    size: int = 2,
    group_price: int = 8000,
    leader_price: int | None = None,
    stock: int = 100,
    fill_within=timedelta(hours=24),
    per_person_limit: int = 2,
    commission_mode: str = CommissionMode.NONE,
    commission_bps: int = 0,
    coupons_apply: bool = False,
) -> Campaign:
    """An operator's running campaign on one SKU (list 100.00, cost 50.00) at ``group_price``."""
    sku = sku or SkuFactory(stock=stock)
    now = timezone.now()
    return campaign_create(
        by=OperatorFactory(),
        product=sku.product,
        prices={sku.pk: (group_price, leader_price)},
        title="两人团",
        group_size=size,
        fill_within=fill_within,
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(days=3),
        per_person_limit=per_person_limit,
        commission_mode=commission_mode,
        commission_bps=commission_bps,
        coupons_apply=coupons_apply,
    )


def campaign_sku_id(campaign: Campaign) -> int:
    return campaign.skus.values_list("sku_id", flat=True).first()


def opened(campaign: Campaign, *, buyer=None, quantity: int = 1, coupon_ids=None) -> Member:
    return group_open(
        buyer=buyer or UserFactory(),
        campaign_id=campaign.pk,
        sku_id=campaign_sku_id(campaign),
        quantity=quantity,
        address=an_address(),
        coupon_ids=coupon_ids,
    )


def joined(group_id: int, *, buyer=None, quantity: int = 1, coupon_ids=None) -> Member:
    member = Member.objects.select_related("campaign").filter(group_id=group_id).first()
    return group_join(
        buyer=buyer or UserFactory(),
        group_id=group_id,
        sku_id=campaign_sku_id(member.campaign),
        quantity=quantity,
        address=an_address(),
        coupon_ids=coupon_ids,
    )


def consumers_run() -> None:
    """What the workers do after the commits: every consumer handles what is
    due to it, until nothing is left (a handled event may write new ones:
    a filled group's, a refund's)."""
    from socialshop.events import events_sweep

    for _round in range(20):
        if not sum(events_sweep().values()):
            return
    raise AssertionError("the consumers never caught up")
