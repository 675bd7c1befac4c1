"""In headless Chromium at 390×844: the hall counts down to a slot, the
slot opens by itself, a buyer gets a unit, checks out and pays in the
sandbox's cashier, and a second tap past the limit is refused."""

import re
import time
from datetime import timedelta

import pytest

from accounts.tests.factories import PASSWORD, UserFactory
from catalog.tests.factories import ProductImageFactory
from conftest import PHONE_VIEWPORT
from orders.choices import OrderStatus
from orders.models import Order

from .factories import a_flash_item

pytestmark = [pytest.mark.browser, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _clock(page) -> int:
    """The hall's countdown in seconds."""
    parts = [int(part) for part in page.inner_text("[data-countdown-time]").split(":")]
    return sum(part * 60**power for power, part in enumerate(reversed(parts)))


def test_the_hall_counts_down_a_buyer_gets_one_pays_and_a_second_tap_is_refused(
    live_server, browser, settings, screenshot_dir
):
    settings.PAYMENT_SANDBOX_SEND_CALLBACKS = True
    item = a_flash_item(units=5, limit=1, price=5_900, starts_in=timedelta(seconds=8))
    ProductImageFactory(product=item.sku.product)
    buyer = UserFactory()
    page = browser.new_page(viewport=PHONE_VIEWPORT, device_scale_factor=2, is_mobile=True, locale="zh-CN")

    # the hall counts down to the slot, then shows it open
    page.goto(f"{live_server.url}/flash/")
    assert "距开始" in page.inner_text(".flash-banner")
    first = _clock(page)
    deadline = time.monotonic() + 5
    while _clock(page) >= first and time.monotonic() < deadline:  # the clock ticks in the page
        page.wait_for_timeout(200)
    assert 0 <= _clock(page) < first
    page.screenshot(path=screenshot_dir / "flash-hall-upcoming.png", full_page=True)
    page.wait_for_selector(".flash-banner:has-text('距结束')", timeout=20_000)  # reloaded when the clock hit 0
    page.screenshot(path=screenshot_dir / "flash-hall-live.png", full_page=True)

    # the buyer opens the item, logs in, taps 立即抢购, checks out
    page.click(".flash-card a")
    page.wait_for_url(f"**/flash/items/{item.pk}/")
    page.screenshot(path=screenshot_dir / "flash-product.png", full_page=True)
    page.click("#flash-grab")
    page.wait_for_url("**/accounts/log-in/**")
    page.click("#log-in-with-password")
    page.fill("input[name=username]", buyer.phone)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[method=post] button[type=submit] >> nth=0")
    page.wait_for_url(f"**/flash/items/{item.pk}/")
    page.click("#flash-grab")
    page.wait_for_url("**/flash/checkout/**")
    assert "¥59.00" in page.inner_text("#checkout-total")
    page.fill("input[name=new-recipient_name]", "张三")
    page.fill("input[name=new-phone]", "13800138000")
    page.select_option("select[name=new-province_code]", "44")
    page.wait_for_selector("select[name=new-city_code] option[value='4401']", state="attached")
    page.select_option("select[name=new-city_code]", "4401")
    page.wait_for_selector("select[name=new-district_code] option[value='440106']", state="attached")
    page.select_option("select[name=new-district_code]", "440106")
    page.fill("input[name=new-street]", "体育西路 1 号 2 栋 301")
    page.screenshot(path=screenshot_dir / "flash-checkout.png", full_page=True)
    page.click("#place-order")
    page.wait_for_url(re.compile(r".*/orders/\d+/$"))
    order = Order.objects.get(buyer=buyer)

    # pays in the sandbox's cashier
    page.click("#pay")
    page.wait_for_url("**/sandbox/pay/**")
    page.click("#sandbox-pay")
    page.wait_for_url(f"**/orders/{order.pk}/**")
    deadline = time.monotonic() + 20
    while page.get_attribute("#order-status", "data-status") != "paid" and time.monotonic() < deadline:
        page.wait_for_timeout(500)  # the sandbox's signed callback reaches the live server meanwhile
        page.reload()
    order.refresh_from_db()
    assert (order.status, order.total_amount) == (OrderStatus.PAID, 5_900)

    # a second tap past the limit is refused
    page.goto(f"{live_server.url}/flash/items/{item.pk}/")
    page.click("#flash-grab")
    page.wait_for_url(f"**/flash/items/{item.pk}/")
    assert "每人限购" in page.inner_text(".messages")
    page.screenshot(path=screenshot_dir / "flash-limit.png", full_page=True)
    assert Order.objects.filter(buyer=buyer).count() == 1


def test_the_shops_product_page_strip_counts_down_and_leads_to_the_flash_page(live_server, browser, screenshot_dir):
    from orders.tests.factories import shop_selling

    shop, sku = shop_selling()
    ProductImageFactory(product=sku.product)
    item = a_flash_item(sku=sku, price=3_900)
    page = browser.new_page(viewport=PHONE_VIEWPORT, device_scale_factor=2, is_mobile=True, locale="zh-CN")

    page.goto(f"{live_server.url}/s/{shop.slug}/p/{sku.product_id}/")
    strip = page.inner_text("#flash-offer")
    assert "限时秒杀" in strip and "¥39.00" in strip and "距结束" in strip
    page.wait_for_function("!document.querySelector('#flash-offer [data-countdown-time]').textContent.includes('-')")
    assert re.fullmatch(r"(\d\d:)?\d\d:\d\d", page.inner_text("#flash-offer [data-countdown-time]"))
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
    page.screenshot(path=screenshot_dir / "flash-product-strip.png")
    page.click("#flash-offer")
    page.wait_for_url(f"**/flash/items/{item.pk}/")
