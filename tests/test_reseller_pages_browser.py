"""Every page a reseller uses, walked in headless Chromium on a 390×844 phone
and a 1280×800 desktop: nothing wider than the screen, no console error, no
failed request, no English word in the visible text, and (on the phone)
every link, button and field at least 32 px tall. And 复制链接 where the
Clipboard API is missing: the link is selected and copied the old way."""

import re

import pytest

from accounts.tests.factories import PASSWORD
from conftest import PHONE_VIEWPORT
from orders.tests.factories import pay, place, shop_selling
from shops.tests.factories import ShopFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
SMALL_TARGETS = """() => [...document.querySelectorAll('a, button, input, select, textarea')]
    .filter(element => element.type !== 'hidden' && getComputedStyle(element).visibility !== 'hidden')
    .map(element => [element, element.getBoundingClientRect()])
    .filter(([element, box]) => box.width > 0 && box.height > 0 && box.height < 32)
    .map(([element, box]) => `${element.outerHTML.slice(0, 80)} (${box.height} px)`)"""
ENGLISH = re.compile(r"\b(?!English\b|CSV\b)[A-Za-z]{3,}\b")  # the language switch's own name, a file type


@pytest.fixture
def reseller_world(django_capture_on_commit_callbacks):
    from distribution.tests.factories import ResellerFactory

    # invite codes with digits: a random all-letter code ("GRMBCD") would read as an English word
    reseller = ResellerFactory(
        inviter=ResellerFactory(invite_code="K2X9Q7"), invite_code="M8N3P5", user__nickname="林小美"
    )
    shop, sku = shop_selling(shop=ShopFactory(owner=reseller, name="小美的好物分享", slug="xiaomei"), price=12_900)
    with django_capture_on_commit_callbacks(execute=True):
        order = pay(place(shop=shop, sku=sku, quantity=2))
    return reseller, sku, order


def pages(sku, order) -> list[str]:
    return [
        "/my-shop/",
        "/my-shop/catalogue/",
        "/my-shop/orders/",
        f"/my-shop/orders/{order.pk}/",
        "/my-shop/products/",
        "/money/",
        "/team/",
        "/team/invite/",
        "/s/xiaomei/share/",
        f"/s/xiaomei/p/{sku.product_id}/share/",
    ]


@pytest.mark.parametrize("viewport", [PHONE_VIEWPORT, DESKTOP], ids=["phone", "desktop"])
def test_every_reseller_page_fits_and_speaks_chinese(live_server, chromium, reseller_world, viewport, screenshot_dir):
    reseller, sku, order = reseller_world
    phone = viewport["width"] < 500
    context = chromium.new_context(viewport=viewport, is_mobile=phone, has_touch=phone, locale="zh-CN")
    page = context.new_page()
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}"))
    page.goto(f"{live_server.url}/accounts/log-in/")
    page.click("#log-in-with-password")  # the page opens on log-in by SMS code
    page.fill("input[name=username]", reseller.user.phone)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/my-shop/")

    for path in pages(sku, order):
        response = page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")

        assert response.status == 200, path
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], path
        assert ENGLISH.findall(page.inner_text("body")) == [], path
        if phone:
            assert page.evaluate(SMALL_TARGETS) == [], path
        assert problems == [], path
        name = path.strip("/").replace("/", "-")
        page.screenshot(path=screenshot_dir / f"reseller-{'phone' if phone else 'desktop'}-{name}.png", full_page=True)
    context.close()


def test_copy_link_falls_back_to_selecting_the_link(live_server, chromium, reseller_world):
    reseller, _sku, _order = reseller_world
    context = chromium.new_context(viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True, locale="zh-CN")
    context.add_init_script("Object.defineProperty(navigator, 'clipboard', { value: undefined })")  # an old WebView
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/log-in/")
    page.click("#log-in-with-password")  # the page opens on log-in by SMS code
    page.fill("input[name=username]", reseller.user.phone)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/my-shop/")

    page.click("[data-copy='shop-link']")

    selected = page.evaluate(
        "() => { const input = document.getElementById('shop-link'); "
        "return [document.activeElement === input, input.selectionStart, input.selectionEnd, input.value.length]; }"
    )
    assert selected[:3] == [True, 0, selected[3]]  # the whole link, selected for the person
    assert page.locator(".copy-done.shown").inner_text() in ("已复制", "已选中，请长按复制")
    context.close()
