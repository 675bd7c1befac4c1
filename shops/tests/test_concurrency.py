"""Races that the database, not Python, must decide (real PostgreSQL, threads)."""

import pytest

from catalog.tests.factories import SkuFactory
from conftest import run_together
from distribution.tests.factories import ResellerFactory
from shops.exceptions import ShopSlugTaken
from shops.models import Shop, ShopProduct
from shops.services import shop_open, shop_pick_product

from .factories import ShopFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


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
