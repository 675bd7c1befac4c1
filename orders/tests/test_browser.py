"""The whole path in headless Chromium: a shopper opens a shared product
link on a phone, adds to the cart, logs in, checks out, pays in the
sandbox (whose signed callback reaches the live server) and sees the order
paid; the supplier marks it shipped in its portal; the reseller sees it in
its shop's orders.

It starts its own Playwright, like the other apps' browser tests."""

import pytest

from accounts.sms.console import console_code_for
from accounts.tests.factories import PASSWORD, UserFactory
from catalog.services import supplier_staff_add
from conftest import PHONE_VIEWPORT
from orders.choices import FulfilmentStatus, OrderStatus
from orders.models import Order
from orders.services.addresses import address_save
from shops.sharing import product_share_path

from .factories import an_address, shop_selling

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _phone(browser):
    return browser.new_page(viewport=PHONE_VIEWPORT, device_scale_factor=2, is_mobile=True, locale="zh-CN")


def _log_in(page, phone):
    page.click("#log-in-with-password")  # the page opens on log-in by SMS code
    page.fill("input[name=username]", phone)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[method=post] button[type=submit] >> nth=0")


def test_shopper_pays_supplier_ships_reseller_sees_it(live_server, browser, settings, screenshot_dir):
    settings.PAYMENT_SANDBOX_SEND_CALLBACKS = True  # the sandbox calls the live server back, as a gateway would
    shop, sku = shop_selling(price=12_900, stock=3)
    shop.owner.user.set_password(PASSWORD)
    shop.owner.user.save()
    buyer = UserFactory(nickname="张同学")
    staff = UserFactory()
    supplier_staff_add(supplier=sku.product.supplier, user=staff)

    # the shopper opens the shared link on a phone and buys
    page = _phone(browser)
    page.goto(live_server.url + product_share_path(shop, sku.product_id))
    page.click("#buy button[value=cart]")
    page.wait_for_url("**/cart/")
    assert "¥129.00" in page.inner_text("#cart-total")
    page.click("#checkout")
    page.wait_for_url("**/accounts/log-in/**")
    _log_in(page, buyer.phone)
    page.wait_for_url("**/checkout/")
    page.fill("input[name=new-recipient_name]", "张三")
    page.fill("input[name=new-phone]", "13800138000")
    page.select_option("select[name=new-province_code]", "44")
    page.wait_for_selector("select[name=new-city_code] option[value='4401']", state="attached")
    page.select_option("select[name=new-city_code]", "4401")
    page.wait_for_selector("select[name=new-district_code] option[value='440106']", state="attached")
    page.select_option("select[name=new-district_code]", "440106")
    page.fill("input[name=new-street]", "体育西路 1 号 2 栋 301")
    page.screenshot(path=screenshot_dir / "checkout.png", full_page=True)
    page.click("#place-order")
    page.wait_for_url("**/orders/*/")
    order = Order.objects.get(buyer=buyer)
    page.click("#pay")
    page.wait_for_url("**/sandbox/pay/**")
    page.screenshot(path=screenshot_dir / "sandbox-pay.png", full_page=True)
    page.click("#sandbox-pay")
    page.wait_for_url(f"**/orders/{order.pk}/**")
    page.wait_for_function("document.querySelector('#order-status').dataset.status === 'paid'", timeout=15_000)
    assert page.inner_text("#order-status") == OrderStatus.PAID.label or "付" in page.inner_text("#order-status")
    page.screenshot(path=screenshot_dir / "order-paid.png", full_page=True)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID

    # the supplier ships it from its portal
    desk = browser.new_page(viewport={"width": 1280, "height": 900})
    desk.goto(f"{live_server.url}/accounts/log-in/?next=/supplier/orders/")
    _log_in(desk, staff.phone)
    desk.wait_for_url("**/supplier/orders/")
    group = order.fulfilments.get()
    row = desk.locator(f"#shipment-{group.pk}")
    row.locator("select[name=carrier]").select_option("SF")
    row.locator("input[name=tracking_number]").fill("SF1234567890")
    row.locator("button[type=submit]").click()
    desk.wait_for_load_state()
    assert desk.locator(f"#shipment-{group.pk}").count() == 0  # no longer to ship
    group.refresh_from_db()
    assert group.status == FulfilmentStatus.SHIPPED

    # the buyer sees the tracking number
    page.reload()
    assert "SF1234567890" in page.inner_text("main")

    # the reseller sees the order in its shop's orders
    owner = _phone(browser)
    owner.goto(f"{live_server.url}/accounts/log-in/?next=/my-shop/orders/")
    _log_in(owner, shop.owner.user.phone)
    owner.wait_for_url("**/my-shop/orders/")
    assert order.number in owner.inner_text("main")
    owner.screenshot(path=screenshot_dir / "shop-orders.png", full_page=True)


def test_a_returning_buyer_checks_out_with_the_saved_address(live_server, browser, screenshot_dir):
    shop, sku = shop_selling(price=12_900, stock=3)
    buyer = UserFactory()
    address_save(user=buyer, address=an_address(recipient_name="王五", street="天河路 2 号"))

    page = _phone(browser)
    page.goto(f"{live_server.url}/accounts/log-in/?next={product_share_path(shop, sku.product_id)}")
    _log_in(page, buyer.phone)
    page.wait_for_url("**/s/**")
    page.click("#buy button[value=checkout]")
    page.wait_for_url("**/checkout/")
    assert page.is_checked("input[name=address]:not([value=new])")  # the saved address, as offered
    page.screenshot(path=screenshot_dir / "checkout-saved-address.png", full_page=True)
    # the browser has nothing to ask: no empty new-address field is required
    assert page.eval_on_selector("#checkout-form", "form => form.checkValidity()")

    page.click("#place-order")

    page.wait_for_url("**/orders/*/")
    order = Order.objects.get(buyer=buyer)
    assert (order.recipient_name, order.street) == ("王五", "天河路 2 号")


def test_a_new_address_chosen_beside_a_saved_one_must_be_filled_in(live_server, browser):
    shop, sku = shop_selling(price=12_900, stock=3)
    buyer = UserFactory()
    address_save(user=buyer, address=an_address())
    page = _phone(browser)
    page.goto(f"{live_server.url}/accounts/log-in/?next={product_share_path(shop, sku.product_id)}")
    _log_in(page, buyer.phone)
    page.wait_for_url("**/s/**")
    page.click("#buy button[value=checkout]")
    page.wait_for_url("**/checkout/")

    assert not page.is_visible("input[name=new-recipient_name]")  # hidden while the saved one is chosen
    page.check("input[name=address][value=new]")
    assert page.is_visible("input[name=new-recipient_name]")
    page.click("#place-order")

    # the browser asks for the recipient (its own words), and nothing is placed
    assert page.eval_on_selector("input[name=new-recipient_name]", "field => field.validity.valueMissing")
    assert page.url.endswith("/checkout/") and not Order.objects.filter(buyer=buyer).exists()


def test_a_new_buyer_signs_up_on_the_way_and_lands_on_the_checkout(live_server, browser):
    shop, sku = shop_selling(price=12_900, stock=3)
    page = _phone(browser)
    page.goto(live_server.url + product_share_path(shop, sku.product_id))
    page.click("#buy button[value=checkout]")  # 立即购买
    page.wait_for_url("**/accounts/log-in/?next=/checkout/")

    page.click("#log-in-with-password")  # the page opens on log-in by SMS code, which signs up by itself
    page.click("main a[href^='/accounts/sign-up/']")  # 注册, under the password log-in form
    page.fill("input[name=phone]", "13912345678")
    with page.expect_navigation():
        page.click("button[value=send_code]")  # 获取验证码: the number is proved by a code, as every way in
    page.fill("input[name=code]", console_code_for("13912345678"))
    page.fill("input[name=nickname]", "新同学")
    page.fill("input[name=password1]", "Tea-and-honey-42")
    page.fill("input[name=password2]", "Tea-and-honey-42")
    page.click("form.form button.primary[value=sign_up]")

    page.wait_for_url("**/checkout/")
    assert "¥129.00" in page.inner_text("main")  # the cart came along
