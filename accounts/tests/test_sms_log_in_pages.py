"""The log-in page by SMS code (its default tab), the send limits with
Retry-After, sign-up keeping the link that brought the person, an optional
password, and adding a number before the first order."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import SmsCode, User
from accounts.sms.console import console_code_for
from distribution.choices import BindingSource
from distribution.models import Binding, Reseller
from distribution.tests.factories import ResellerFactory

from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PHONE = "13800138000"
LOG_IN = "/accounts/log-in/"


def _rates(settings, **rates):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates},
    }


@pytest.fixture(autouse=True)
def _default_rates(settings):
    """The documented limits, whatever the environment says."""
    _rates(
        settings,
        sms_send_phone="10/day",
        sms_send_address="20/hour",
        sms_send_global="300/min",
        login_account="5/min",
        login_address="20/min",
    )
    settings.SMS_CODE_RESEND_SECONDS = 60


def _send(client, phone=PHONE, address="10.0.0.1", url=LOG_IN, **extra):
    return client.post(url, {"method": "sms", "action": "send", "phone": phone, **extra}, REMOTE_ADDR=address)


def _verify(client, code, phone=PHONE, address="10.0.0.1", url=LOG_IN, **extra):
    return client.post(
        url, {"method": "sms", "action": "verify", "phone": phone, "code": code, **extra}, REMOTE_ADDR=address
    )


def _logged_in(client):
    return client.get(reverse("home")).context["user"]


def test_the_log_in_page_opens_on_the_sms_code_and_offers_the_password():
    from django.test import Client

    client = Client()
    page = client.get(LOG_IN).content.decode()
    password_tab = client.get(LOG_IN, {"method": "password"}).content.decode()

    assert 'name="phone"' in page and 'name="password"' not in page
    assert "验证码登录" in page and "密码登录" in page and "获取验证码" in page
    assert 'name="username"' in password_tab and 'name="password"' in password_tab


def test_a_new_number_signs_up_with_the_code_and_goes_on(client):
    sent = _send(client, phone="+86 138 0013 8000", next="/checkout/")

    assert sent.status_code == 200
    page = sent.content.decode()
    assert "138****8000" in page and 'name="code"' in page  # step two, for the number it went to
    code = console_code_for(PHONE)

    response = _verify(client, code, next="/checkout/")

    assert response.status_code == 302 and response["Location"] == "/checkout/"
    user = User.objects.get(phone=PHONE)
    assert _logged_in(client) == user
    assert not user.has_usable_password()


def test_an_existing_customer_logs_in_with_a_code(client):
    user = UserFactory(phone=PHONE)
    _send(client)

    response = _verify(client, console_code_for(PHONE))

    assert response.status_code == 302
    assert _logged_in(client) == user


def test_a_wrong_code_is_a_form_error_and_logs_nobody_in(client):
    _send(client)
    code = console_code_for(PHONE)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    response = _verify(client, wrong)

    assert response.status_code == 200
    assert "验证码错误，还可以再试 4 次。" in response.content.decode()
    assert not _logged_in(client).is_authenticated
    assert not User.objects.filter(phone=PHONE).exists()


def test_a_code_brute_force_is_locked_after_five_wrong_codes(client, settings):
    _rates(settings, login_account="20/min")  # the code's own lock, not the log-in throttle, stops it
    _send(client)
    code = console_code_for(PHONE)
    for attempt in range(5):  # from five addresses, under the log-in throttle's per-address limit
        _verify(client, f"{(int(code) + 1 + attempt) % 1_000_000:06d}", address=f"10.0.1.{attempt}")

    response = _verify(client, code, address="10.0.2.1")

    assert "错误次数过多，请重新获取验证码。" in response.content.decode()
    assert not _logged_in(client).is_authenticated


def test_a_second_code_within_the_minute_is_refused_with_retry_after(client):
    _send(client)

    response = _send(client)

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert "验证码每分钟最多发送一次" in response.content.decode()
    assert 'name="code"' in response.content.decode()  # the first code still works: step two stays
    assert SmsCode.objects.count() == 1
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        assert _send(client).status_code == 200
    assert SmsCode.objects.count() == 2


def test_a_number_gets_at_most_ten_codes_a_day(client):
    start = timezone.now()
    for minute in range(10):
        with time_machine.travel(start + timedelta(minutes=2 * minute)):
            assert _send(client, address=f"10.0.3.{minute}").status_code == 200

    with time_machine.travel(start + timedelta(minutes=30)):
        response = _send(client, address="10.0.4.1")

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 23 * 3600  # until the first of the ten is a day old
    assert SmsCode.objects.count() == 10


def test_one_address_asking_codes_for_many_numbers_is_refused(client, settings):
    _rates(settings, sms_send_address="3/hour")
    for number in ("13800138001", "13800138002", "13800138003"):
        assert _send(client, phone=number).status_code == 200

    response = _send(client, phone="13800138004")

    assert response.status_code == 429 and "Retry-After" in response
    assert console_code_for("13800138004") is None
    # the number itself was not held back by the refusal: from another address it gets its code
    assert _send(client, phone="13800138004", address="10.9.9.9").status_code == 200


def test_the_whole_site_has_a_ceiling(client, settings):
    _rates(settings, sms_send_global="2/min")
    _send(client, phone="13800138001", address="10.0.5.1")
    _send(client, phone="13800138002", address="10.0.5.2")

    response = _send(client, phone="13800138003", address="10.0.5.3")

    assert response.status_code == 429
    assert console_code_for("13800138003") is None


def test_log_in_attempts_by_code_share_the_log_in_throttle(client, settings):
    _rates(settings, login_account="2/min")
    _send(client)
    code = console_code_for(PHONE)
    for address in ("10.0.6.1", "10.0.6.2"):
        _verify(client, "000000" if code != "000000" else "111111", address=address)

    response = _verify(client, code, address="10.0.6.3")

    assert response.status_code == 429 and "Retry-After" in response
    assert not _logged_in(client).is_authenticated  # the right code was not even tried
    assert SmsCode.objects.get().used_at is None


def test_a_number_that_is_not_a_mobile_number_is_a_form_error_and_sends_nothing(client):
    response = _send(client, phone="12345")

    assert response.status_code == 200
    assert "请输入中国大陆手机号" in response.content.decode()
    assert not SmsCode.objects.exists()


def test_sign_up_by_code_keeps_the_shared_link_that_brought_the_person(client):
    reseller = ResellerFactory()
    client.get("/", {"ref": reseller.invite_code})  # a shop link someone shared
    _send(client)

    _verify(client, console_code_for(PHONE))

    binding = Binding.objects.get(customer__phone=PHONE)
    assert (binding.reseller, binding.source) == (reseller, BindingSource.LINK)


def test_sign_up_by_code_from_an_invite_link_goes_on_to_join_that_team(client):
    inviter = ResellerFactory()
    invite = client.get("/join/", {"ref": inviter.invite_code})
    assert invite.status_code == 200
    _send(client, next="/join/")

    response = _verify(client, console_code_for(PHONE), next="/join/")

    assert response["Location"] == "/join/"
    join = client.get("/join/")
    assert join.context["form"].initial["invite_code"] == inviter.invite_code  # the code, filled in
    client.post("/join/", {"invite_code": inviter.invite_code})
    assert Reseller.objects.get(user__phone=PHONE).inviter == inviter
    assert Binding.objects.get(customer__phone=PHONE).reseller == inviter


def test_a_user_who_signed_up_by_code_sets_a_password_and_logs_in_either_way(client):
    _send(client)
    _verify(client, console_code_for(PHONE))

    page = client.get("/accounts/password/")
    assert "设置密码" in page.content.decode()
    response = client.post(
        "/accounts/password/", {"new_password1": "Tea-and-honey-42", "new_password2": "Tea-and-honey-42"}
    )
    assert response.status_code == 302
    assert _logged_in(client).phone == PHONE  # still logged in
    client.logout()

    assert client.post(LOG_IN, {"username": PHONE, "password": "Tea-and-honey-42"}).status_code == 302
    client.logout()
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        _send(client)
        assert _verify(client, console_code_for(PHONE)).status_code == 302


def test_changing_a_password_asks_for_the_old_one(client):
    user = UserFactory(phone=PHONE)
    client.force_login(user)

    refused = client.post(
        "/accounts/password/",
        {"old_password": "wrong", "new_password1": "Tea-and-honey-42", "new_password2": "Tea-and-honey-42"},
    )

    assert refused.status_code == 200 and "old_password" in refused.context["form"].errors
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
