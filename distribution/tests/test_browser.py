"""The team page on a phone, in headless Chromium: a reseller logs in,
sees its team and reaches its invite QR code in one tap."""

import pytest

from accounts.tests.factories import PASSWORD

from .factories import ResellerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reseller_finds_its_team_and_invite_qr_on_a_phone(live_server, phone_page, screenshot_dir):
    me = ResellerFactory(user__nickname="林小美")
    ResellerFactory(inviter=me, user__nickname="陈阿杰", user__phone="13712345678")
    page = phone_page
    page.set_extra_http_headers({"Accept-Language": "zh-CN,zh;q=0.9"})

    page.goto(f"{live_server.url}/accounts/log-in/?next=/team/")
    page.fill("input[name=username]", me.user.phone)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/team/")

    body = page.inner_text("main")
    assert "我的团队" in body
    assert "陈**" in body and "137****5678" in body and "陈阿杰" not in body
    page.screenshot(path=screenshot_dir / "team.png", full_page=True)

    page.click("text=邀请好友")
    page.wait_for_url("**/team/invite/")
    assert page.eval_on_selector("img.qr", "img => img.complete && img.naturalWidth > 0")
    assert me.invite_code in page.input_value("#invite-link")
    page.screenshot(path=screenshot_dir / "team-invite.png", full_page=True)
