"""Coupons on a 390×844 phone in a real headless Chromium against
PostgreSQL: a buyer claims a coupon on a product page, checkout suggests
it, and the sandbox cashier charges less; a buyer who types a reseller's
promo code is bound to that reseller. Screenshots go to
artifacts/screenshots/."""

import re

import pytest

from accounts.tests.factories import PASSWORD, UserFactory
from catalog.tests.factories import SkuFactory
from conftest import PHONE_VIEWPORT
from coupons.models import ClaimedCoupon, CouponSettings
from distribution.models import Binding
from distribution.tests.factories import ResellerFactory
from orders.models import Order
from orders.services.addresses import address_save
from orders.tests.factories import an_address
from shops.services import shop_pick_product
from shops.tests.factories import ShopFactory

from .factories import CouponFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits(page) -> None:
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth"), page.url


@pytest.fixture
def phone(chromium, live_server):
    context = chromium.new_context(
        viewport=PHONE_VIEWPORT, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []


def log_in(page, live_server, user):
    page.goto(live_server.url + "/accounts/log-in/")
    page.click("#log-in-with-password")
    page.fill("input[name=username]", user.phone)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def test_a_coupon_claimed_on_the_product_page_is_suggested_at_checkout_and_paid_less(
    phone, live_server, settings, screenshot_dir
):
    settings.PAYMENT_SANDBOX_SEND_CALLBACKS = True
    shop = ShopFactory(name="小美的好物分享")
    sku = SkuFactory(product__title="真丝印花连衣裙", list_price_amount=29_900, max_resale_amount=40_000, stock=20)
    shop_pick_product(shop=shop, product=sku.product)
    CouponFactory(name="新客满200减30", threshold_amount=20_000, off_amount=3_000)
    buyer = UserFactory()
    address_save(user=buyer, address=an_address())
    page = phone
    log_in(page, live_server, buyer)

    # 领取 on the product page
    page.goto(f"{live_server.url}/s/{shop.slug}/p/{sku.product_id}/")
    assert "新客满200减30" in page.inner_text(".pdp-coupons")
    fits(page)
    page.screenshot(path=screenshot_dir / "coupons-1-product.png")
    page.click(".pdp-coupon .coupon-claim")
    page.wait_for_load_state()
    assert "已领取" in page.inner_text(".pdp-coupons")
    assert ClaimedCoupon.objects.filter(user=buyer).count() == 1

    # 立即购买: checkout suggests it and the total is 299.00 − 30.00
    page.click("#buy button[value=checkout]")
    page.wait_for_url("**/checkout/")
    assert page.is_checked(".coupon-picker input[name=coupon]:not([value=''])")
    assert page.inner_text("#checkout-total") == "¥269.00" and "已省 ¥30.00" in page.inner_text(".coupon-picker")
    fits(page)
    page.screenshot(path=screenshot_dir / "coupons-2-checkout.png")
    page.check(".coupon-picker input[name=coupon][value='']")  # without it, the total follows
    assert page.inner_text("#checkout-total") == "¥299.00"
    page.check(".coupon-picker input[name=coupon]:not([value=''])")
    assert page.inner_text("#checkout-total") == "¥269.00"
    page.click("#place-order")
    page.wait_for_url(re.compile(r"/orders/\d+/$"))
    order = Order.objects.get(buyer=buyer)
    assert (order.total_amount, order.discount_amount) == (26_900, 3_000)

    # the sandbox cashier charges 269.00
    page.click("#pay")
    page.wait_for_url("**/sandbox/pay/**")
    assert "269.00" in page.inner_text("body")
    page.click("#sandbox-pay")
    page.wait_for_selector("#pay-result[data-result=paid]", timeout=20_000)
    assert "¥269.00" in page.inner_text("#pay-result")
    page.screenshot(path=screenshot_dir / "coupons-3-paid.png")

    # 我的优惠券: it is under 已使用
    page.goto(live_server.url + "/coupons/mine/?tab=used")
    assert "新客满200减30" in page.inner_text("main")
    fits(page)
    page.screenshot(path=screenshot_dir / "coupons-4-mine.png")


def test_a_resellers_promo_code_at_checkout_binds_the_buyer(phone, live_server, screenshot_dir):
    reseller = ResellerFactory(invite_code="XIAOMEI8")
    CouponSettings.objects.create(reseller_code_coupon=CouponFactory(name="店主专属券", in_centre=False))
    sku = SkuFactory(list_price_amount=29_900, max_resale_amount=40_000, stock=20)
    shop = ShopFactory()
    shop_pick_product(shop=shop, product=sku.product)
    buyer = UserFactory()
    address_save(user=buyer, address=an_address())
    page = phone
    log_in(page, live_server, buyer)

    # the coupon centre lists nothing the code gives
    page.goto(live_server.url + "/coupons/")
    assert "店主专属券" not in page.inner_text("main")
    fits(page)
    page.screenshot(path=screenshot_dir / "coupons-5-centre.png")

    # 立即购买 in another reseller's shop, with the reseller's code typed at checkout
    page.goto(f"{live_server.url}/s/{shop.slug}/p/{sku.product_id}/")
    page.click("#buy button[value=checkout]")
    page.wait_for_url("**/checkout/")
    page.fill("input[name=promo_code]", "xiaomei8")
    fits(page)
    page.screenshot(path=screenshot_dir / "coupons-6-code.png")
    page.click("#place-order")
    page.wait_for_url(re.compile(r"/orders/\d+/$"))

    order = Order.objects.get(buyer=buyer)
    assert order.discount_amount == 2_000
    assert Binding.objects.get(customer=buyer, ended_at__isnull=True).reseller == reseller


def test_a_reseller_creates_its_promo_code_from_the_workbench_and_a_fourth_is_refused(
    phone, live_server, screenshot_dir
):
    from coupons.services import MAX_OWN_CODES, reseller_code_create

    reseller = ResellerFactory(invite_code="XIAOMEI9")
    ShopFactory(owner=reseller)
    CouponSettings.objects.create(reseller_code_coupon=CouponFactory(name="店主专属券", in_centre=False))
    page = phone
    log_in(page, live_server, reseller.user)

    page.goto(live_server.url + "/my-shop/")
    page.click("#wb-promo-codes")
    page.wait_for_url("**/my-shop/promo-codes/")
    assert "XIAOMEI9" in page.inner_text("#personal-code")
    page.fill("input[name=code]", "mei20")
    page.fill("input[name=threshold_amount]", "99")
    page.fill("input[name=off_amount]", "20")
    page.click(".promo-form button[type=submit]")
    page.wait_for_load_state()
    assert "满 ¥99.00 减 ¥20.00" in page.inner_text(".promo-row[data-code=MEI20]")
    fits(page)
    page.screenshot(path=screenshot_dir / "promo-codes-1-created.png", full_page=True)

    for number in range(MAX_OWN_CODES - 1):
        reseller_code_create(reseller=reseller, code=f"MEI{number}X", name="", off_amount=500)
    page.reload()
    assert page.locator(".promo-form").count() == 0 and "已达上限" in page.inner_text("main")
    fits(page)
    page.screenshot(path=screenshot_dir / "promo-codes-2-full.png", full_page=True)


def test_with_stacking_allowed_checkout_suggests_a_platform_and_a_supplier_coupon_together(
    phone, live_server, screenshot_dir
):
    from coupons.choices import CouponFunder

    from .factories import claimed

    CouponSettings.objects.create(stacking_allowed=True)
    shop = ShopFactory(name="小美的好物分享")
    sku = SkuFactory(product__title="真丝印花连衣裙", list_price_amount=29_900, max_resale_amount=40_000, stock=20)
    shop_pick_product(shop=shop, product=sku.product)
    buyer = UserFactory()
    address_save(user=buyer, address=an_address())
    claimed(user=buyer, name="全场满200减30", threshold_amount=20_000, off_amount=3_000)
    claimed(
        user=buyer,
        name="山货店铺券减20",
        funder=CouponFunder.SUPPLIER,
        funder_supplier=sku.product.supplier,
        off_amount=2_000,
    )
    page = phone
    log_in(page, live_server, buyer)

    # 立即购买: the pair is suggested, checked, and the total is 299.00 − 30.00 − 20.00
    page.goto(f"{live_server.url}/s/{shop.slug}/p/{sku.product_id}/")
    page.click("#buy button[value=checkout]")
    page.wait_for_url("**/checkout/")
    pair = page.locator(".coupon-pair")
    assert (
        "叠加使用" in pair.inner_text()
        and "全场满200减30" in pair.inner_text()
        and "山货店铺券减20" in pair.inner_text()
    )
    assert pair.locator("input").is_checked()
    assert page.inner_text("#checkout-total") == "¥249.00" and "已省 ¥50.00" in page.inner_text(".coupon-picker")
    fits(page)
    page.locator(".coupon-picker").screenshot(path=screenshot_dir / "coupons-6-stacked.png")
    page.screenshot(path=screenshot_dir / "coupons-6-stacked-page.png", full_page=True)

    # one alone: the total follows; back to the pair, and the order takes both
    page.check(".coupon-picker input[name=coupon]:not([value*=','])>>nth=0")
    assert page.inner_text("#checkout-total") in ("¥269.00", "¥279.00")
    pair.locator("input").check()
    assert page.inner_text("#checkout-total") == "¥249.00"
    page.click("#place-order")
    page.wait_for_url(re.compile(r"/orders/\d+/$"))
    order = Order.objects.get(buyer=buyer)
    assert (order.total_amount, order.discount_amount) == (24_900, 5_000)
