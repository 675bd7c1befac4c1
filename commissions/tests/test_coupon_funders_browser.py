"""The reseller's money page on a 390×844 phone in headless Chromium: the
orders paid with its own promo codes, each with the −¥ taken from its
withdrawable money, in Chinese; the page fits the screen. Screenshot in
artifacts/screenshots/money-promo-codes.png."""

import pytest

from accounts.tests.factories import PASSWORD, UserFactory
from catalog.tests.factories import SkuFactory
from conftest import PHONE_VIEWPORT
from coupons.services import reseller_code_create
from distribution.tests.factories import ResellerFactory
from orders.services.placing import LineRequest, order_place
from orders.tests.factories import an_address, pay

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_money_page_shows_the_promo_code_deductions_in_yuan(chromium, live_server, screenshot_dir):
    reseller = ResellerFactory(invite_code="M8N3P5", user__nickname="林小美")
    sku = SkuFactory(product__title="真丝印花连衣裙", list_price_amount=29_900, max_resale_amount=40_000)
    reseller_code_create(reseller=reseller, code="MEI12", name="小美立减", off_amount=1_200)
    order = pay(
        order_place(buyer=UserFactory(), lines=[LineRequest(sku.pk, 1)], address=an_address(), promo_code="MEI12")
    )
    context = chromium.new_context(viewport=PHONE_VIEWPORT, device_scale_factor=2, is_mobile=True, locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    try:
        page.goto(live_server.url + "/accounts/log-in/")
        page.click("#log-in-with-password")
        page.fill("input[name=username]", reseller.user.phone)
        page.fill("input[name=password]", PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_load_state()
        page.goto(live_server.url + "/money/")

        section = page.locator(".coupon-deductions")
        text = section.inner_text()
        assert "优惠码让利（店主出资）" in text and "−¥12.00" in text
        assert f"订单 {order.number}" in text and "MEI12" in text
        assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
        section.scroll_into_view_if_needed()
        page.screenshot(path=screenshot_dir / "money-promo-codes.png", full_page=True)
    finally:
        context.close()
    assert errors == []
