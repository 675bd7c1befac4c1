"""The shopper's pages (issue 13), through Django's test client: what each
shows and how many queries it costs. The product page (已售 from paid lines,
the crossed-out list price, the SKU sheet, the buy bar), the cart (by shop,
thumbnails, steppers without JavaScript, invalid lines apart), the checkout
(only the rows chosen), 我的订单's tabs, the 支付成功 page that reads the
order's state, and after-sales with photos. The journey in a browser is
tests/test_shopper_journey_browser.py."""

import re

import hypothesis
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import strategies as st

from accounts.tests.factories import UserFactory
from catalog.choices import ProductStatus
from catalog.models import Product, Sku
from catalog.tests.factories import ProductImageFactory, SkuFactory, image_bytes
from flash.tests.factories import a_flash_item
from orders.choices import Actor, RefundReason, RefundResolution
from orders.models import CartItem, Order, Refund, RefundPhoto
from orders.services.addresses import address_save
from orders.services.lifecycle import order_cancel
from orders.services.refunds import refund_photos_process, refund_request
from orders.tests.factories import an_address, pay, place, ship, shop_selling
from shops.services import shop_pick_product
from shops.tests.factories import ShopFactory
from socialshop.money import format_yuan

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


def _product_with(count_skus: int, count_images: int):
    shop, sku = shop_selling(price=12_000, stock=50)
    for index in range(count_skus - 1):
        SkuFactory(product=sku.product, spec={"规格": f"款{index}"}, stock=50)
    for _ in range(count_images):
        ProductImageFactory(product=sku.product)
    return shop, sku


# --- the product page ----------------------------------------------------------


@pytest.mark.parametrize(("skus", "images"), [(1, 1), (6, 5)])
def test_the_product_page_costs_the_same_queries_whatever_its_options_and_pictures(
    client, django_assert_max_num_queries, skus, images
):
    shop, sku = _product_with(skus, images)
    buyer = UserFactory()
    client.force_login(buyer)
    CartItem.objects.create(user=buyer, shop=shop, sku=sku, quantity=1)
    a_flash_item(sku=sku, price=3_900)

    # shop, pick, images, SKUs, prices; 已售; session, user; the bar's cart count; the visitor (one INSERT);
    # group buying's running campaign, if any (拼团, groupbuy's group_offer); the flash item (秒杀, flash_offer)
    # the inbox badge; the coupons to claim (领取); the running bargain campaign, if any (砍价, bargain_offer)
    with django_assert_max_num_queries(15):
        response = client.get(f"/s/{shop.slug}/p/{sku.product_id}/")

    page = html(response)
    assert response.status_code == 200 and page.count('class="sku-option') == skus
    assert "限时秒杀" in page and "¥39.00" in page
    assert page.count('width="800" height="800"') == images and page.count('loading="lazy"') >= images - 1


def test_sold_counts_units_on_paid_lines_only(client):
    shop, sku = shop_selling(price=12_000, stock=50)
    pay(place(shop=shop, sku=sku, quantity=2))
    pay(place(sku=sku, quantity=3))  # bought outside the shop: the product's sales all the same
    place(shop=shop, sku=sku, quantity=4)  # never paid
    refunded = pay(place(shop=shop, sku=sku, quantity=5))
    order_cancel(order_id=refunded.pk, by=refunded.buyer, actor_kind=Actor.BUYER, reason="不想要了")

    page = html(client.get(f"/s/{shop.slug}/p/{sku.product_id}/"))

    assert re.search(r'class="sold">已售 5<', page), re.findall(r'class="sold">[^<]*<', page)


def test_the_list_price_is_crossed_out_only_where_it_is_higher(client):
    cheaper, sku = shop_selling(price=8_000, stock=3)  # list price 100.00
    dearer = ShopFactory()
    shop_pick_product(shop=dearer, product=sku.product, prices={sku.pk: 12_000})

    below = html(client.get(f"/s/{cheaper.slug}/p/{sku.product_id}/"))
    above = html(client.get(f"/s/{dearer.slug}/p/{sku.product_id}/"))

    assert '<s class="list-price" id="list-price">¥100.00</s>' in below
    assert 'id="list-price" hidden' in above
    assert 'class="stock-hint low" id="stock-hint">仅剩 3 件<' in below  # a low stock says so, in colour


def test_the_product_page_has_a_sheet_a_buy_bar_and_a_share_button(client):
    shop, sku = _product_with(2, 1)

    page = html(client.get(f"/s/{shop.slug}/p/{sku.product_id}/"))

    assert 'href="#sku-sheet" data-open-sheet' in page and 'id="sku-sheet"' in page
    assert 'name="quantity" form="buy"' in page and 'data-step="1"' in page
    bar = page.split('id="buy"', 1)[1].split("</form>", 1)[0]
    assert all(words in bar for words in ("店铺", "购物车", "加入购物车", "立即购买"))
    assert f'href="/s/{shop.slug}/p/{sku.product_id}/share/"' in page  # the share page shows the poster


def test_a_shop_page_has_the_tab_bar_and_remembers_the_shop_for_the_cart(client):
    shop, sku = shop_selling()
    client.post("/cart/add/", {"shop": shop.slug, "sku": sku.pk, "quantity": 1})

    response = client.get(f"/s/{shop.slug}/")
    cart = html(client.get("/cart/"))

    tabbar = html(response).split('class="tabbar"', 1)[1].split("</nav>", 1)[0]
    assert all(tab in tabbar for tab in ("首页", "分类", "购物车", "我的"))
    assert 'class="badge" data-cart-count>1<' in tabbar
    assert response.cookies["last_shop"].value == shop.slug
    assert f'href="/s/{shop.slug}/categories/"' in cart.split('class="tabbar"', 1)[1]  # back to that shop


def test_the_categories_tab_lists_the_shops_categories(client):
    shop, sku = shop_selling()

    page = html(client.get(f"/s/{shop.slug}/categories/"))

    assert f'?category={sku.product.category.slug}"' in page and 'aria-current="page"' in page


# --- the cart ------------------------------------------------------------------


def _fill_cart(client, lines: int):
    first, other = ShopFactory(), ShopFactory()
    skus = []
    for index in range(lines):
        shop, sku = shop_selling(shop=first if index % 2 else other, price=11_000 + index * 100)
        ProductImageFactory(product=sku.product)
        client.post("/cart/add/", {"shop": shop.slug, "sku": sku.pk, "quantity": 1})
        skus.append((shop, sku))
    return skus


@pytest.mark.parametrize("lines", [1, 6])
def test_the_cart_costs_the_same_queries_whatever_its_lines(client, django_assert_max_num_queries, lines):
    client.force_login(UserFactory())
    _fill_cart(client, lines)

    # session, user; cart items; SKUs, pictures, shops' offers; the tab bar's count
    with django_assert_max_num_queries(8):
        response = client.get("/cart/")

    assert html(response).count('class="cart-line"') == lines


def test_the_cart_groups_lines_by_shop_and_shows_invalid_ones_apart(client):
    client.force_login(UserFactory())
    (shop, sold_out), (_, off_sale), (_, fine), *_ = _fill_cart(client, 4)
    Sku.objects.filter(pk=sold_out.pk).update(stock=0)
    Product.objects.filter(pk=off_sale.product_id).update(status=ProductStatus.OFF_SALE)

    page = html(client.get("/cart/"))

    assert page.count('class="cart-group" data-group') == 2  # two shops
    assert page.count('<img class="thumb"') == 4
    invalid = page.split('id="cart-invalid"', 1)[1]
    assert "已售罄" in invalid and "已下架" in invalid and "失效商品 2 件" in invalid
    assert f'value="{sold_out.pk}@' not in page.split('id="cart-invalid"', 1)[0].split('name="pick"', 1)[1]
    assert 'id="cart-total">¥' in page


def test_the_steppers_and_delete_work_without_javascript(client):
    (shop, sku), *_ = _fill_cart(client, 1)
    item = {"shop": shop.slug, "sku": sku.pk}

    client.post("/cart/update/", {**item, "quantity": 1, "step": "1"})
    client.post("/cart/update/", {**item, "quantity": 2, "step": "1"})
    client.post("/cart/update/", {**item, "quantity": 3, "step": "-1"})
    page = html(client.get("/cart/"))
    assert 'name="quantity" value="2"' in page and "¥220.00" in page

    client.post("/cart/update/", {**item, "quantity": 0})
    assert "购物车是空的" in html(client.get("/cart/"))


def test_a_stepper_asked_for_json_answers_the_line_priced_by_the_server(client):
    (shop, sku), *_ = _fill_cart(client, 1)

    answer = client.post(
        "/cart/update/", {"shop": shop.slug, "sku": sku.pk, "quantity": 3}, HTTP_ACCEPT="application/json"
    ).json()
    bad = client.post("/cart/update/", {"shop": shop.slug, "sku": "x", "quantity": 3}, HTTP_ACCEPT="application/json")

    assert answer == {
        "key": f"{sku.pk}@{shop.slug}",
        "quantity": 3,
        "total_amount": 33_000,
        "total": "¥330.00",
        "short_of_stock": False,
        "max_quantity": 99,
        "count": 1,
    }
    assert bad.status_code == 400 and bad.json()["code"] == "validation_error"


# --- checkout ------------------------------------------------------------------


def test_checkout_takes_only_the_rows_chosen_in_the_cart_and_leaves_the_rest(client):
    buyer = UserFactory()
    address_save(user=buyer, address=an_address())
    client.force_login(buyer)
    (shop, chosen), (_, left), *_ = _fill_cart(client, 2)

    client.post("/checkout/", {"from": "cart", "pick": [f"{chosen.pk}@{shop.slug}"]})
    page = html(client.get("/checkout/"))
    saved = buyer.addresses.get()
    response = client.post("/checkout/", {"address": str(saved.pk), "pick": [f"{chosen.pk}@{shop.slug}"]})

    assert chosen.product.title in page and left.product.title not in page
    assert 'class="tag">默认<' in page and 'id="checkout-total">¥' in page
    order = Order.objects.get(buyer=buyer)
    assert response.status_code == 302 and [line.sku_id for line in order.lines.all()] == [chosen.pk]
    assert list(CartItem.objects.filter(user=buyer).values_list("sku_id", flat=True)) == [left.pk]


def test_buy_now_checks_out_that_item_alone(client):
    buyer = UserFactory()
    client.force_login(buyer)
    _fill_cart(client, 2)
    shop, sku = shop_selling(price=15_000)

    client.post("/cart/add/", {"shop": shop.slug, "sku": sku.pk, "quantity": 2, "then": "checkout"})
    page = html(client.get("/checkout/"))

    assert sku.product.title in page and "共 1 件，应付" in page and "¥300.00" in page


# --- my orders -----------------------------------------------------------------


def test_order_tabs_count_each_state_in_one_query_and_narrow_the_list(client, django_assert_max_num_queries):
    buyer = UserFactory()
    shop, sku = shop_selling()
    place(buyer=buyer, shop=shop, sku=sku)
    pay(place(buyer=buyer, shop=shop, sku=sku))
    ship(pay(place(buyer=buyer, shop=shop, sku=sku)))
    asked = pay(place(buyer=buyer, shop=shop, sku=sku))
    refund_request(order_id=asked.pk, line_id=asked.lines.get().pk, buyer=buyer, amount=1_000, reason="少件")
    client.force_login(buyer)

    # session, user; the counts; orders, lines, pictures, parcels, refunds, photos; the inbox badge
    with django_assert_max_num_queries(11):
        everything = html(client.get("/orders/"))
    to_ship = html(client.get("/orders/?tab=to_ship"))

    tabs = everything.split('class="order-tabs"', 1)[1].split("</nav>", 1)[0]
    assert re.search(r'data-tab="to_pay"[^>]*>待付款<span class="count">1<', tabs)
    assert re.search(r'data-tab="to_ship"[^>]*>待发货<span class="count">2<', tabs)
    assert re.search(r'data-tab="to_receive"[^>]*>待收货<span class="count">1<', tabs)
    assert re.search(r'data-tab="after_sales"[^>]*>售后<span class="count">1<', tabs)
    assert everything.count('class="order-card order-summary"') == 4 and to_ship.count("order-summary") == 2
    assert 'data-action="pay"' in everything and 'data-action="confirm"' in everything
    assert 'data-action="tracking"' in everything and 'data-action="after-sales"' in everything


@pytest.mark.parametrize(
    ("paid", "check", "shows", "refreshes"),
    [
        (False, 0, "正在确认支付结果", True),
        (False, 15, "暂未确认支付结果", False),
        (True, 0, "支付成功", False),
    ],
    ids=["waiting", "gave up waiting", "paid"],
)
def test_back_from_paying_the_page_reads_the_orders_state(client, paid, check, shows, refreshes):
    shop, sku = shop_selling(price=12_900)
    order = place(shop=shop, sku=sku)
    if paid:
        pay(order)
    client.force_login(order.buyer)

    page = html(client.get(f"/orders/{order.pk}/?from=pay&check={check}"))

    assert shows in page
    assert ('http-equiv="refresh"' in page) is refreshes
    assert ('id="pay"' in page) is (not paid and not refreshes)  # no second payment while one is confirmed
    if refreshes:
        assert f"?from=pay&amp;check={check + 1}" in page
    if paid:
        result = page.split('id="pay-result"', 1)[1].split("</section>", 1)[0]
        assert order.number in result and "¥129.00" in result and "查看订单" in result and "继续逛" in result


def test_the_order_page_shows_a_timeline_in_chinese(client):
    shop, sku = shop_selling()
    order = ship(pay(place(shop=shop, sku=sku)))
    client.force_login(order.buyer)

    page = html(client.get(f"/orders/{order.pk}/"))

    steps = page.split('<ol class="steps"', 1)[1].split("</ol>", 1)[0]
    assert re.findall(r'<li class="done">.*?step-label">(\w+)<', steps) == ["下单", "付款", "发货"]
    words = re.sub(r"<[^>]+>", " ", steps.split(">", 1)[1])
    assert "收货" in words and "完成" in words and not re.findall(r"[A-Za-z_]{3,}", words)


# --- after-sales -----------------------------------------------------------------


def _paid(client):
    shop, sku = shop_selling(price=12_000)
    order = pay(place(shop=shop, sku=sku))
    client.force_login(order.buyer)
    return order, order.lines.get()


def _photo(name="a.jpg", **kwargs):
    return SimpleUploadedFile(name, image_bytes(**kwargs), content_type="image/jpeg")


def test_a_refund_request_with_photos_is_stored_and_shown_to_the_buyer_and_the_supplier(client):
    order, line = _paid(client)

    response = client.post(
        f"/orders/{order.pk}/lines/{line.pk}/refund/",
        {
            "resolution": RefundResolution.RETURN_AND_REFUND,
            "reason_code": RefundReason.QUALITY,
            "amount": "50",
            "description": "袖口开线",
            "photos": [_photo(), _photo("b.png", fmt="PNG")],
        },
    )

    refund = Refund.objects.get(order=order)
    assert response.status_code == 302
    assert (refund.resolution, refund.reason_code, refund.description, refund.amount) == (
        "return_and_refund",
        "quality",
        "袖口开线",
        5_000,
    )
    assert refund.photos.count() == 2
    buyer_page = html(client.get(f"/orders/{order.pk}/"))
    assert "退货退款 · 质量问题" in buyer_page and "袖口开线" in buyer_page
    assert buyer_page.count('alt="凭证图片"') == 2 and "退款进度" in buyer_page
    from catalog.services import supplier_staff_add

    staff = UserFactory()
    supplier_staff_add(supplier=line.supplier, user=staff)
    client.force_login(staff)
    row = html(client.get("/supplier/refunds/")).split(f'id="refund-{refund.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "退货退款" in row and "质量问题" in row and row.count('alt="凭证图片"') == 2


@pytest.mark.parametrize(
    ("photos", "error"),
    [
        (lambda: [SimpleUploadedFile("x.jpg", b"not a picture", content_type="image/jpeg")], "不是"),
        (lambda: [_photo(f"{n}.jpg") for n in range(4)], "最多 3 张"),
        (lambda: [_photo(fmt="GIF")], "JPEG"),
    ],
    ids=["not an image", "four photos", "a gif"],
)
def test_bad_photos_are_a_form_error_and_nothing_is_stored(client, photos, error):
    order, line = _paid(client)

    response = client.post(
        f"/orders/{order.pk}/lines/{line.pk}/refund/",
        {"resolution": "refund_only", "reason_code": "quality", "amount": "50", "photos": photos()},
    )

    assert response.status_code == 400 and error in html(response)
    assert not Refund.objects.exists() and not RefundPhoto.objects.exists()


def test_a_reason_must_be_chosen_from_the_list(client):
    order, line = _paid(client)

    response = client.post(
        f"/orders/{order.pk}/lines/{line.pk}/refund/",
        {"resolution": "refund_only", "reason_code": "bored", "amount": "5"},
    )

    assert response.status_code == 400 and not Refund.objects.exists()


def test_the_photo_service_refuses_more_than_three():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        refund_photos_process([image_bytes()] * 4)

    assert refused.value.code == "too_many_photos"


# --- page weight ------------------------------------------------------------------

PAGE_BUDGET = 60 * 1024  # HTML + CSS + JS of a page, before images (issue 13)


def _weight(client, path: str) -> int:
    """The page's HTML and every stylesheet and script it links, in bytes."""
    from django.contrib.staticfiles import finders

    page = html(client.get(path))
    assets = re.findall(r'<link rel="stylesheet" href="/static/([^"]+)"', page)
    assets += re.findall(r'<script src="/static/([^"]+)"', page)
    assert assets, path
    return len(page.encode()) + sum(len(open(finders.find(asset), "rb").read()) for asset in set(assets))


def test_the_shop_and_product_pages_weigh_under_60_kb_before_images(client):
    shop, sku = _product_with(6, 5)
    for _ in range(19):
        shop_selling(shop=shop)
    client.force_login(UserFactory())

    for path in (f"/s/{shop.slug}/", f"/s/{shop.slug}/p/{sku.product_id}/"):
        assert _weight(client, path) < PAGE_BUDGET, path


def test_operators_see_the_buyers_choices_and_photos_in_the_admin(client):
    from accounts.tests.factories import OperatorFactory

    order, line = _paid(client)
    refund = refund_request(
        order_id=order.pk,
        line_id=line.pk,
        buyer=order.buyer,
        amount=1_000,
        reason="少件",
        resolution=RefundResolution.RETURN_AND_REFUND,
        reason_code=RefundReason.MISSING_ITEMS,
        photos=refund_photos_process([image_bytes()]),
    )
    client.force_login(OperatorFactory())

    page = html(client.get(f"/admin/orders/refund/{refund.pk}/change/"))

    assert "退货退款" in page and "少件、漏发" in page and refund.photos.get().thumbnail.url in page


# --- a property: the checkout charges exactly what it shows, for the rows ticked ----------------------------


@hypothesis.settings(
    max_examples=8, deadline=None, suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture]
)
@hypothesis.given(
    ticks=st.lists(st.booleans(), min_size=3, max_size=3).filter(any),
    quantities=st.lists(st.integers(min_value=1, max_value=9), min_size=3, max_size=3),
    prices=st.lists(st.integers(min_value=6_000, max_value=20_000), min_size=3, max_size=3),
)
def test_checkout_places_exactly_the_rows_ticked_at_the_total_it_shows(client, ticks, quantities, prices):
    # given a cart of three lines at shop prices within the bounds, some of them ticked
    buyer = UserFactory()
    address_save(user=buyer, address=an_address())
    client.force_login(buyer)
    rows = []
    for price, quantity in zip(prices, quantities, strict=True):
        shop, sku = shop_selling(price=price, stock=50)
        client.post("/cart/add/", {"shop": shop.slug, "sku": sku.pk, "quantity": quantity})
        rows.append((f"{sku.pk}@{shop.slug}", sku.pk, price * quantity))
    picked = [row for row, tick in zip(rows, ticks, strict=True) if tick]

    # when the buyer checks them out with the saved address
    client.post("/checkout/", {"from": "cart", "pick": [key for key, _sku, _total in picked]})
    shown = re.search(r'id="checkout-total">([^<]+)<', html(client.get("/checkout/"))).group(1)
    client.post("/checkout/", {"address": str(buyer.addresses.get().pk), "pick": [key for key, *_ in picked]})

    # then the order holds those lines at the total shown, and the others stay in the cart
    order = Order.objects.get(buyer=buyer)
    assert shown == format_yuan(order.total_amount) == format_yuan(sum(total for *_, total in picked))
    assert sorted(line.sku_id for line in order.lines.all()) == sorted(sku for _key, sku, _total in picked)
    left = set(CartItem.objects.filter(user=buyer).values_list("sku_id", flat=True))
    assert left == {sku for (_key, sku, _total), tick in zip(rows, ticks, strict=True) if not tick}
