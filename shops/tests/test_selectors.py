"""Who sees what in a shop, and at which price."""

import pytest

from catalog.choices import ProductStatus
from catalog.models import Sku
from catalog.tests.factories import ProductFactory, SkuFactory
from distribution.choices import ResellerStatus
from shops.choices import ShopStatus
from shops.selectors import (
    shop_categories,
    shop_list_public,
    shop_pick_get_visible,
    shop_picks_visible,
    shop_product_offers,
    shop_sku_offer,
)
from shops.services import shop_pick_set_prices
from socialshop.errors import NotFound

from .factories import ShopFactory, ShopProductFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("shop_status", "owner_status", "public"),
    [
        (ShopStatus.OPEN, ResellerStatus.ACTIVE, True),
        (ShopStatus.CLOSED, ResellerStatus.ACTIVE, False),
        (ShopStatus.SUSPENDED, ResellerStatus.ACTIVE, False),
        (ShopStatus.OPEN, ResellerStatus.FROZEN, False),
    ],
)
def test_only_open_shops_of_active_resellers_are_public(shop_status, owner_status, public):
    shop = ShopFactory(status=shop_status, owner__status=owner_status)
    pick = ShopProductFactory(shop=shop)

    assert (shop in shop_list_public()) == public
    if public:
        assert shop_pick_get_visible(shop=shop, product_id=pick.product_id) == pick
    else:
        with pytest.raises(NotFound):
            shop_pick_get_visible(shop=shop, product_id=pick.product_id)


def test_visitors_see_shown_picks_of_products_on_sale_with_a_buyable_sku():
    shop = ShopFactory()
    shown = ShopProductFactory(shop=shop)
    ShopProductFactory(shop=shop, is_hidden=True)
    ShopProductFactory(shop=shop, product__status=ProductStatus.OFF_SALE)
    ShopProductFactory(shop=shop, product__supplier__is_active=False)
    no_active_sku = ShopProductFactory(shop=shop)
    Sku.objects.filter(product=no_active_sku.product).update(is_active=False)
    ShopProductFactory()  # another shop's

    assert list(shop_picks_visible(shop=shop)) == [shown]


def test_category_and_search_narrow_the_shop():
    shop = ShopFactory()
    tea = ShopProductFactory(shop=shop, product__title="古树普洱", product__category__slug="tea")
    ShopProductFactory(shop=shop, product__title="蜂蜜", product__category__slug="food")

    assert list(shop_picks_visible(shop=shop, category_slug="tea")) == [tea]
    assert list(shop_picks_visible(shop=shop, query="普洱")) == [tea]
    assert {category.slug for category in shop_categories(shop=shop)} == {"tea", "food"}


def test_offers_give_the_shop_price_or_the_list_price_and_the_markup():
    pick = ShopProductFactory()
    marked_up = pick.product.skus.get()
    plain = SkuFactory(product=pick.product, list_price_amount=8000)
    SkuFactory(product=pick.product, is_active=False)
    shop_pick_set_prices(pick=pick, prices={marked_up.pk: 12800})

    offers = {offer.sku.pk: offer for offer in shop_product_offers(shop=pick.shop, product_id=pick.product_id)}

    assert set(offers) == {marked_up.pk, plain.pk}
    assert (offers[marked_up.pk].price_amount, offers[marked_up.pk].markup_amount) == (12800, 2800)
    assert (offers[plain.pk].price_amount, offers[plain.pk].markup_amount) == (8000, 0)
    assert offers[plain.pk].has_shop_price is False


def test_a_shop_price_is_clamped_when_the_supplier_narrows_the_bounds():
    pick = ShopProductFactory()
    sku = pick.product.skus.get()
    shop_pick_set_prices(pick=pick, prices={sku.pk: 19000})
    Sku.objects.filter(pk=sku.pk).update(max_resale_amount=15000)

    assert shop_sku_offer(shop=pick.shop, sku_id=sku.pk).price_amount == 15000


def test_a_sku_offer_is_what_a_cart_line_needs():
    pick = ShopProductFactory()
    sku = pick.product.skus.get()
    shop_pick_set_prices(pick=pick, prices={sku.pk: 11100})

    offer = shop_sku_offer(shop=pick.shop, sku_id=sku.pk)

    assert (offer.sku, offer.price_amount, offer.list_price_amount, offer.markup_amount) == (sku, 11100, 10000, 1100)


@pytest.mark.parametrize("why", ["hidden", "not picked", "inactive sku", "closed shop", "off sale"])
def test_a_sku_that_cannot_be_bought_in_the_shop_is_not_found(why):
    pick = ShopProductFactory()
    sku = pick.product.skus.get()
    shop = pick.shop
    if why == "hidden":
        pick.is_hidden = True
        pick.save()
    elif why == "not picked":
        sku = SkuFactory(product=ProductFactory())
    elif why == "inactive sku":
        Sku.objects.filter(pk=sku.pk).update(is_active=False)
    elif why == "closed shop":
        shop.status = ShopStatus.CLOSED
        shop.save()
    else:
        pick.product.status = ProductStatus.OFF_SALE
        pick.product.save()

    with pytest.raises(NotFound):
        shop_sku_offer(shop=shop, sku_id=sku.pk)
