"""Security around identity in headless Chromium on a 390×844 phone:
changing the number with codes to the old and the new number; the list of
logged-in devices and "log out other devices"; an operator enrolling an
authenticator app (QR code, recovery codes) and logging in to the admin
with its code. The console SMS provider's outbox is read in this process,
where the live server runs."""

import pytest
from django.db import connections
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.sms.console import console_code_for
from conftest import PHONE_VIEWPORT

from .factories import PASSWORD, OperatorFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_NUMBER = "13912340000"


@pytest.fixture
def contexts(chromium):
    opened = []

    def open_page(**options):
        context = chromium.new_context(
            viewport=PHONE_VIEWPORT, device_scale_factor=2, is_mobile=True, locale="zh-CN", **options
        )
        opened.append(context)
        return context.new_page()

    yield open_page
    for context in opened:
        context.close()
    connections.close_all()


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]


def _log_in_with_password(page, base: str, phone: str, url="/accounts/log-in/?method=password"):
    page.goto(base + url)
    page.fill("input[name=username]", phone)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form button.primary, form input[type=submit]")


def _click(page, selector: str):
    with page.expect_navigation():
        page.click(selector)


def test_a_person_changes_its_number_with_both_codes(live_server, contexts, screenshot_dir):
    user = UserFactory()
    old_number = user.phone
    page = contexts()
    _log_in_with_password(page, live_server.url, old_number)

    page.goto(live_server.url + "/accounts/")
    _click(page, "a[href='/accounts/phone/change/']")  # 更换手机号
    assert _fits(page)
    _click(page, "button[value=send_old]")
    page.fill("input[name=old_code]", console_code_for(old_number))
    page.fill("input[name=new_phone]", NEW_NUMBER)
    _click(page, "button[value=send_new]")
    page.fill("input[name=new_code]", console_code_for(NEW_NUMBER))
    page.screenshot(path=screenshot_dir / "change-phone.png", full_page=True)
    _click(page, "button[value=change]")

    assert page.url.endswith("/accounts/")
    assert NEW_NUMBER in page.inner_text("main") and "手机号已更换" in page.inner_text("body")
    assert User.objects.get(pk=user.pk).phone == NEW_NUMBER


def test_the_devices_list_logs_out_the_other_devices(live_server, contexts, screenshot_dir):
    user = UserFactory()
    laptop = contexts(
        user_agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0 Safari/537.36"
    )
    _log_in_with_password(laptop, live_server.url, user.phone)
    phone = contexts(
        user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Mobile/15E148 MicroMessenger/8.0.40"
    )
    _log_in_with_password(phone, live_server.url, user.phone)

    phone.goto(live_server.url + "/accounts/")
    _click(phone, "a[href='/accounts/sessions/']")  # 登录设备
    listed = phone.inner_text("main")
    assert "iPhone · 微信" in listed and "Windows · Chrome" in listed and "本设备" in listed
    assert _fits(phone)
    phone.screenshot(path=screenshot_dir / "sessions.png", full_page=True)
    _click(phone, "form[action='/accounts/sessions/end-others/'] button")  # 退出其他所有设备

    assert "其他设备已全部退出登录" in phone.inner_text("body")
    assert "Windows · Chrome" not in phone.inner_text("main")
    laptop.goto(live_server.url + "/accounts/")
    assert "/accounts/log-in/" in laptop.url  # the laptop is logged out
    phone.goto(live_server.url + "/accounts/")
    assert phone.url.endswith("/accounts/")  # this phone is not


def test_an_operator_enrols_an_authenticator_then_logs_in_to_the_admin_with_its_code(
    live_server, contexts, settings, screenshot_dir
):
    settings.OPERATOR_TOTP_REQUIRED = True
    operator = OperatorFactory()
    page = contexts()
    _log_in_with_password(page, live_server.url, operator.phone, url="/admin/login/?next=/admin/")

    assert "/accounts/two-factor/" in page.url  # no admin page before a second factor: enrol one
    assert page.locator(".totp-qr svg").count() == 1
    assert _fits(page)
    page.screenshot(path=screenshot_dir / "two-factor-enrol.png", full_page=True)
    device = TOTPDevice.objects.get(user=operator, confirmed=False)
    page.fill("input[name=token]", "000000")
    _click(page, "form button.primary")
    assert "验证码不正确" in page.inner_text("main")  # a wrong code is refused
    device.refresh_from_db()
    device.throttling_failure_count = 0  # django-otp's back-off after the wrong code
    device.save()
    page.fill("input[name=token]", f"{totp(device.bin_key):06d}")
    _click(page, "form button.primary")
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.screenshot(path=screenshot_dir / "two-factor-recovery-codes.png", full_page=True)
    _click(page, "a.button.primary")  # 我已保存
    assert page.url.endswith("/admin/") and page.locator("#site-name").count() == 1

    # another day, another browser: the password, then the authenticator's code
    later = contexts()
    _log_in_with_password(later, live_server.url, operator.phone, url="/admin/login/?next=/admin/")
    assert "/accounts/two-factor/verify/" in later.url
    later.screenshot(path=screenshot_dir / "two-factor-verify.png", full_page=True)
    device.refresh_from_db()
    later.fill("input[name=token]", f"{totp(device.bin_key, drift=1):06d}")  # the next step's code: not a replay
    _click(later, "form button.primary")
    assert later.url.endswith("/admin/") and later.locator("#site-name").count() == 1
