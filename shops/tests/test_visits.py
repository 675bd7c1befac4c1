"""A shop's visitors: each browser counted once per Beijing day, whichever
pages of the shop it opens and however often; the owner never; nothing that
names a person stored (shops/visits.py)."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.test import Client

from accounts.tests.factories import UserFactory
from conftest import run_together
from shops.models import ShopVisitor
from shops.selectors import shop_visitor_counts
from shops.services import shop_visitor_record
from shops.visits import COOKIE_NAME, visitor_key_for

from .factories import ShopFactory, ShopProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    shop = ShopFactory(slug="xiaomei")
    shop.product_id = ShopProductFactory(shop=shop).product_id
    return shop


def browse(browser: Client, shop, *paths: str) -> None:
    for path in paths or ("",):
        response = browser.get(f"/s/{shop.slug}/{path}")
        assert response.status_code == 200


def test_a_browser_is_one_visitor_a_day_whatever_it_opens(shop):
    browser = Client()

    browse(browser, shop, "", f"p/{shop.product_id}/", "", f"p/{shop.product_id}/?ref={shop.owner.invite_code}")

    assert ShopVisitor.objects.filter(shop=shop).count() == 1
    visitor = ShopVisitor.objects.get()
    assert visitor.product_id is None  # the first page it saw was the shop's
    assert not visitor.referred


def test_two_browsers_are_two_visitors_and_the_owner_is_none(shop):
    owner = Client()
    owner.force_login(shop.owner.user)
    someone = Client()
    someone.force_login(UserFactory())

    browse(owner, shop, "", f"p/{shop.product_id}/")
    browse(Client(), shop, f"p/{shop.product_id}/?ref={shop.owner.invite_code}")
    browse(someone, shop)

    assert shop_visitor_counts(shop=shop, today=date.today()).today == 2
    assert COOKIE_NAME not in owner.cookies  # the owner's views write nothing, not even a cookie
    came = ShopVisitor.objects.exclude(product=None).get()
    assert came.product_id == shop.product_id and came.referred


def test_the_cookie_is_first_party_and_only_its_keyed_hash_is_stored(shop):
    browser = Client(REMOTE_ADDR="203.0.113.7")

    browse(browser, shop)

    cookie = browser.cookies[COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["max-age"] == 365 * 24 * 3600
    stored = ShopVisitor.objects.get().visitor_key
    assert stored == visitor_key_for(cookie.value) and cookie.value not in stored
    assert "203.0.113.7" not in str(ShopVisitor.objects.values().get())
    browse(browser, shop)  # the same cookie again: not a new visitor, no new cookie
    assert ShopVisitor.objects.count() == 1


@pytest.mark.parametrize("forged", ["", "short", "x" * 200, "é" * 20, "a b c d e f g h i j"])
def test_a_forged_or_broken_cookie_gets_a_fresh_one(shop, forged):
    browser = Client()
    browser.cookies[COOKIE_NAME] = forged

    browse(browser, shop)

    assert browser.cookies[COOKIE_NAME].value != forged
    assert ShopVisitor.objects.get().visitor_key == visitor_key_for(browser.cookies[COOKIE_NAME].value)


def test_days_are_beijing_days(shop):
    browser = Client()

    with time_machine.travel(datetime(2026, 12, 4, 15, 59, tzinfo=UTC), tick=False):  # 23:59 in Beijing
        browse(browser, shop)
    with time_machine.travel(datetime(2026, 12, 4, 16, 1, tzinfo=UTC), tick=False):  # 00:01 the next day
        browse(browser, shop)
        browse(browser, shop)

    assert list(ShopVisitor.objects.order_by("day").values_list("day", flat=True)) == [
        date(2026, 12, 4),
        date(2026, 12, 5),
    ]
    counts = shop_visitor_counts(shop=shop, today=date(2026, 12, 5))
    assert (counts.today, counts.month) == (1, 1)  # the same browser: one visitor this month


def test_this_month_counts_each_browser_once_and_starts_on_the_first(shop):
    for day, key in [
        (date(2026, 11, 30), "a"),
        (date(2026, 12, 1), "a"),
        (date(2026, 12, 3), "a"),
        (date(2026, 12, 3), "b"),
    ]:
        ShopVisitor.objects.create(shop=shop, day=day, visitor_key=key)

    counts = shop_visitor_counts(shop=shop, today=date(2026, 12, 3))

    assert (counts.today, counts.month) == (2, 2)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_visitor_twice_at_once_is_one_row(shop):
    outcomes = run_together(*[lambda: shop_visitor_record(shop=shop, visitor_key="k" * 32)] * 4)

    assert outcomes == [None] * 4  # nobody fails on the conflict
    assert ShopVisitor.objects.filter(shop=shop).count() == 1
