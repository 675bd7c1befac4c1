"""The gate and the flash services against the real PostgreSQL and Redis:
threads released together, each with its own database connection."""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.tests.factories import UserFactory
from catalog.models import Sku
from flash.choices import AdmissionStatus
from flash.exceptions import AdmissionExpired, FlashEnded, FlashLimitReached, FlashNotStarted, FlashSoldOut
from flash.gate import gate_read
from flash.models import FlashAdmission, FlashItem
from flash.services import (
    flash_admissions_expire,
    flash_admit,
    flash_item_open,
    flash_items_close,
    flash_order_place,
)
from orders.choices import OrderStatus
from orders.tests.factories import an_address, pay

from .factories import a_flash_item

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _attempt(item_id, buyer):
    try:
        return flash_admit(item_id=item_id, buyer=buyer)
    except (FlashSoldOut, FlashLimitReached) as error:
        return error.code
    finally:
        connection.close()


def _units_everywhere(item: FlashItem) -> int:
    """The SKU's stock + what the flash stock still holds + units in live orders."""
    item.refresh_from_db()
    sku = Sku.objects.get(pk=item.sku_id)
    held = item.flash_stock - item.sold if item.opened_at and not item.closed_at else 0
    in_orders = FlashAdmission.objects.filter(
        item=item, status=AdmissionStatus.ORDERED, order__status__in=[OrderStatus.PENDING_PAYMENT, OrderStatus.PAID]
    ).count()
    return sku.stock + held + in_orders


def test_two_thousand_taps_for_a_hundred_units_admit_exactly_a_hundred_within_the_limits():
    item = a_flash_item(units=100, stock=150, limit=2)
    buyers = [UserFactory() for _ in range(400)]  # each taps 5 times
    taps = [buyer for buyer in buyers for _ in range(5)]

    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(lambda buyer: (buyer.pk, _attempt(item.pk, buyer)), taps))

    admitted = Counter(buyer_id for buyer_id, outcome in outcomes if not isinstance(outcome, str))
    item.refresh_from_db()
    assert sum(admitted.values()) == 100
    assert max(admitted.values()) <= 2
    assert {outcome for _b, outcome in outcomes if isinstance(outcome, str)} <= {
        "flash_sold_out",
        "flash_limit_reached",
    }
    assert item.flash_stock == 100 and item.taken == 100
    assert FlashAdmission.objects.filter(item=item, status=AdmissionStatus.ADMITTED).count() == 100
    assert Sku.objects.get(pk=item.sku_id).stock == 50  # the other 50 stayed with the SKU
    assert gate_read(item_id=item.pk)["left"] == 0


def test_sold_out_is_answered_by_the_gate_without_a_query(django_assert_num_queries):
    item = a_flash_item(units=1)
    flash_admit(item_id=item.pk, buyer=UserFactory())
    late = UserFactory()

    with django_assert_num_queries(0), pytest.raises(FlashSoldOut):
        flash_admit(item_id=item.pk, buyer=late)


@pytest.mark.parametrize("in_sql", [True, False], ids=["sql-path", "orm-path"])
def test_a_second_tap_past_the_limit_is_refused_and_the_first_places_at_the_flash_price(in_sql, settings):
    settings.ORDERS_PLACE_IN_SQL = in_sql
    item = a_flash_item(units=5, limit=1, price=5_900)
    buyer = UserFactory()
    admitted = flash_admit(item_id=item.pk, buyer=buyer)

    with pytest.raises(FlashLimitReached):
        flash_admit(item_id=item.pk, buyer=buyer)
    order = flash_order_place(buyer=buyer, token=admitted.token, address=an_address())

    line = order.lines.get()
    assert (order.total_amount, line.unit_price_amount, line.list_price_amount) == (5_900, 5_900, 10_000)
    assert line.flash_commission_share_bps == 10_000
    # the same token again answers the same order
    assert flash_order_place(buyer=buyer, token=admitted.token, address=an_address()).pk == order.pk
    item.refresh_from_db()
    assert (item.taken, item.sold) == (1, 1)
    assert _units_everywhere(item) == 100


def test_a_slot_not_started_or_ended_is_refused_and_takes_no_stock():
    upcoming = a_flash_item(starts_in=timedelta(hours=1))
    ended = a_flash_item(starts_in=timedelta(hours=-3), lasts=timedelta(hours=1))

    with pytest.raises(FlashNotStarted):
        flash_admit(item_id=upcoming.pk, buyer=UserFactory())
    with pytest.raises(FlashEnded):
        flash_admit(item_id=ended.pk, buyer=UserFactory())

    assert Sku.objects.get(pk=upcoming.sku_id).stock == 100
    assert Sku.objects.get(pk=ended.sku_id).stock == 100


def test_unpaid_and_unused_admissions_expire_and_their_units_are_sold_again():
    item = a_flash_item(units=3, stock=10, hold_minutes=5)
    never_orders, never_pays, pays = UserFactory(), UserFactory(), UserFactory()
    flash_admit(item_id=item.pk, buyer=never_orders)
    unpaid = flash_order_place(
        buyer=never_pays, token=flash_admit(item_id=item.pk, buyer=never_pays).token, address=an_address()
    )
    paid = pay(
        flash_order_place(buyer=pays, token=flash_admit(item_id=item.pk, buyer=pays).token, address=an_address())
    )
    with pytest.raises(FlashSoldOut):
        flash_admit(item_id=item.pk, buyer=UserFactory())

    released = flash_admissions_expire(now=timezone.now() + timedelta(minutes=6))

    assert released == 2
    unpaid.refresh_from_db()
    assert unpaid.status == OrderStatus.CANCELLED
    assert paid.status == OrderStatus.PAID
    item.refresh_from_db()
    assert (item.taken, item.sold) == (1, 1)
    assert gate_read(item_id=item.pk)["left"] == 2
    # sold again, to two others
    for buyer in (UserFactory(), UserFactory()):
        pay(flash_order_place(buyer=buyer, token=flash_admit(item_id=item.pk, buyer=buyer).token, address=an_address()))
    with pytest.raises(FlashSoldOut):
        flash_admit(item_id=item.pk, buyer=UserFactory())
    assert _units_everywhere(item) == 10
    # a late try with an expired admission is refused, and a second sweep finds nothing more to give back
    with pytest.raises(AdmissionExpired):
        flash_order_place(
            buyer=never_orders,
            token=FlashAdmission.objects.get(buyer=never_orders).token,
            address=an_address(),
        )
    assert flash_admissions_expire(now=timezone.now() + timedelta(minutes=6)) == 0


def test_an_order_cancelled_by_its_buyer_gives_the_unit_back_to_the_flash_stock():
    from orders.choices import Actor, Reason
    from orders.services.lifecycle import order_cancel

    item = a_flash_item(units=1, stock=5)
    buyer = UserFactory()
    order = flash_order_place(buyer=buyer, token=flash_admit(item_id=item.pk, buyer=buyer).token, address=an_address())
    order_cancel(order_id=order.pk, by=buyer, actor_kind=Actor.BUYER, reason=Reason.CANCELLED_BY_BUYER, buyer=buyer)

    assert flash_admissions_expire() == 1

    assert Sku.objects.get(pk=item.sku_id).stock == 4
    assert flash_admit(item_id=item.pk, buyer=UserFactory())  # the unit is to be had again
    assert _units_everywhere(item) == 5


def test_a_redis_restart_mid_slot_loses_nothing_and_sells_nothing_twice():
    item = a_flash_item(units=100, stock=100, limit=1)
    first = [UserFactory() for _ in range(60)]
    for buyer in first[:20]:
        flash_order_place(buyer=buyer, token=flash_admit(item_id=item.pk, buyer=buyer).token, address=an_address())
    for buyer in first[20:]:
        flash_admit(item_id=item.pk, buyer=buyer)

    redis.Redis.from_url(settings.FLASH_REDIS_URL).flushdb()  # this run's Redis database only

    # the first sixty tap again (their limit still holds), a hundred others race for what is left
    others = [UserFactory() for _ in range(100)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(lambda buyer: (buyer.pk, _attempt(item.pk, buyer)), first + others))

    admitted = [buyer_id for buyer_id, outcome in outcomes if not isinstance(outcome, str)]
    assert len(admitted) == 40
    assert set(admitted) <= {buyer.pk for buyer in others}
    item.refresh_from_db()
    assert item.taken == 100 == FlashAdmission.objects.filter(item=item, status__in=["admitted", "ordered"]).count()
    assert FlashAdmission.objects.filter(item=item).values("buyer").distinct().count() == 100
    gate = gate_read(item_id=item.pk)
    assert gate["left"] == 0 and len(gate["tokens"]) == 100


def test_a_slot_takes_its_stock_once_and_gives_back_what_was_not_sold_once():
    item = a_flash_item(units=30, stock=20, limit=5)  # the SKU has fewer than planned: it gives what it has
    assert flash_item_open(item_id=item.pk) is True
    assert flash_item_open(item_id=item.pk) is False
    item.refresh_from_db()
    assert (item.flash_stock, Sku.objects.get(pk=item.sku_id).stock) == (20, 0)
    buyer = UserFactory()
    flash_order_place(buyer=buyer, token=flash_admit(item_id=item.pk, buyer=buyer).token, address=an_address())
    waiting = flash_admit(item_id=item.pk, buyer=buyer)

    after = item.campaign.ends_at + timedelta(seconds=1)
    assert flash_items_close(now=after) == 1
    assert flash_items_close(now=after) == 0

    item.refresh_from_db()
    assert Sku.objects.get(pk=item.sku_id).stock == 19
    assert FlashAdmission.objects.get(token=waiting.token).status == AdmissionStatus.RELEASED
    assert (item.taken, item.sold) == (1, 1)


def test_the_flash_line_earns_what_the_campaign_says_in_the_payment_snapshot():
    from commissions.models import Commission
    from distribution.services import binding_touch
    from distribution.tests.factories import ResellerFactory
    from orders.events import order_paid
    from socialshop.models import Event

    reseller = ResellerFactory()
    item = a_flash_item(units=2, price=8_000, commission_mode="reduced", commission_share_bps=5_000, limit=2)
    full = a_flash_item(units=2, price=8_000, limit=2)  # another campaign, full commission
    buyer = UserFactory()
    binding_touch(customer=buyer, reseller=reseller, source="link")
    order = pay(
        flash_order_place(buyer=buyer, token=flash_admit(item_id=item.pk, buyer=buyer).token, address=an_address())
    )
    regular = pay(
        flash_order_place(buyer=buyer, token=flash_admit(item_id=full.pk, buyer=buyer).token, address=an_address())
    )

    payload = Event.objects.get(type=order_paid, aggregate_id=order.pk).payload
    line = order.lines.get()
    assert payload["flash_commission_shares"] == {str(line.pk): 5_000}
    halved = Commission.objects.get(order_line=line, tier=1).amount
    whole = Commission.objects.get(order_line=regular.lines.get(), tier=1).amount
    assert whole > 0 and halved == whole // 2
