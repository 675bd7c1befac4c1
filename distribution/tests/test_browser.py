"""The team page on a phone, in headless Chromium: a reseller logs in,
sees its team and reaches its invite QR code in one tap.

It starts its own Playwright (like shops' browser test) rather than the
session-wide ``chromium`` fixture: that one keeps an event loop running for
the rest of the run, and the apps' browser tests that follow start their own."""

import pytest

from accounts.tests.factories import PASSWORD
from conftest import PHONE_VIEWPORT

from .factories import ResellerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser):
    return browser.new_page(viewport=PHONE_VIEWPORT, device_scale_factor=2, is_mobile=True, locale="zh-CN")


def test_a_reseller_finds_its_team_and_invite_qr_on_a_phone(live_server, phone, screenshot_dir):
    me = ResellerFactory(user__nickname="林小美")
    ResellerFactory(inviter=me, user__nickname="陈阿杰", user__phone="13712345678")

    phone.goto(f"{live_server.url}/accounts/log-in/?method=password&next=/team/")
    phone.fill("input[name=username]", me.user.phone)
    phone.fill("input[name=password]", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_url("**/team/")

    body = phone.inner_text("main")
    assert "我的团队" in body
    assert "陈**" in body and "137****5678" in body and "陈阿杰" not in body
    phone.screenshot(path=screenshot_dir / "team.png", full_page=True)

    phone.click("text=邀请好友")
    phone.wait_for_url("**/team/invite/")
    assert phone.eval_on_selector("img.qr", "img => img.complete && img.naturalWidth > 0")
    assert me.invite_code in phone.input_value("#invite-link")
    phone.screenshot(path=screenshot_dir / "team-invite.png", full_page=True)
