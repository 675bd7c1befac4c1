"""Stacking on the checkout page (docs/coupons.md): where the operator
allows a platform coupon with a supplier coupon, checkout offers the pair
beside each coupon alone, suggests whichever saves most, and places the
order with both; without the setting, no pair is offered, and a pair typed
into the form is not taken. The phone walk (390×844) is in
``test_browser.py``'s neighbour below."""

import re

import pytest
from django.test import Client

from accounts.tests.factories import UserFactory
from catalog.tests.factories import SkuFactory
from coupons.choices import CouponFunder
from coupons.models import CouponSettings
from orders.models import Order, OrderDiscount
from orders.services.addresses import address_save
from orders.tests.factories import an_address
from shops.services import shop_pick_product
from shops.tests.factories import ShopFactory

from .factories import claimed

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    shop = ShopFactory()
    sku = SkuFactory(list_price_amount=29_900, max_resale_amount=40_000, stock=20)
    shop_pick_product(shop=shop, product=sku.product)
    buyer = UserFactory()
    address_save(user=buyer, address=an_address())
    platform = claimed(user=buyer, name="全场满200减30", threshold_amount=20_000, off_amount=3_000)
    supplier = claimed(
        user=buyer,
        name="山货店铺券减20",
        funder=CouponFunder.SUPPLIER,
        funder_supplier=sku.product.supplier,
        off_amount=2_000,
    )
    client = Client()
    client.force_login(buyer)
    client.post("/cart/add/", {"sku": sku.pk, "quantity": 1, "shop": shop.slug})
    return {"buyer": buyer, "platform": platform, "supplier": supplier, "client": client, "sku": sku}


def _options(page: str) -> list[str]:
    return re.findall(r'name="coupon" value="([^"]*)"', page)


def _checked(page: str) -> str:
    return re.search(r'name="coupon" value="([^"]*)"[^>]*checked', page).group(1)


def test_with_stacking_allowed_the_pair_is_offered_first_and_the_order_takes_both(world):
    CouponSettings.objects.create(stacking_allowed=True)
    pair = f"{world['platform'].pk},{world['supplier'].pk}"

    page = world["client"].get("/checkout/").content.decode()

    assert _options(page)[0] == pair and _checked(page) == pair
    assert "叠加使用" in page and "¥249.00" in page  # 299.00 − 20.00 − 30.00
    placed = world["client"].post("/checkout/", {"address": str(world["buyer"].addresses.get().pk), "coupon": pair})
    assert placed.status_code == 302, placed.content.decode()[:2000]
    order = Order.objects.get(buyer=world["buyer"])
    assert (order.total_amount, order.discount_amount) == (24_900, 5_000)
    assert sorted(OrderDiscount.objects.filter(order=order).values_list("claim_id", flat=True)) == sorted(
        [world["platform"].pk, world["supplier"].pk]
    )


def test_the_buyer_may_still_pick_one_of_the_pair_alone(world):
    CouponSettings.objects.create(stacking_allowed=True)

    world["client"].post(
        "/checkout/", {"address": str(world["buyer"].addresses.get().pk), "coupon": str(world["supplier"].pk)}
    )

    order = Order.objects.get(buyer=world["buyer"])
    assert order.discount_amount == 2_000


def test_without_stacking_no_pair_is_offered_and_a_pair_sent_anyway_is_not_taken(world):
    page = world["client"].get("/checkout/").content.decode()

    assert "," not in "".join(_options(page)) and "叠加使用" not in page
    assert _checked(page) == str(world["platform"].pk)  # the best single coupon
    world["client"].post(
        "/checkout/",
        {"address": str(world["buyer"].addresses.get().pk), "coupon": f"{world['platform'].pk},{world['supplier'].pk}"},
    )
    # not an option offered: placed without a coupon rather than with an unoffered pair
    assert Order.objects.get(buyer=world["buyer"]).discount_amount == 0


def test_two_platform_coupons_never_make_a_pair(world):
    CouponSettings.objects.create(stacking_allowed=True)
    second = claimed(user=world["buyer"], name="再减10", off_amount=1_000)

    options = _options(world["client"].get("/checkout/").content.decode())

    assert f"{world['platform'].pk},{second.pk}" not in options and f"{second.pk},{world['platform'].pk}" not in options
    assert f"{second.pk},{world['supplier'].pk}" in options
