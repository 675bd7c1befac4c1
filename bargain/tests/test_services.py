"""Bargaining's services: start, help, buy, expire, and the money they
carry into the payment's snapshot."""

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.tests.factories import UserFactory
from bargain.calculations import bargain_cuts
from bargain.choices import BargainStatus
from bargain.events import bargain_bought, bargain_helped
from bargain.exceptions import (
    AlreadyHelped,
    AlreadyStarted,
    BargainClosed,
    CampaignInvalid,
    CampaignNotRunning,
    FloorReached,
    NewUsersOnly,
    SelfHelp,
)
from bargain.models import Bargain, Help, StatusChange
from bargain.services import bargain_buy, bargain_help, bargains_sweep, campaign_create, campaign_end
from catalog.models import Sku
from catalog.tests.factories import SkuFactory
from groupbuy.choices import CommissionMode
from groupbuy.tests.factories import consumers_run
from orders.choices import OrderStatus
from orders.services.lifecycle import order_cancel
from orders.tests.factories import an_address, pay
from socialshop.errors import NotFound
from socialshop.models import Event

from .factories import a_campaign, helped, started

pytestmark = pytest.mark.django_db


def buy(bargain, *, now=None):
    return bargain_buy(starter=bargain.starter, bargain_id=bargain.pk, address=an_address(), now=now)


def test_k_helps_take_the_seeded_cuts_and_land_on_the_floor():
    bargain = started(a_campaign(start=10000, floor=6000, helps=3))
    plan = bargain_cuts(seed=bargain.seed, helps_needed=3, start_amount=10000, floor_amount=6000)

    helps = [helped(bargain) for _ in range(3)]

    assert [row.cut_amount for row in helps] == plan
    assert [row.number for row in helps] == [1, 2, 3]
    bargain.refresh_from_db()
    assert (bargain.current_price_amount, bargain.helps_count) == (6000, 3)
    with pytest.raises(FloorReached):
        helped(bargain)
    event = Event.objects.filter(type=bargain_helped, aggregate_id=bargain.pk).order_by("pk").last()
    assert event.payload == {
        "bargain_id": bargain.pk,
        "starter_id": bargain.starter_id,
        "helper_id": helps[-1].helper_id,
        "cut_amount": plan[-1],
        "price_amount": 6000,
        "helps_left": 0,
    }


def test_a_friend_helps_a_bargain_once():
    bargain = started(a_campaign())
    friend = UserFactory()
    helped(bargain, helper=friend)

    with pytest.raises(AlreadyHelped):
        helped(bargain, helper=friend)

    bargain.refresh_from_db()
    assert bargain.helps_count == 1 and Help.objects.filter(bargain=bargain).count() == 1


def test_the_starter_cannot_help_itself():
    bargain = started(a_campaign())

    with pytest.raises(SelfHelp):
        helped(bargain, helper=bargain.starter)

    bargain.refresh_from_db()
    assert (bargain.helps_count, bargain.current_price_amount) == (0, 10000)


def test_one_bargain_per_person_per_campaign():
    campaign = a_campaign()
    buyer = UserFactory()
    started(campaign, starter=buyer)

    with pytest.raises(AlreadyStarted):
        started(campaign, starter=buyer)

    assert Bargain.objects.filter(campaign=campaign, starter=buyer).count() == 1


def test_buying_at_the_current_price_locks_the_bargain():
    bargain = started(a_campaign(start=10000, floor=6000, helps=3))
    first = helped(bargain)

    order = buy(bargain)

    assert order.total_amount == 10000 - first.cut_amount
    assert order.lines.get().unit_price_amount == 10000 - first.cut_amount
    assert order.status == OrderStatus.PENDING_PAYMENT
    bargain.refresh_from_db()
    assert (bargain.status, bargain.order_id) == (BargainStatus.ORDERED, order.pk)
    with pytest.raises(BargainClosed):
        helped(bargain)
    assert buy(bargain).pk == order.pk  # a double tap answers the same order
    pay(order)
    consumers_run()  # bargain's consumer of order.paid
    bargain.refresh_from_db()
    assert bargain.status == BargainStatus.BOUGHT
    assert Event.objects.filter(type=bargain_bought, aggregate_id=bargain.pk).count() == 1
    with pytest.raises(BargainClosed):
        helped(bargain)
    with pytest.raises(BargainClosed):
        buy(bargain)
    moves = list(StatusChange.objects.filter(bargain=bargain).order_by("pk").values_list("from_status", "to_status"))
    assert moves == [(BargainStatus.ACTIVE, BargainStatus.ORDERED), (BargainStatus.ORDERED, BargainStatus.BOUGHT)]


def test_buying_at_the_floor_takes_one_unit_of_stock():
    campaign = a_campaign(start=10000, floor=6000, helps=2, stock=5)
    bargain = started(campaign)
    helped(bargain), helped(bargain)

    order = buy(bargain)

    assert order.total_amount == 6000
    assert Sku.objects.get(pk=campaign.sku_id).stock == 4


def test_an_expired_bargain_cannot_be_bought_nor_helped():
    bargain = started(a_campaign(time_limit=timedelta(hours=1)))
    later = timezone.now() + timedelta(hours=2)

    with pytest.raises(BargainClosed):
        buy(bargain, now=later)
    with pytest.raises(BargainClosed):
        bargain_help(helper=UserFactory(), bargain_id=bargain.pk, now=later)

    assert bargains_sweep(now=later)[BargainStatus.EXPIRED] == 1
    bargain.refresh_from_db()
    assert bargain.status == BargainStatus.EXPIRED and bargain.order_id is None
    with pytest.raises(BargainClosed):
        buy(bargain)
    assert bargains_sweep(now=later)[BargainStatus.EXPIRED] == 0  # twice changes nothing


def test_an_unpaid_order_cancelled_reopens_the_bargain_with_its_helps():
    campaign = a_campaign(start=10000, floor=6000, helps=3, stock=5)
    bargain = started(campaign)
    cut = helped(bargain).cut_amount
    order = buy(bargain)
    order_cancel(order_id=order.pk, by=bargain.starter, actor_kind="buyer", reason="changed my mind")

    assert bargains_sweep()[BargainStatus.ACTIVE] == 1

    bargain.refresh_from_db()
    assert (bargain.status, bargain.order_id, bargain.current_price_amount) == (BargainStatus.ACTIVE, None, 10000 - cut)
    assert Sku.objects.get(pk=campaign.sku_id).stock == 5  # the cancellation gave the unit back
    helped(bargain)  # helps land again
    again = buy(bargain)
    assert again.pk != order.pk and again.total_amount < 10000 - cut


def test_an_unpaid_order_cancelled_after_the_time_ran_out_expires_the_bargain():
    bargain = started(a_campaign(time_limit=timedelta(hours=1)))
    order = buy(bargain)
    order_cancel(order_id=order.pk, by=None, actor_kind="system", reason="unpaid")

    bargains_sweep(now=timezone.now() + timedelta(hours=2))

    bargain.refresh_from_db()
    assert bargain.status == BargainStatus.EXPIRED


def test_an_ordered_bargain_whose_order_is_paid_stays_bought_past_its_time():
    bargain = started(a_campaign(time_limit=timedelta(hours=1)))
    order = buy(bargain)
    pay(order)

    bargains_sweep(now=timezone.now() + timedelta(hours=2))

    bargain.refresh_from_db()
    assert bargain.status == BargainStatus.BOUGHT


def test_another_persons_bargain_cannot_be_bought():
    bargain = started(a_campaign())

    with pytest.raises(NotFound):
        bargain_buy(starter=UserFactory(), bargain_id=bargain.pk, address=an_address())

    bargain.refresh_from_db()
    assert bargain.status == BargainStatus.ACTIVE


def test_only_new_users_may_help_when_the_campaign_says_so():
    veteran = UserFactory()  # made before the bargain started
    bargain = started(a_campaign(new_users_only=True))
    newcomer = UserFactory()

    with pytest.raises(NewUsersOnly):
        helped(bargain, helper=veteran)
    helped(bargain, helper=newcomer)

    bargain.refresh_from_db()
    assert bargain.helps_count == 1


def test_a_campaign_not_running_starts_nothing():
    campaign = a_campaign()
    campaign_end(campaign_id=campaign.pk)

    with pytest.raises(CampaignNotRunning):
        started(campaign)

    assert not Bargain.objects.exists()


@pytest.mark.parametrize(
    ("start", "floor", "helps", "field"),
    [
        (10000, 4999, 3, "floor_price_amount"),  # below the cost (50.00)
        (10001, 6000, 3, "start_price_amount"),  # above the list price (100.00)
        (6002, 6000, 3, "start_price_amount"),  # less than a fen per help
        (10000, 6000, 0, "helps_needed"),
        (10000, 6000, 101, "helps_needed"),
    ],
)
def test_a_campaign_below_cost_or_without_a_fen_per_help_is_refused(start, floor, helps, field):
    from accounts.tests.factories import OperatorFactory

    now = timezone.now()
    with pytest.raises(CampaignInvalid) as refused:
        campaign_create(
            by=OperatorFactory(),
            sku=SkuFactory(),
            title="",
            start_price_amount=start,
            floor_price_amount=floor,
            helps_needed=helps,
            time_limit=timedelta(hours=24),
            starts_at=now,
            ends_at=now + timedelta(days=1),
        )
    assert field in refused.value.fields


@pytest.mark.parametrize(
    ("mode", "bps", "share"),
    [(CommissionMode.FULL, 0, 10_000), (CommissionMode.REDUCED, 5_000, 5_000), (CommissionMode.NONE, 0, 0)],
)
def test_the_campaigns_commission_setting_is_in_the_payment_snapshot(mode, bps, share):
    from commissions.models import Commission
    from distribution.services import binding_touch
    from distribution.tests.factories import ResellerFactory
    from orders.events import order_paid

    reseller = ResellerFactory()
    bargain = started(a_campaign(start=10000, floor=8000, helps=2, commission_mode=mode, commission_bps=bps))
    binding_touch(customer=bargain.starter, reseller=reseller, source="link")
    helped(bargain), helped(bargain)
    order = pay(buy(bargain))
    # a regular order of the same SKU at the same price, full commission, to compare with
    regular = pay(_regular_order(bargain.starter, bargain.campaign.sku_id))
    consumers_run()  # the commission engine's consumer of order.paid

    line = order.lines.get()
    assert line.flash_commission_share_bps == share
    payload = Event.objects.get(type=order_paid, aggregate_id=order.pk).payload
    assert payload["flash_commission_shares"] == {str(line.pk): share}
    earned = Commission.objects.filter(order_line=line, tier=1).values_list("amount", flat=True).first() or 0
    whole = Commission.objects.get(order_line=regular.lines.get(), tier=1).amount
    # the plan's tier 1 earns 30% of the margin: 15.00 of the regular line's 50.00, and of the bargain
    # line's 30.00 (80.00 paid − 50.00 cost) 9.00 in full, 4.50 at half, nothing at none
    assert whole == 1500
    assert earned == {10_000: 900, 5_000: 450, 0: 0}[share]


def _regular_order(buyer, sku_id):
    from orders.pricing import LineRequest
    from orders.services.placing import order_place

    return order_place(buyer=buyer, lines=[LineRequest(sku_id=sku_id, quantity=1)], address=an_address())


def test_the_starter_is_told_of_each_help_in_its_inbox():
    from notifications.models import Message

    bargain = started(a_campaign(start=10000, floor=6000, helps=3))
    cut = helped(bargain, helper=UserFactory(nickname="张三丰")).cut_amount

    consumers_run()

    ((recipient, title, body),) = Message.objects.filter(kind="bargain_helped").values_list(
        "recipient_id", "title", "body"
    )
    assert recipient == bargain.starter_id
    assert title == f"张** 帮你砍掉了 ¥{cut / 100:,.2f}"
    assert f"现价 ¥{(10000 - cut) / 100:,.2f}，还差 2 人砍到最低价" in body


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    helps=st.integers(min_value=1, max_value=8),
    floor=st.integers(min_value=5000, max_value=9000),
    spread=st.integers(min_value=0, max_value=1000),
)
def test_through_the_database_k_helps_reach_the_floor_and_the_rows_say_so(helps, floor, spread):
    start = min(floor + helps + spread, 10000)
    if start - floor < helps:
        return
    bargain = started(a_campaign(start=start, floor=floor, helps=helps))

    rows = [helped(bargain) for _ in range(helps)]

    bargain.refresh_from_db()
    assert bargain.current_price_amount == floor
    prices = [start] + [row.price_after_amount for row in rows]
    assert all(row.cut_amount >= 1 for row in rows)
    assert all(prices[n] - prices[n + 1] == rows[n].cut_amount for n in range(helps))
    assert min(prices) == floor
    with pytest.raises(FloorReached):
        helped(bargain)


def test_beat_runs_the_sweep_that_expires_bargains_past_their_time(settings):
    from bargain.tasks import bargains_sweep_task

    bargain = started(a_campaign())
    Bargain.objects.filter(pk=bargain.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    counts = bargains_sweep_task.apply().get()

    assert settings.CELERY_BEAT_SCHEDULE["bargain-sweep"]["task"] == "bargain.tasks.bargains_sweep_task"
    assert counts[BargainStatus.EXPIRED] == 1
    bargain.refresh_from_db()
    assert bargain.status == BargainStatus.EXPIRED
    assert list(StatusChange.objects.filter(bargain=bargain).values_list("to_status", "reason")) == [
        (BargainStatus.EXPIRED, "time ran out")
    ]
