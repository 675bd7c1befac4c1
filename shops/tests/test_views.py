"""The storefront as a visitor sees it, and a reseller's own shop pages."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.tests.factories import UserFactory
from catalog.choices import ProductStatus
from catalog.models import Sku
from catalog.tests.factories import ProductImageFactory, SkuFactory
from catalog.tests.test_images import png_claiming
from distribution.referrals import SESSION_KEY
from distribution.tests.factories import ResellerFactory
from shops.choices import ShopStatus
from shops.models import Shop, ShopProduct, ShopSkuPrice
from shops.services import shop_pick_set_prices

from .factories import ShopFactory, ShopProductFactory

pytestmark = pytest.mark.django_db


def page(response) -> str:
    return response.content.decode()


# --- storefront -------------------------------------------------------------------


def test_the_shop_shows_its_products_at_its_prices(client):
    shop = ShopFactory(name="小美的好物", intro="只卖好东西")
    marked_up = ShopProductFactory(shop=shop, product__title="真丝连衣裙")
    shop_pick_set_prices(pick=marked_up, prices={marked_up.product.skus.get().pk: 12800})
    ShopProductFactory(shop=shop, product__title="纯棉T恤")
    ShopProductFactory(shop=shop, product__title="藏起来的", is_hidden=True)

    html = page(client.get(f"/s/{shop.slug}/"))

    assert "小美的好物" in html and "只卖好东西" in html
    assert "真丝连衣裙" in html and "¥128.00" in html
    assert "纯棉T恤" in html and "¥100.00" in html
    assert "藏起来的" not in html


def test_the_shop_keeps_the_owners_order(client):
    shop = ShopFactory()
    ShopProductFactory(shop=shop, product__title="第二", position=1)
    ShopProductFactory(shop=shop, product__title="第一", position=0)

    html = page(client.get(f"/s/{shop.slug}/"))

    assert html.index("第一") < html.index("第二")


def test_category_filter_and_search_within_the_shop(client):
    shop = ShopFactory()
    ShopProductFactory(
        shop=shop, product__title="古树普洱", product__category__slug="tea", product__category__name="茶"
    )
    ShopProductFactory(shop=shop, product__title="野生蜂蜜", product__category__slug="food")
    ShopProductFactory(product__title="别家的普洱")

    by_category = page(client.get(f"/s/{shop.slug}/", {"category": "tea"}))
    by_words = page(client.get(f"/s/{shop.slug}/", {"q": "蜂蜜"}))

    assert "古树普洱" in by_category and "野生蜂蜜" not in by_category
    assert "野生蜂蜜" in by_words and "古树普洱" not in by_words and "别家的普洱" not in by_words
    assert 'href="?category=tea' in page(client.get(f"/s/{shop.slug}/"))


def test_no_match_says_so(client):
    shop = ShopFactory()
    ShopProductFactory(shop=shop)

    response = client.get(f"/s/{shop.slug}/", {"q": "不存在的东西"})

    assert response.status_code == 200 and 'class="empty"' in page(response)


@pytest.mark.parametrize(
    ("status", "owner_status"),
    [(ShopStatus.CLOSED, "active"), (ShopStatus.SUSPENDED, "active"), (ShopStatus.OPEN, "frozen")],
)
def test_a_shop_that_is_not_open_shows_a_clear_page(client, status, owner_status):
    shop = ShopFactory(status=status, owner__status=owner_status)
    pick = ShopProductFactory(shop=shop, product__title="看不见的商品")

    for url in (f"/s/{shop.slug}/", f"/s/{shop.slug}/p/{pick.product_id}/"):
        response = client.get(url)
        assert response.status_code == 200
        assert 'class="notice"' in page(response) and shop.name in page(response)
        assert "看不见的商品" not in page(response)
    assert client.get(f"/s/{shop.slug}/poster.png").status_code == 404


def test_an_unknown_shop_is_a_friendly_404(client):
    response = client.get("/s/no-such-shop/")

    assert response.status_code == 404 and 'class="notice"' in page(response)


def test_the_product_page_offers_each_sku_at_the_shops_price(client):
    pick = ShopProductFactory(product__title="野生菌菇礼盒", with_sku=False)
    small = SkuFactory(product=pick.product, spec={"规格": "小盒"}, list_price_amount=16800, max_resale_amount=30000)
    big = SkuFactory(product=pick.product, spec={"规格": "大盒"}, list_price_amount=25800, max_resale_amount=40000)
    SkuFactory(product=pick.product, spec={"规格": "停售"}, is_active=False)
    shop_pick_set_prices(pick=pick, prices={big.pk: 29900})
    url = f"/s/{pick.shop.slug}/p/{pick.product_id}/"

    html = page(client.get(url))
    chosen = page(client.get(url, {"sku": big.pk}))

    assert "小盒" in html and "¥168.00" in html and "大盒" in html and "¥299.00" in html
    assert "停售" not in html
    assert re.search(r'id="price">¥168.00<', html)
    assert re.search(r'id="price">¥299.00<', chosen)
    assert re.search(rf'value="{small.pk}"[^>]* checked', html)
    assert "查看此规格" not in html  # the radios post with the cart form; no button to reload the page


def test_each_option_carries_the_price_the_shop_charges_and_a_stock_hint(client):
    pick = ShopProductFactory(with_sku=False)
    plenty = SkuFactory(product=pick.product, spec={"规格": "小盒"}, stock=100)
    few = SkuFactory(product=pick.product, spec={"规格": "大盒"}, stock=2)
    gone = SkuFactory(product=pick.product, spec={"规格": "礼盒"}, stock=0)
    shop_pick_set_prices(pick=pick, prices={plenty.pk: 15000, few.pk: 18000})
    Sku.objects.filter(pk=few.pk).update(max_resale_amount=16000)  # the supplier narrows the bounds afterwards

    html = page(client.get(f"/s/{pick.shop.slug}/p/{pick.product_id}/"))

    # the price as the shop charges it (the stored 180.00 clamped into the new bounds), for shops/product.js to show
    assert f'value="{plenty.pk}" data-price="¥150.00" data-stock-hint="有货" checked' in html
    assert f'value="{few.pk}" data-price="¥160.00" data-stock-hint="仅剩 2 件"' in html
    assert f'value="{gone.pk}" data-price="¥100.00" data-stock-hint="已售罄" disabled' in html
    assert re.search(r'id="price">¥150.00<', html) and re.search(r'id="stock-hint">有货<', html)
    assert '<script src="/static/shops/product.js" defer>' in html


def test_a_product_no_longer_in_the_shop_is_a_friendly_404(client):
    pick = ShopProductFactory(product__status=ProductStatus.OFF_SALE)

    response = client.get(f"/s/{pick.shop.slug}/p/{pick.product_id}/")

    assert response.status_code == 404 and pick.shop.name in page(response)


def test_share_links_carry_the_owners_invite_code(client):
    pick = ShopProductFactory()
    code = pick.shop.owner.invite_code

    shop_share = page(client.get(f"/s/{pick.shop.slug}/share/"))
    product_share = page(client.get(f"/s/{pick.shop.slug}/p/{pick.product_id}/share/"))

    assert f"http://testserver/s/{pick.shop.slug}/?ref={code}" in shop_share
    assert f"http://testserver/s/{pick.shop.slug}/p/{pick.product_id}/?ref={code}" in product_share
    assert f"/s/{pick.shop.slug}/poster.png" in shop_share


def test_opening_a_shared_link_records_the_referral(client):
    shop = ShopFactory()

    client.get(f"/s/{shop.slug}/", {"ref": shop.owner.invite_code})

    assert client.session[SESSION_KEY]["code"] == shop.owner.invite_code


@pytest.mark.parametrize("count", [3, 30])
def test_the_product_list_costs_the_same_queries_whatever_the_number_of_products(
    client, django_assert_max_num_queries, count
):
    shop = ShopFactory()
    for _ in range(count):
        pick = ShopProductFactory(shop=shop)
        SkuFactory(product=pick.product)
        ProductImageFactory(product=pick.product)
        shop_pick_set_prices(pick=pick, prices={pick.product.skus.first().pk: 12000})
    client.force_login(UserFactory())  # a logged-in visitor: session and user rows too

    # shop, categories, picks (+count), images, SKUs, prices; session and user; the tab bar's cart count;
    # the visitor (one INSERT … ON CONFLICT); the inbox badge
    with django_assert_max_num_queries(12):
        response = client.get(f"/s/{shop.slug}/")

    assert response.status_code == 200
    assert page(response).count('class="product-card"') == min(count, 20)


# --- the owner's pages -------------------------------------------------------------


@pytest.fixture
def reseller(client):
    reseller = ResellerFactory()
    client.force_login(reseller.user)
    return reseller


def test_a_customer_is_told_only_resellers_open_shops(client):
    client.force_login(UserFactory())

    response = client.get(reverse("shops:open"))

    assert response.status_code == 403 and 'class="notice"' in page(response)


def test_a_reseller_without_a_shop_is_sent_to_open_one(client, reseller):
    assert client.get(reverse("shops:manage"))["Location"] == reverse("shops:open")


def test_a_reseller_opens_a_shop(client, reseller):
    response = client.post(
        reverse("shops:open"),
        {
            "name": "阿杰的茶",
            "slug": "Ajie-Tea",
            "intro": "好茶",
            "avatar": SimpleUploadedFile("me.png", _png(), content_type="image/png"),
        },
    )

    assert response["Location"] == reverse("shops:manage")
    shop = Shop.objects.get(owner=reseller)
    assert shop.slug == "ajie-tea" and shop.avatar


def _png():
    from catalog.tests.factories import image_bytes

    return image_bytes(fmt="PNG")


def test_a_taken_address_is_a_field_error(client, reseller):
    ShopFactory(slug="taken")

    response = client.post(reverse("shops:open"), {"name": "店", "slug": "taken"})

    assert response.status_code == 400 and response.context["form"].errors["slug"]


def test_a_bomb_as_avatar_is_a_field_error_and_opens_nothing(client, reseller):
    response = client.post(
        reverse("shops:open"),
        {"name": "店", "slug": "bomb-shop", "avatar": SimpleUploadedFile("a.jpg", png_claiming(30_000, 30_000))},
    )

    assert response.status_code == 400 and response.context["form"].errors["avatar"]
    assert not Shop.objects.exists()


def test_the_owner_picks_from_the_catalogue(client, reseller):
    shop = ShopFactory(owner=reseller)
    wanted = SkuFactory(product__title="高原蜂蜜").product
    SkuFactory(product__title="草稿商品", product__status=ProductStatus.DRAFT)

    catalogue = page(client.get(reverse("commissions:catalogue")))
    client.post(reverse("shops:pick_add", args=[wanted.pk]), {"next": "https://evil.example/"})

    assert "高原蜂蜜" in catalogue and "草稿商品" not in catalogue
    assert ShopProduct.objects.filter(shop=shop, product=wanted).exists()


def test_the_owner_sets_a_price_and_sees_the_markup(client, reseller):
    pick = ShopProductFactory(shop=ShopFactory(owner=reseller))
    sku = pick.product.skus.get()

    response = client.post(reverse("shops:pick_edit", args=[pick.pk]), {f"sku_{sku.pk}": "135.50"})

    assert response.status_code == 302
    assert ShopSkuPrice.objects.get(pick=pick, sku=sku).price_amount == 13550
    assert "+¥35.50" in page(client.get(reverse("shops:manage")))


def test_a_price_outside_the_bounds_is_a_field_error(client, reseller):
    pick = ShopProductFactory(shop=ShopFactory(owner=reseller))
    sku = pick.product.skus.get()

    response = client.post(reverse("shops:pick_edit", args=[pick.pk]), {f"sku_{sku.pk}": "500"})

    assert response.status_code == 400 and response.context["form"].errors[f"sku_{sku.pk}"]
    assert not ShopSkuPrice.objects.exists()


def test_the_owner_orders_hides_and_removes_picks(client, reseller):
    shop = ShopFactory(owner=reseller)
    first, second = ShopProductFactory(shop=shop, position=0), ShopProductFactory(shop=shop, position=1)

    client.post(reverse("shops:pick_move", args=[second.pk]), {"direction": "up"})
    client.post(reverse("shops:pick_toggle_hidden", args=[first.pk]))
    assert list(shop.picks.order_by("position").values_list("pk", "is_hidden")) == [
        (second.pk, False),
        (first.pk, True),
    ]

    client.post(reverse("shops:pick_remove", args=[second.pk]))
    assert list(shop.picks.values_list("pk", flat=True)) == [first.pk]


def test_removing_a_pick_asks_first(client, reseller):
    shop = ShopFactory(owner=reseller)
    pick = ShopProductFactory(shop=shop, product__title="高原蜂蜜 500g")
    dashboard = page(client.get(reverse("shops:manage")))
    remove = reverse("shops:pick_remove", args=[pick.pk])

    asked = client.get(remove)

    assert f'<a href="{remove}">' in dashboard  # a link to the question, not a button that removes
    assert asked.status_code == 200 and "从店铺删除“高原蜂蜜 500g”？" in page(asked)
    assert ShopProduct.objects.filter(pk=pick.pk).exists()
    assert client.post(remove).status_code == 302
    assert not ShopProduct.objects.filter(pk=pick.pk).exists()


def test_another_shops_pick_is_not_found(client, reseller):
    ShopFactory(owner=reseller)
    theirs = ShopProductFactory()

    assert client.get(reverse("shops:pick_edit", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("shops:pick_remove", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("shops:pick_remove", args=[theirs.pk])).status_code == 404
    assert ShopProduct.objects.filter(pk=theirs.pk).exists()


def test_the_owner_closes_and_reopens(client, reseller):
    shop = ShopFactory(owner=reseller)

    client.post(reverse("shops:set_open"), {"open": "0"})
    shop.refresh_from_db()
    assert shop.status == ShopStatus.CLOSED

    client.post(reverse("shops:set_open"), {"open": "1"})
    shop.refresh_from_db()
    assert shop.status == ShopStatus.OPEN


def test_the_owner_renames_the_shop_and_changes_then_removes_its_avatar(client, reseller):
    shop = ShopFactory(owner=reseller)

    client.post(
        reverse("shops:edit"),
        {"name": "新名字", "intro": "新介绍", "avatar": SimpleUploadedFile("a.png", _png(), content_type="image/png")},
    )
    shop.refresh_from_db()
    assert (shop.name, shop.intro) == ("新名字", "新介绍") and shop.avatar

    response = client.post(reverse("shops:edit"), {"name": "新名字", "intro": "", "avatar-clear": "on"})

    assert response.status_code == 302
    shop.refresh_from_db()
    assert not shop.avatar
