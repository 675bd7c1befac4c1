"""The inbox on a 390×844 phone, in a real headless Chromium: a shipped
parcel's message arrives with the unread badge in the menu and the tab
bar; opening it marks it read and the badge goes; the settings page fits."""

import pytest

from accounts.tests.factories import PASSWORD, UserFactory
from conftest import PHONE_VIEWPORT
from notifications.services import Notice, notices_record
from socialshop.events import event_emit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone_page_zh(chromium):
    context = chromium.new_context(
        viewport=PHONE_VIEWPORT, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    yield context.new_page()
    context.close()


def test_the_inbox_with_its_unread_badge_on_a_phone(live_server, phone_page_zh, settings, screenshot_dir):
    settings.SMS_PROVIDER = "accounts.sms.console.ConsoleSmsProvider"
    buyer = UserFactory()
    for number in ("20261205-000001", "20261205-000002"):
        event = event_emit(type="test.notice", aggregate_type="test", aggregate_id=1)
        notices_record(
            event_id=event.pk,
            notices=[
                Notice(
                    buyer.pk,
                    "order_shipped",
                    {"order": number, "carrier": "顺丰速运", "tracking": "SF1234567890"},
                    "/orders/",
                )
            ],
        )
    page = phone_page_zh
    page.goto(f"{live_server.url}/accounts/log-in/?method=password&next=/messages/")
    page.fill("input[name=username]", buyer.phone)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/messages/")

    assert page.locator(".topnav [data-inbox-unread]").inner_text() == "2"
    assert page.locator(".tabbar [data-inbox-unread]").inner_text() == "2"
    assert page.locator(".inbox-message.unread").count() == 2
    assert page.locator(".topnav .inbox-link").get_attribute("aria-label") == "消息"
    assert "订单 20261205-000002 已发货" in page.locator(".inbox-message").first.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=screenshot_dir / "notifications-inbox.png", full_page=True)

    page.locator(".inbox-message").first.locator("button").click()  # opens its link, marked read
    page.wait_for_url("**/orders/")
    assert page.locator(".topnav [data-inbox-unread]").inner_text() == "1"

    page.goto(f"{live_server.url}/messages/")
    page.click("[data-mark-all]")
    page.wait_for_load_state()
    assert page.locator("[data-inbox-unread]").count() == 0
    assert page.locator(".inbox-message.unread").count() == 0

    page.goto(f"{live_server.url}/messages/settings/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator(".pref[data-kind=refund_paid] input[type=checkbox][value=inbox]").is_disabled()
    page.screenshot(path=screenshot_dir / "notifications-settings.png", full_page=True)
