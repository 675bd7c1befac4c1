"""Pages people open on a 390×844 phone fit it, in a real headless Chromium:
supplier and operator pages that were wide tables, the reseller's shop page
(one-line menu, tap targets of at least 32 px), the log-in landing, the
favicon, and removing a pick (asked first). Desktop keeps its tables.

Uses the session's Chromium (conftest ``chromium``) with contexts of its own
per language: Chinese first, English one tap away; English words are
longer, so both must fit."""

import pytest

from accounts.tests.factories import PASSWORD, OperatorFactory
from catalog.tests.factories import SkuFactory, SupplierStaffFactory
from commissions.services.withdrawals import withdrawal_reject, withdrawal_request
from commissions.tests.factories import credit_withdrawable
from conftest import PHONE_VIEWPORT
from distribution.tests.factories import ResellerFactory
from orders.services.refunds import refund_request
from orders.tests.factories import pay, place, shop_selling
from shops.models import ShopProduct
from shops.tests.factories import ShopFactory, ShopProductFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["zh-CN", "en-US"]


def _context(chromium, locale, viewport=PHONE_VIEWPORT):
    phone = viewport["width"] < 500
    return chromium.new_context(
        viewport=viewport, device_scale_factor=2 if phone else 1, is_mobile=phone, has_touch=phone, locale=locale
    )


@pytest.fixture(params=LANGUAGES)
def phone(request, chromium):
    context = _context(chromium, request.param)
    yield context.new_page()
    context.close()


@pytest.fixture
def desktop(chromium):
    context = _context(chromium, "zh-CN", {"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def log_in(page, base: str, phone_number: str, next_path: str = "") -> None:
    page.goto(f"{base}/accounts/log-in/?method=password" + (f"&next={next_path}" if next_path else ""))
    page.fill("input[name=username]", phone_number)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


# what a thumb can hit: every visible link, button and field at least 32 px tall
SMALL_TARGETS = """() => [...document.querySelectorAll('a, button, input, select, textarea')]
    .filter(element => element.type !== 'hidden' && getComputedStyle(element).visibility !== 'hidden')
    .map(element => [element, element.getBoundingClientRect()])
    .filter(([element, box]) => box.width > 0 && box.height > 0 && box.height < 32)
    .map(([element, box]) => `${element.outerHTML.slice(0, 80)} (${box.height} px)`)"""


@pytest.fixture
def supplier_world():
    """A supplier with a product of several SKUs, a paid order of it to ship
    to a long address, and a refund its buyer asked for."""
    staff = SupplierStaffFactory(supplier__name="杭州丝语服饰有限公司")
    product_skus = [
        SkuFactory(
            product__supplier=staff.supplier,
            product__title="真丝印花连衣裙（夏季新款，桑蚕丝面料）",
            code="S01-01-01-LONGCODE",
            spec={"尺码": "XL", "颜色": "雾霾蓝"},
        )
    ]
    product = product_skus[0].product
    product_skus += [SkuFactory(product=product, code=f"S01-01-0{n}-LONGCODE") for n in (2, 3)]
    shop, sku = shop_selling(sku=product_skus[0])
    order = pay(place(shop=shop, sku=sku, quantity=2))
    refunded = pay(place(shop=shop, sku=sku))
    refund_request(
        order_id=refunded.pk,
        line_id=refunded.lines.get().pk,
        buyer=refunded.buyer,
        amount=5_000,
        reason="收到的颜色和图片不一样，而且尺码偏小，想退一件",
    )
    return staff, product, order


SUPPLIER_PAGES = ["/supplier/", "/supplier/products/{product}/", "/supplier/orders/", "/supplier/refunds/"]


@pytest.mark.parametrize("path", SUPPLIER_PAGES)
def test_supplier_pages_fit_a_phone(live_server, phone, supplier_world, path):
    staff, product, _order = supplier_world
    log_in(phone, live_server.url, staff.user.phone)

    phone.goto(live_server.url + path.format(product=product.pk))

    assert width(phone) <= PHONE_VIEWPORT["width"], path
    if path == "/supplier/":  # a title reads across its card, not one character per line
        title = phone.locator(".product-title a").first.bounding_box()
        assert title["height"] < 60 and title["width"] > 150


@pytest.fixture
def audit_world():
    operator = OperatorFactory(phone="13800000009", nickname="平台运营小王")
    reseller = ResellerFactory()
    credit_withdrawable(reseller.pk, 50_000, "start")
    for _ in range(3):
        withdrawal = withdrawal_request(reseller=reseller, amount=10_000)
        withdrawal_reject(
            operator=operator, withdrawal_id=withdrawal.pk, reason="收款账户信息与实名信息不一致，请核对后重新申请"
        )
    return operator


def test_the_audit_log_fits_a_phone(live_server, phone, audit_world):
    log_in(phone, live_server.url, audit_world.phone)

    phone.goto(f"{live_server.url}/ops/audit/")

    assert phone.locator(".ops-stack tbody tr").count() == 3
    assert width(phone) <= PHONE_VIEWPORT["width"]


def test_desktop_keeps_the_tables(live_server, desktop, supplier_world, audit_world):
    staff, product, _order = supplier_world
    log_in(desktop, live_server.url, staff.user.phone)
    for path in SUPPLIER_PAGES:
        desktop.goto(live_server.url + path.format(product=product.pk))
        assert desktop.locator("table.stack thead").first.is_visible(), path
        assert width(desktop) <= 1280, path
    desktop.context.clear_cookies()
    log_in(desktop, live_server.url, audit_world.phone)
    desktop.goto(f"{live_server.url}/ops/audit/")
    assert desktop.locator(".ops-stack thead").is_visible()


@pytest.fixture
def reseller_with_a_shop():
    reseller = ResellerFactory(user__nickname="林小美")
    shop = ShopFactory(owner=reseller, name="小美的好物分享")
    picks = [
        ShopProductFactory(shop=shop, product__title=title) for title in ("真丝印花连衣裙", "高原蜂蜜 500g", "普洱茶饼")
    ]
    return reseller, picks


def test_a_reseller_logs_in_to_its_shop_which_fits_a_thumb(live_server, phone, reseller_with_a_shop, screenshot_dir):
    reseller, picks = reseller_with_a_shop

    log_in(phone, live_server.url, reseller.user.phone)

    assert phone.url == f"{live_server.url}/my-shop/"  # no ?next=: the reseller's own place
    bar = phone.eval_on_selector_all(
        ".topbar a",
        "links => links.map(link => { const box = link.getBoundingClientRect(); return [box.top, box.right]; })",
    )
    assert len({round(top) for top, _right in bar}) == 1, bar  # the menu is one line
    assert max(right for _top, right in bar) <= PHONE_VIEWPORT["width"]
    assert phone.locator(".topbar a[href='/my-shop/']").is_visible()
    assert phone.locator(".topbar a[href='/accounts/api-tokens/']").count() == 0
    assert phone.evaluate(SMALL_TARGETS) == []
    assert width(phone) <= PHONE_VIEWPORT["width"]
    phone.screenshot(path=screenshot_dir / "my-shop-phone.png", full_page=True)


def test_removing_a_pick_asks_first_without_a_script(live_server, phone, reseller_with_a_shop):
    reseller, picks = reseller_with_a_shop
    log_in(phone, live_server.url, reseller.user.phone)
    phone.goto(f"{live_server.url}/my-shop/products/")

    phone.click(f"#pick-{picks[1].pk} a[href$='/remove/']")

    assert phone.url.endswith(f"/my-shop/picks/{picks[1].pk}/remove/")
    assert ShopProduct.objects.filter(pk=picks[1].pk).exists()  # asked, not removed
    assert phone.evaluate(SMALL_TARGETS) == []
    phone.click("#confirm-remove")
    phone.wait_for_url(f"{live_server.url}/my-shop/products/")
    assert not ShopProduct.objects.filter(pk=picks[1].pk).exists()
    assert phone.locator(".pick").count() == 2


def test_the_site_has_an_icon(live_server, phone):
    response = phone.goto(f"{live_server.url}/favicon.ico")

    assert response.status == 200 and response.headers["content-type"].startswith("image/")
    phone.goto(f"{live_server.url}/")
    icon = phone.get_attribute("link[rel=icon]", "href")
    assert phone.request.get(f"{live_server.url}{icon}").ok
