"""Races that the database, not Python, must decide (real PostgreSQL, threads)."""

import threading

import pytest
from django.db import connections

from catalog.tests.factories import SkuFactory
from distribution.tests.factories import ResellerFactory
from shops.exceptions import ShopSlugTaken
from shops.models import Shop, ShopProduct
from shops.services import shop_open, shop_pick_product

from .factories import ShopFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(*calls):
    """Start every call at the same moment, each in its own thread and
    database connection; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - the test inspects what was raised
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_resellers_racing_for_one_address_one_wins_the_other_is_told():
    first, second = ResellerFactory(), ResellerFactory()

    results = run_together(
        lambda: shop_open(owner=first, name="甲", slug="same-slug"),
        lambda: shop_open(owner=second, name="乙", slug="same-slug"),
    )

    assert sorted(type(result).__name__ for result in results) == ["Shop", "ShopSlugTaken"]
    assert Shop.objects.filter(slug="same-slug").count() == 1
    assert any(isinstance(result, ShopSlugTaken) for result in results)


def test_concurrent_picks_into_one_shop_get_distinct_places():
    shop = ShopFactory()
    products = [SkuFactory().product for _ in range(4)]

    results = run_together(
        *(lambda product=product: shop_pick_product(shop=shop, product=product) for product in products)
    )

    assert all(isinstance(result, ShopProduct) for result in results)
    assert sorted(ShopProduct.objects.filter(shop=shop).values_list("position", flat=True)) == [0, 1, 2, 3]
