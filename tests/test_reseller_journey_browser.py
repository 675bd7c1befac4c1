"""A reseller's day on a 390×844 phone, in headless Chromium, with a real
Celery worker doing what workers do (the sandbox gateway's signed callback,
the commission engine's consumer):

log in → the workbench with today's figures → 选品, a product showing 预计赚
→ add it → 复制链接 (the clipboard holds the shared link, the page says
已复制) → a buyer opens that link, orders and pays → the shop's order shows
本单收益, equal to the 预计赚 seen, and the workbench's figures have moved.
Every reseller page on the way fits the phone, has thumb-sized targets,
shows no English and logs no console error."""

import re
import time

import pytest
from django.db import connections

from accounts.tests.factories import PASSWORD, UserFactory
from catalog.services import product_image_add
from catalog.tests.factories import SkuFactory
from commissions.models import Commission, CommissionDecision
from conftest import PHONE_VIEWPORT
from demo.pictures import demo_product_image
from distribution.tests.factories import ResellerFactory
from orders.choices import OrderStatus
from orders.models import Order
from orders.services.addresses import address_save
from orders.tests.factories import an_address
from shops.tests.factories import ShopFactory

pytestmark = [pytest.mark.browser, pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

SMALL_TARGETS = """() => [...document.querySelectorAll('a, button, input, select, textarea')]
    .filter(element => element.type !== 'hidden' && getComputedStyle(element).visibility !== 'hidden')
    .map(element => [element, element.getBoundingClientRect()])
    .filter(([element, box]) => box.width > 0 && box.height > 0 && box.height < 32)
    .map(([element, box]) => `${element.outerHTML.slice(0, 80)} (${box.height} px)`)"""
# words of Latin letters a person would read as English (brand-free pages: the language switch's
# own name "English" and the statement's "CSV" are allowed)
ENGLISH = re.compile(r"\b(?!English\b|CSV\b)[A-Za-z]{3,}\b")


def phone_context(chromium):
    context = chromium.new_context(
        viewport=PHONE_VIEWPORT, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    return context, page


def looks_right(page, screenshot_dir, name: str) -> None:
    """The page fits the phone, every target takes a thumb, nothing reads in English, no script failed."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"], name
    assert page.evaluate(SMALL_TARGETS) == [], name
    assert ENGLISH.findall(page.inner_text("body")) == [], name
    assert page.console_errors == [], name
    page.screenshot(path=screenshot_dir / f"reseller-{name}.png", full_page=True)


def until(condition, timeout: float = 30.0) -> bool:
    """Whether ``condition()`` comes true within ``timeout`` seconds (another
    process, the worker, is doing the work: ask it again every 0.2 s)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def figure(page, label: str) -> tuple[str, str]:
    """(today, this month) of one of the workbench's figures."""
    box = page.locator(".wb-figure", has=page.locator(f"dt:text-is('{label}')"))
    return box.locator(".wb-today").inner_text(), box.locator(".wb-month").inner_text()


@pytest.fixture
def world():
    inviter = ResellerFactory()
    reseller = ResellerFactory(inviter=inviter, user__nickname="林小美")
    ShopFactory(owner=reseller, name="小美的好物分享", slug="xiaomei")
    honey = SkuFactory(
        product__title="高原蜂蜜 500g",
        cost_amount=3_200,
        list_price_amount=6_800,
        min_resale_amount=5_000,
        max_resale_amount=13_600,
        spec={"规格": "单瓶"},
    )
    product_image_add(product=honey.product, data=demo_product_image("高原蜂蜜 500g", "food"))
    buyer = UserFactory(nickname="张同学")
    address_save(user=buyer, address=an_address(recipient_name="张三"))
    return reseller, honey, buyer


def test_a_reseller_shares_a_product_and_sees_what_it_earned(
    live_server, chromium, celery_worker_process, settings, world, screenshot_dir
):
    from playwright.sync_api import expect

    settings.PAYMENT_SANDBOX_SEND_CALLBACKS = True  # the gateway calls the live server back, through the worker
    reseller, honey, buyer = world
    context, page = phone_context(chromium)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)

    # log in: the workbench, with today's figures
    page.goto(f"{live_server.url}/accounts/log-in/")
    page.click("#log-in-with-password")  # the page opens on log-in by SMS code
    page.fill("input[name=username]", reseller.user.phone)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/my-shop/")
    assert page.locator(".wb-head h1").inner_text() == "小美的好物分享"
    assert figure(page, "访客") == ("0", "本月 0") and figure(page, "预计收益") == ("¥0.00", "本月 ¥0.00")
    assert page.locator(".reseller-tabbar a.current").inner_text() == "工作台"
    looks_right(page, screenshot_dir, "1-workbench")

    # 选品: the honey earns ¥10.80 a jar (30% of the 36.00 margin) and ¥3.60 to the inviter
    page.click(".reseller-tabbar a:text-is('选品')")
    page.wait_for_url("**/my-shop/catalogue/")
    item = page.locator(f"#product-{honey.product_id}")
    assert item.locator(".estimate.tier-1").inner_text().split() == ["自己卖出", "预计赚", "¥10.80"]
    assert item.locator(".estimate.tier-2 b").inner_text() == "¥3.60"
    looks_right(page, screenshot_dir, "2-catalogue")
    item.locator("button[type=submit]").click()
    page.wait_for_load_state()
    item = page.locator(f"#product-{honey.product_id}")
    assert item.locator(".tag").inner_text() == "已在我的店铺"

    # 复制链接: the clipboard holds the product's shared link, and the page says so
    item.locator(".copy-button").click()
    expect(item.locator(".copy-done.shown")).to_have_text("已复制")
    link = page.evaluate("navigator.clipboard.readText()")
    assert link == f"{live_server.url}/s/xiaomei/p/{honey.product_id}/?ref={reseller.invite_code}"
    looks_right(page, screenshot_dir, "3-copied")

    # a buyer opens the link on its phone, orders one jar with its saved address and pays in the sandbox
    buyer_context, shopper = phone_context(chromium)
    shopper.goto(link)
    shopper.click("#buy button[value=checkout]")
    shopper.wait_for_url("**/accounts/log-in/**")
    shopper.click("#log-in-with-password")  # the page opens on log-in by SMS code
    shopper.fill("input[name=username]", buyer.phone)
    shopper.fill("input[name=password]", PASSWORD)
    shopper.click("form[method=post] button[type=submit] >> nth=0")
    shopper.wait_for_url("**/checkout/")
    shopper.click("#place-order")
    shopper.wait_for_url("**/orders/*/")
    order = Order.objects.get(buyer=buyer)
    shopper.click("#pay")
    shopper.wait_for_url("**/sandbox/pay/**")
    shopper.click("#sandbox-pay")
    shopper.wait_for_url(f"**/orders/{order.pk}/**")
    # the worker delivers the gateway's callback, then runs the engine on the order.paid event
    assert until(lambda: Order.objects.filter(pk=order.pk, status=OrderStatus.PAID).exists())
    shopper.reload()
    expect(shopper.locator("#order-status")).to_have_attribute("data-status", "paid")
    buyer_context.close()
    assert until(lambda: CommissionDecision.objects.filter(order=order, commissions_count__gt=0).exists())
    assert Commission.objects.filter(order=order, beneficiary=reseller).get().amount == 1_080

    # the shop's order: 本单收益 is the 预计赚 seen before the sale
    page.click(".reseller-tabbar a:text-is('工作台')")
    page.click(".wb-shortcuts a:text-is('店铺订单')")
    page.wait_for_url("**/my-shop/orders/")
    card = page.locator(f".so-card[data-order='{order.pk}']")
    assert card.locator(".so-earned").inner_text().split() == ["本单收益", "¥10.80"]
    looks_right(page, screenshot_dir, "4-shop-orders")

    # the workbench's figures moved: one visitor (the buyer; the owner never counts), one order, ¥68.00 sold
    page.click(".reseller-tabbar a:text-is('工作台')")
    page.wait_for_url(f"{live_server.url}/my-shop/")
    assert figure(page, "访客") == ("1", "本月 1")
    assert figure(page, "订单") == ("1", "本月 1")
    assert figure(page, "销售额") == ("¥68.00", "本月 ¥68.00")
    assert figure(page, "预计收益") == ("¥10.80", "本月 ¥10.80")
    looks_right(page, screenshot_dir, "5-workbench-after")

    # and the money page: the day's bar, its amount in yuan
    page.click(".reseller-tabbar a:text-is('收益')")
    page.wait_for_url("**/money/")
    page.fill("input[name=amount]", "100")
    expect(page.locator("#quote-arrives")).to_have_text("¥100.00")  # asked of the server as it was typed
    heights = page.eval_on_selector_all(
        ".chart-axes .bar", "bars => bars.map(bar => parseFloat(bar.getAttribute('height')))"
    )
    assert len(heights) == 30 and [height > 0 for height in heights].count(True) == 1
    looks_right(page, screenshot_dir, "6-money")
    context.close()
    connections.close_all()
