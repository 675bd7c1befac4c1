"""In Chromium at 390×844: a reseller tags a customer and sets a reminder
that appears on its workbench; its numbers page fits the phone; the
operators' dashboard renders on a phone and a desktop and exports a CSV and
an Excel workbook; the admin's order list exports as Excel."""

import io
import re

import openpyxl
import pytest
from django.utils import timezone

from accounts.tests.factories import PASSWORD, OperatorFactory, UserFactory
from conftest import PHONE_VIEWPORT
from distribution.choices import BindingSource
from distribution.services import binding_touch
from distribution.tests.factories import ResellerFactory
from growth.models import CustomerNote
from growth.stats import stats_recompute
from orders.tests.factories import pay, place, shop_selling
from shops.tests.factories import ShopFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
ENGLISH = re.compile(r"\b(?!English\b|CSV\b)[A-Za-z]{3,}\b")


def log_in(page, base: str, phone_number: str) -> None:
    page.goto(f"{base}/accounts/log-in/?method=password")
    page.fill("input[name=username]", phone_number)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def workbook(download):
    """The downloaded .xlsx (Playwright keeps it under a name without the extension openpyxl asks for)."""
    with open(download.path(), "rb") as file:
        return openpyxl.load_workbook(io.BytesIO(file.read()))


def width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.fixture
def business(django_capture_on_commit_callbacks):
    reseller = ResellerFactory(invite_code="M8N3P5", user__nickname="林小美")
    shop, sku = shop_selling(shop=ShopFactory(owner=reseller, name="小美的好物分享", slug="xiaomei"), price=12_900)
    customer = UserFactory(nickname="王大锤", phone="13912345678")
    binding_touch(customer=customer, reseller=reseller, source=BindingSource.LINK)
    with django_capture_on_commit_callbacks(execute=True):
        pay(place(buyer=customer, shop=shop, sku=sku, quantity=2))
    stats_recompute(first=timezone.localdate(), last=timezone.localdate())
    return reseller, customer


def test_a_reseller_tags_a_customer_and_its_reminder_shows_on_the_workbench(
    live_server, chromium, business, screenshot_dir
):
    reseller, customer = business
    context = chromium.new_context(viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    log_in(page, live_server.url, reseller.user.phone)

    page.goto(f"{live_server.url}/my-shop/")
    page.click("text=我的客户")
    page.wait_for_url(f"{live_server.url}/my-shop/customers/")
    assert "139****5678" in page.inner_text("main") and "13912345678" not in page.content()
    assert width(page) <= PHONE_VIEWPORT["width"]
    page.screenshot(path=screenshot_dir / "growth-phone-customers.png", full_page=True)

    page.click("text=王**")
    page.fill("#note-form input[name=tags]", "宝妈,老客")
    page.fill("#note-form textarea[name=note]", "喜欢坚果，月底再问")
    page.click("#note-form button[type=submit]")
    page.wait_for_load_state()
    page.fill("#reminder-form input[name=due_on]", timezone.localdate().isoformat())
    page.fill("#reminder-form input[name=text]", "问问坚果吃完没有")
    page.click("#reminder-form button[type=submit]")
    page.wait_for_load_state()
    assert "提醒已设置" in page.inner_text("body")
    assert width(page) <= PHONE_VIEWPORT["width"]
    page.screenshot(path=screenshot_dir / "growth-phone-customer.png", full_page=True)

    page.goto(f"{live_server.url}/my-shop/")
    due = page.locator(".gr-due")
    assert "今日跟进" in due.inner_text() and "问问坚果吃完没有" in due.inner_text()
    assert width(page) <= PHONE_VIEWPORT["width"]
    page.screenshot(path=screenshot_dir / "growth-phone-workbench.png", full_page=True)
    assert CustomerNote.objects.get(customer=customer).tags == "宝妈,老客"

    page.goto(f"{live_server.url}/my-shop/numbers/?days=7")
    assert "从分享到复购" in page.inner_text("main")
    assert ENGLISH.findall(page.inner_text("body")) == []
    assert width(page) <= PHONE_VIEWPORT["width"]
    page.screenshot(path=screenshot_dir / "growth-phone-numbers.png", full_page=True)
    assert problems == []
    context.close()


@pytest.mark.parametrize("viewport", [PHONE_VIEWPORT, DESKTOP], ids=["phone", "desktop"])
def test_the_dashboard_renders_and_exports_a_csv(live_server, chromium, business, viewport, screenshot_dir):
    operator = OperatorFactory(phone="13800000009", nickname="平台运营小王")
    phone = viewport["width"] < 500
    context = chromium.new_context(viewport=viewport, is_mobile=phone, has_touch=phone, locale="zh-CN")
    page = context.new_page()
    log_in(page, live_server.url, operator.phone)

    page.goto(f"{live_server.url}/ops/")

    assert "¥258.00" in page.inner_text("#content")
    assert page.locator(".gr-chart svg rect.bar").count() == 30
    assert width(page) <= viewport["width"]
    page.screenshot(path=screenshot_dir / f"growth-{'phone' if phone else 'desktop'}-ops.png", full_page=True)
    with page.expect_download() as download:
        page.click("#export-csv")
    csv = open(download.value.path(), encoding="utf-8").read()
    assert "258.00" in csv and "成交额" in csv
    with page.expect_download() as download:
        page.click("#export-xlsx")
    sheet = workbook(download.value).active
    cells = {cell.value for row in sheet.iter_rows() for cell in row if cell.value is not None}
    assert download.value.suggested_filename.endswith(".xlsx")
    assert 258 in cells and any("成交额" in str(cell) for cell in cells)  # the GMV in yuan, a number
    context.close()


def test_an_operator_exports_the_order_list_as_excel_from_the_admin(live_server, chromium, business, screenshot_dir):
    """导出 above the admin's order list, the export page (format, columns in
    Chinese) at 390 px, and the workbook it downloads."""
    operator = OperatorFactory(phone="13800000009", nickname="平台运营小王")
    context = chromium.new_context(viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    log_in(page, live_server.url, operator.phone)

    page.goto(f"{live_server.url}/admin/orders/order/")
    page.click("a.export_link")
    page.wait_for_load_state()
    assert width(page) <= PHONE_VIEWPORT["width"]
    assert "实付（元）" in page.inner_text("#content")
    page.screenshot(path=screenshot_dir / "growth-phone-admin-export.png", full_page=True)
    page.select_option("select[name=format]", label="xlsx")
    with page.expect_download() as download:
        page.click("#content input[type=submit], #content button[type=submit]")
    rows = [[cell.value for cell in row] for row in workbook(download.value).active.iter_rows()]
    assert "实付（元）" in rows[0] and rows[1][rows[0].index("实付（元）")] == 258
    context.close()


def test_the_export_pages_select_all_box_works_under_the_content_security_policy(live_server, chromium, business):
    operator = OperatorFactory(phone="13800000009", nickname="平台运营小王")
    context = chromium.new_context(viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(page, live_server.url, operator.phone)

    page.goto(f"{live_server.url}/admin/orders/order/export/")
    page.uncheck("#select-all-toggle")
    unticked = page.locator(".selectable-field-export-row input[type=checkbox]:not(#select-all-toggle):checked").count()
    page.check("#select-all-toggle")
    ticked = page.locator(".selectable-field-export-row input[type=checkbox]:not(#select-all-toggle):checked").count()

    assert (unticked, ticked) == (0, 12) and errors == []
    context.close()
