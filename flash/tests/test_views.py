"""The pages: the hall and the product in flash mode, in Chinese, in a
fixed number of queries; 立即抢购 as a form; the admitted buyer's checkout."""

from datetime import timedelta

import pytest
from django.test import Client

from accounts.tests.factories import UserFactory
from catalog.tests.factories import ProductImageFactory
from orders.models import Order

from .factories import a_campaign, a_flash_item

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_the_hall_shows_the_slots_with_a_countdown_in_chinese(django_assert_max_num_queries):
    live = a_campaign()
    for _ in range(4):
        ProductImageFactory(product=a_flash_item(campaign=live, price=5_900).sku.product)
    a_flash_item(starts_in=timedelta(hours=3))

    with django_assert_max_num_queries(6):
        page = Client().get("/flash/")

    html = page.content.decode()
    assert page.status_code == 200
    assert "限时秒杀" in html and "距结束" in html and "抢购中" in html
    assert html.count("¥59.00") == 4


def test_the_product_page_in_flash_mode_shows_price_stock_and_sold_out(django_assert_max_num_queries):
    item = a_flash_item(units=1, price=5_900)
    client = Client()
    client.force_login(UserFactory())

    with django_assert_max_num_queries(8):
        before = client.get(f"/flash/items/{item.pk}/").content.decode()
    grabbed = client.post(f"/flash/items/{item.pk}/grab/", follow=True)
    assert "/flash/checkout/" in grabbed.redirect_chain[-1][0], grabbed.content.decode()[-3000:]
    after = Client().get(f"/flash/items/{item.pk}/").content.decode()

    assert "¥59.00" in before and "立即抢购" in before and "每人限购 1 件" in before
    assert "已售罄" in after and "立即抢购" not in after


def test_grab_checkout_and_a_second_tap_refused_through_the_pages():
    item = a_flash_item(units=3, limit=1, price=5_900)
    buyer = UserFactory()
    client = Client()
    client.force_login(buyer)

    checkout = client.post(f"/flash/items/{item.pk}/grab/")
    assert checkout.status_code == 302 and "/flash/checkout/" in checkout["Location"]
    placed = client.post(
        checkout["Location"],
        {
            "address": "new",
            "new-recipient_name": "张三",
            "new-phone": "13800138000",
            "new-province_code": "44",
            "new-city_code": "4401",
            "new-district_code": "440106",
            "new-street": "体育西路 1 号",
            "note": "",
        },
    )
    again = client.post(f"/flash/items/{item.pk}/grab/", follow=True)

    order = Order.objects.get(buyer=buyer)
    assert placed.status_code == 302 and placed["Location"] == f"/orders/{order.pk}/"
    assert order.total_amount == 5_900
    assert "每人限购，您已抢到" in again.content.decode()


def test_the_shops_product_page_points_to_its_live_or_coming_flash_sale_in_one_query(django_assert_num_queries):
    from django.template import Context, Template

    from orders.tests.factories import shop_selling

    shop, sku = shop_selling()
    coming = a_flash_item(sku=sku, price=4_900, starts_in=timedelta(hours=3))
    a_flash_item(sku=sku, price=2_900, starts_in=timedelta(hours=-3))  # ended an hour ago
    page = Client().get(f"/s/{shop.slug}/p/{sku.product_id}/").content.decode()
    assert "秒杀预告" in page and "¥49.00" in page and "距开始" in page
    assert f'href="/flash/items/{coming.pk}/"' in page and "¥29.00" not in page

    live = a_flash_item(sku=sku, price=3_900)
    template = Template("{% load flash %}{% flash_offer product_id %}")
    with django_assert_num_queries(1):
        strip = template.render(Context({"product_id": sku.product_id}))
    assert "限时秒杀" in strip and "¥39.00" in strip and "距结束" in strip
    assert f'href="/flash/items/{live.pk}/"' in strip


def test_a_product_with_no_flash_sale_shows_no_strip():
    from orders.tests.factories import shop_selling

    shop, sku = shop_selling()
    a_flash_item(price=3_900)  # another product's
    page = Client().get(f"/s/{shop.slug}/p/{sku.product_id}/").content.decode()
    assert 'id="flash-offer"' not in page and "¥39.00" not in page
