import pytest
from django.core.exceptions import ValidationError

from accounts.tests.factories import OperatorFactory
from catalog.choices import ProductStatus
from catalog.tests.factories import SkuFactory, image_bytes
from catalog.tests.test_images import png_claiming
from distribution.choices import ResellerStatus
from distribution.tests.factories import ResellerFactory
from shops.choices import SHOP_TRANSITIONS, ShopActor, ShopStatus
from shops.exceptions import (
    InvalidShopTransition,
    PriceOutOfBounds,
    ProductNotOnSale,
    ResellerNotActive,
    ShopAlreadyOpen,
    ShopSlugInvalid,
    ShopSlugTaken,
    ShopTransitionNotAllowed,
    SkuNotInProduct,
)
from shops.models import Shop, ShopProduct, ShopSkuPrice
from shops.services import (
    shop_open,
    shop_pick_place,
    shop_pick_product,
    shop_pick_remove,
    shop_pick_set_prices,
    shop_pick_update,
    shop_set_status,
    shop_update,
)

from .factories import ShopFactory, ShopProductFactory

pytestmark = pytest.mark.django_db


def product_on_sale(**sku_kwargs):
    sku = SkuFactory(**sku_kwargs)  # list 100.00, bounds 60.00–200.00
    return sku.product, sku


# --- opening ---------------------------------------------------------------


def test_a_reseller_opens_its_shop_with_an_avatar():
    shop = shop_open(owner=ResellerFactory(), name=" 小美的店 ", slug="XiaoMei", avatar=image_bytes(size=(500, 300)))

    assert (shop.name, shop.slug, shop.status) == ("小美的店", "xiaomei", ShopStatus.OPEN)
    assert shop.avatar.name.startswith("shops/avatars/")


@pytest.mark.parametrize("slug", ["ab", "-start", "has space", "中文", "admin", "mine", "x" * 41])
def test_bad_or_reserved_addresses_are_refused(slug):
    with pytest.raises(ShopSlugInvalid):
        shop_open(owner=ResellerFactory(), name="店", slug=slug)


def test_an_address_is_unique_whatever_its_case():
    ShopFactory(slug="xiaomei")

    with pytest.raises(ShopSlugTaken):
        shop_open(owner=ResellerFactory(), name="店", slug="XIAOMEI")


def test_one_shop_per_reseller():
    shop = ShopFactory()

    with pytest.raises(ShopAlreadyOpen):
        shop_open(owner=shop.owner, name="第二家", slug="second")


def test_a_frozen_reseller_cannot_open_a_shop():
    with pytest.raises(ResellerNotActive):
        shop_open(owner=ResellerFactory(status=ResellerStatus.FROZEN), name="店", slug="frozen")


def test_a_bad_avatar_opens_nothing():
    with pytest.raises(ValidationError):
        shop_open(owner=ResellerFactory(), name="店", slug="bomb", avatar=png_claiming(30_000, 30_000))

    assert not Shop.objects.exists()


def test_the_owner_changes_name_intro_and_avatar():
    shop = ShopFactory()

    shop_update(shop=shop, name="新名字", intro="新介绍", avatar=image_bytes())
    shop_update(shop=shop, name="新名字", intro="新介绍", remove_avatar=True)

    shop.refresh_from_db()
    assert (shop.name, shop.intro, shop.avatar.name) == ("新名字", "新介绍", "")


# --- status --------------------------------------------------------------------

PAIRS = [(a, b) for a in ShopStatus.values for b in ShopStatus.values if a != b]


@pytest.mark.parametrize(("current", "wanted"), PAIRS)
@pytest.mark.parametrize("who", [ShopActor.OWNER, ShopActor.OPERATOR])
def test_owners_open_and_close_operators_suspend(current, wanted, who):
    shop = ShopFactory(status=current)
    actor = shop.owner.user if who == ShopActor.OWNER else OperatorFactory()
    allowed_by = SHOP_TRANSITIONS.get((current, wanted))

    if allowed_by is None:
        with pytest.raises(InvalidShopTransition) as refused:
            shop_set_status(shop=shop, status=wanted, by=actor, as_operator=who == ShopActor.OPERATOR)
        assert refused.value.extra["current_state"] == current
    elif who not in allowed_by:
        with pytest.raises(ShopTransitionNotAllowed):
            shop_set_status(shop=shop, status=wanted, by=actor, as_operator=who == ShopActor.OPERATOR)
    else:
        shop_set_status(shop=shop, status=wanted, by=actor, as_operator=who == ShopActor.OPERATOR, reason="r")
        assert Shop.objects.get(pk=shop.pk).status == shop.status == wanted
        change = shop.status_changes.get()
        assert (change.from_status, change.to_status, change.changed_by, change.reason) == (current, wanted, actor, "r")
        return
    assert Shop.objects.get(pk=shop.pk).status == current
    assert not shop.status_changes.exists()


def test_an_owner_cannot_lift_its_own_suspension():
    shop = ShopFactory(status=ShopStatus.SUSPENDED)

    with pytest.raises(ShopTransitionNotAllowed):
        shop_set_status(shop=shop, status=ShopStatus.OPEN, by=shop.owner.user)


# --- picking and pricing -------------------------------------------------------


def test_picking_adds_products_at_the_end_once():
    shop = ShopFactory()
    first, _ = product_on_sale()
    second, _ = product_on_sale()

    shop_pick_product(shop=shop, product=first)
    shop_pick_product(shop=shop, product=second)
    again = shop_pick_product(shop=shop, product=first)

    assert again.position == 0
    assert list(shop.picks.order_by("position").values_list("product_id", flat=True)) == [first.pk, second.pk]


@pytest.mark.parametrize("status", [ProductStatus.DRAFT, ProductStatus.OFF_SALE])
def test_only_products_on_sale_can_be_picked(status):
    product, _ = product_on_sale(product__status=status)

    with pytest.raises(ProductNotOnSale):
        shop_pick_product(shop=ShopFactory(), product=product)


def test_a_product_of_a_suspended_supplier_cannot_be_picked():
    product, _ = product_on_sale(product__supplier__is_active=False)

    with pytest.raises(ProductNotOnSale):
        shop_pick_product(shop=ShopFactory(), product=product)


@pytest.mark.parametrize("price", [6000, 10000, 13800, 20000])
def test_a_price_within_the_bounds_is_kept(price):
    product, sku = product_on_sale()

    pick = shop_pick_product(shop=ShopFactory(), product=product, prices={sku.pk: price})

    assert ShopSkuPrice.objects.get(pick=pick, sku=sku).price_amount == price


@pytest.mark.parametrize("price", [5999, 20001, 0])
def test_a_price_outside_the_bounds_saves_nothing(price):
    product, sku = product_on_sale()
    shop = ShopFactory()

    with pytest.raises(PriceOutOfBounds) as refused:
        shop_pick_product(shop=shop, product=product, prices={sku.pk: price})

    assert refused.value.extra["sku_ids"] == [sku.pk]
    assert not ShopProduct.objects.filter(shop=shop).exists()  # the pick too: all or nothing


def test_one_bad_price_among_good_ones_changes_nothing():
    pick = ShopProductFactory()
    good = pick.product.skus.get()
    bad = SkuFactory(product=pick.product)

    with pytest.raises(PriceOutOfBounds):
        shop_pick_set_prices(pick=pick, prices={good.pk: 15000, bad.pk: 1})

    assert not ShopSkuPrice.objects.exists()


def test_a_sku_of_another_product_is_refused():
    pick = ShopProductFactory()

    with pytest.raises(SkuNotInProduct):
        shop_pick_set_prices(pick=pick, prices={SkuFactory().pk: 10000})


def test_no_price_means_back_to_the_list_price():
    pick = ShopProductFactory()
    sku = pick.product.skus.get()
    shop_pick_set_prices(pick=pick, prices={sku.pk: 15000})

    shop_pick_set_prices(pick=pick, prices={sku.pk: None})

    assert not ShopSkuPrice.objects.exists()


def test_picks_are_reordered_and_hidden():
    shop = ShopFactory()
    a, b, c = (ShopProductFactory(shop=shop, position=index) for index in range(3))

    shop_pick_place(pick=c, position=0)
    shop_pick_update(pick=a, is_hidden=True)

    assert list(shop.picks.order_by("position").values_list("pk", flat=True)) == [c.pk, a.pk, b.pk]
    a.refresh_from_db()
    assert a.is_hidden


def test_removing_a_pick_removes_its_prices():
    pick = ShopProductFactory()
    shop_pick_set_prices(pick=pick, prices={pick.product.skus.get().pk: 15000})

    shop_pick_remove(pick=pick)

    assert not ShopProduct.objects.exists() and not ShopSkuPrice.objects.exists()
