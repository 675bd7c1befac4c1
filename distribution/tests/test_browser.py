"""The team page on a phone, in headless Chromium: a reseller logs in,
sees its team and reaches its invite QR code in one tap."""

import os

import pytest

from accounts.tests.factories import PASSWORD
from conftest import chromium_path

from .factories import ResellerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = os.path.join(os.path.dirname(__file__), "..", "..", "artifacts", "screenshots")


@pytest.fixture
def async_unsafe_allowed(monkeypatch):
    """Playwright's sync API runs an event loop; Django's ORM must not mind,
    for this test only (the deploy check refuses the variable elsewhere)."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_a_reseller_finds_its_team_and_invite_qr_on_a_phone(live_server, async_unsafe_allowed):
    from playwright.sync_api import sync_playwright

    me = ResellerFactory(user__nickname="林小美")
    ResellerFactory(inviter=me, user__nickname="陈阿杰", user__phone="13712345678")
    os.makedirs(SCREENSHOTS, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page(
            viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, locale="zh-CN"
        )
        page.goto(f"{live_server.url}/accounts/log-in/?next=/team/")
        page.fill("input[name=username]", me.user.phone)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/team/")

        body = page.inner_text("main")
        assert "我的团队" in body
        assert "陈**" in body and "137****5678" in body and "陈阿杰" not in body
        page.screenshot(path=os.path.join(SCREENSHOTS, "team.png"), full_page=True)

        page.click("text=邀请好友")
        page.wait_for_url("**/team/invite/")
        qr_loaded = page.eval_on_selector("img.qr", "img => img.complete && img.naturalWidth > 0")
        assert qr_loaded
        assert me.invite_code in page.input_value("#invite-link")
        page.screenshot(path=os.path.join(SCREENSHOTS, "team-invite.png"), full_page=True)
        browser.close()
