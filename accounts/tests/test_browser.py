"""Log-in as people in China do it, in headless Chromium on a 390×844
phone: a new shopper signs up by SMS code at checkout (the console provider,
whose outbox the live server fills in this process) and orders; a new
WeChat user (WeChat's browser, the fake WeChat) adds a number before
ordering; a guessed code is locked; a second code within the minute is
refused with Retry-After.

It uses the session's Chromium (``conftest.chromium``), as every browser
test does: a second ``sync_playwright()`` cannot start beside its loop."""

import pytest
from django.db import connections

from accounts.models import User
from accounts.sms.console import console_code_for
from conftest import PHONE_VIEWPORT
from orders.models import Order
from orders.tests.factories import shop_selling
from shops.sharing import product_share_path

from .test_wechat import IN_WECHAT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_NUMBER = "13812345678"


@pytest.fixture
def phone(chromium):
    context = chromium.new_context(
        viewport=PHONE_VIEWPORT, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    yield context.new_page()
    context.close()
    connections.close_all()


@pytest.fixture
def wechat_phone(chromium):
    context = chromium.new_context(
        viewport=PHONE_VIEWPORT, device_scale_factor=2, is_mobile=True, locale="zh-CN", user_agent=IN_WECHAT
    )
    yield context.new_page()
    context.close()
    connections.close_all()


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]


def _code_step(page, number: str, screenshot=None):
    page.fill("input[name=phone]", number)
    page.click("form.sms-step button[type=submit]")
    page.wait_for_selector("input[name=code]")
    if screenshot:
        page.screenshot(path=screenshot, full_page=True)
    page.fill("input[name=code]", console_code_for(number))
    page.click("form.sms-step button[type=submit]")


def _address(page):
    page.fill("input[name=new-recipient_name]", "张三")
    page.fill("input[name=new-phone]", "13800138000")
    page.select_option("select[name=new-province_code]", "44")
    page.wait_for_selector("select[name=new-city_code] option[value='4401']", state="attached")
    page.select_option("select[name=new-city_code]", "4401")
    page.wait_for_selector("select[name=new-district_code] option[value='440106']", state="attached")
    page.select_option("select[name=new-district_code]", "440106")
    page.fill("input[name=new-street]", "体育西路 1 号 2 栋 301")


def test_a_new_shopper_signs_up_by_sms_code_at_checkout_and_orders(live_server, phone, screenshot_dir):
    shop, sku = shop_selling(price=12_900, stock=3)

    phone.goto(live_server.url + product_share_path(shop, sku.product_id))
    phone.click("#buy button[value=cart]")
    phone.wait_for_url("**/cart/")
    phone.click("#checkout")
    phone.wait_for_url("**/accounts/log-in/**")
    assert phone.get_attribute("#log-in-with-sms", "aria-current") == "page"  # the code is the default
    phone.screenshot(path=screenshot_dir / "log-in-sms.png", full_page=True)
    assert _fits(phone)

    _code_step(phone, NEW_NUMBER, screenshot=screenshot_dir / "log-in-sms-code.png")

    phone.wait_for_url("**/checkout/")
    user = User.objects.get(phone=NEW_NUMBER)
    assert not user.has_usable_password()
    _address(phone)
    phone.click("#place-order")
    phone.wait_for_url("**/orders/*/")
    order = Order.objects.get(buyer=user)
    assert order.number in phone.inner_text("main")
    # the shop link that brought the shopper bound it to the shop's owner
    assert user.bindings.get().reseller == shop.owner


def test_a_new_wechat_user_adds_a_number_by_code_before_ordering(live_server, wechat_phone, wechat, screenshot_dir):
    shop, sku = shop_selling(price=12_900, stock=3)
    page = wechat_phone

    page.goto(f"{live_server.url}/accounts/log-in/?next=/cart/")
    page.screenshot(path=screenshot_dir / "log-in-in-wechat.png", full_page=True)
    assert _fits(page)
    page.click("a.button.wechat")  # to the fake WeChat, which agrees, and back (twice: base, then userinfo)
    page.wait_for_url("**/accounts/phone/**")
    page.screenshot(path=screenshot_dir / "bind-phone.png", full_page=True)
    assert "下单前请绑定手机号" in page.inner_text("main")
    user = User.objects.get(wechat_identities__isnull=False)
    assert user.nickname == "阿丽" and user.phone is None

    page.goto(live_server.url + product_share_path(shop, sku.product_id))
    page.click("#buy button[value=checkout]")
    page.wait_for_url("**/accounts/phone/?next=**")  # no number yet: checkout sends it here first
    _code_step(page, NEW_NUMBER)
    page.wait_for_url("**/checkout/**")
    _address(page)
    page.click("#place-order")
    page.wait_for_url("**/orders/*/")
    user.refresh_from_db()
    assert user.phone == NEW_NUMBER and Order.objects.filter(buyer=user).exists()


def test_a_forged_wechat_callback_is_refused(live_server, phone):
    phone.goto(f"{live_server.url}/accounts/wechat/callback/?code=stolen&state=forged")

    assert "该登录链接已失效" in phone.inner_text("main")
    assert phone.locator("main a[href='/accounts/log-in/']").count() == 1


def test_guessing_a_code_is_locked_and_resending_at_once_is_refused(live_server, phone, settings, screenshot_dir):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "login_account": "20/min"},
    }
    phone.goto(f"{live_server.url}/accounts/log-in/")
    phone.fill("input[name=phone]", NEW_NUMBER)
    phone.click("form.sms-step button[type=submit]")
    phone.wait_for_selector("input[name=code]")
    code = console_code_for(NEW_NUMBER)
    for guess in range(5):
        phone.fill("input[name=code]", f"{(int(code) + 1 + guess) % 1_000_000:06d}")
        phone.click("form.sms-step button[type=submit]")
        phone.wait_for_load_state()
    phone.fill("input[name=code]", code)
    phone.click("form.sms-step button[type=submit]")
    phone.wait_for_load_state()
    assert "错误次数过多，请重新获取验证码。" in phone.inner_text("main")
    assert not User.objects.filter(phone=NEW_NUMBER).exists()

    with phone.expect_response(lambda response: response.request.method == "POST") as answer:
        phone.click("form.sms-resend button[type=submit]")  # a new code, within the minute
    assert answer.value.status == 429
    assert 0 < int(answer.value.headers["retry-after"]) <= 60
    phone.screenshot(path=screenshot_dir / "log-in-sms-too-soon.png", full_page=True)
    assert "验证码每分钟最多发送一次" in phone.inner_text("main")
    assert _fits(phone)
