"""Security around identity: changing the number (codes to the old and the
new number), the sessions list ("log out other devices"), and operators'
second factor (TOTP) before the admin."""

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.choices import SecurityEventKind
from accounts.middleware import SESSION_MARK
from accounts.models import SecurityEvent, User, UserSession
from accounts.sms.console import console_code_for
from socialshop.models import Event

from .factories import PASSWORD, OperatorFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PHONE = "13912340000"
CHANGE = "/accounts/phone/change/"
IPHONE_WECHAT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 MicroMessenger/8.0.40"
)
WINDOWS_CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
)


def _browser(user, user_agent=WINDOWS_CHROME, address="10.0.0.1") -> Client:
    client = Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=address)
    client.force_login(user)  # Django's test log-in has no browser or address: the first page writes them
    with override_settings(USER_SESSION_SEEN_RESOLUTION=0):
        client.get("/accounts/")
    return client


def _forget_row(client) -> None:
    UserSession.objects.filter(session_key=client.session.session_key).delete()
    session = client.session
    session.pop(SESSION_MARK)
    session.save()


def _is_logged_in(client) -> bool:
    return client.get("/accounts/").status_code == 200


# --- changing the number -----------------------------------------------------------------------------


def _codes_for_change(client, user, new_phone=NEW_PHONE):
    client.post(CHANGE, {"action": "send_old"})
    client.post(CHANGE, {"action": "send_new", "new_phone": new_phone})
    return console_code_for(user.phone), console_code_for(new_phone)


def test_a_number_changes_with_both_codes_and_every_other_device_is_logged_out():
    user = UserFactory()
    old_phone = user.phone
    phone, laptop = _browser(user, IPHONE_WECHAT), _browser(user)
    old_code, new_code = _codes_for_change(phone, user)

    response = phone.post(
        CHANGE, {"action": "change", "old_code": old_code, "new_phone": NEW_PHONE, "new_code": new_code}
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.phone == NEW_PHONE and user.phone_verified_at is not None
    assert _is_logged_in(phone) and not _is_logged_in(laptop)
    (event,) = SecurityEvent.objects.filter(user=user, kind=SecurityEventKind.PHONE_CHANGED)
    assert event.detail == {"old_phone": f"{old_phone[:3]}****{old_phone[-4:]}", "new_phone": "139****0000"}
    assert event.ip_address == "10.0.0.1" and "MicroMessenger" in event.user_agent
    assert Event.objects.filter(type="account.phone_changed", aggregate_id=user.pk).count() == 1
    # the new number logs in; the old one is nobody's
    assert User.objects.filter(phone=old_phone).count() == 0


def test_the_old_number_is_warned_by_sms_and_the_inbox_says_so_once():
    from accounts.sms import console
    from notifications.models import Message
    from notifications.services import deliveries_send
    from socialshop.events import events_sweep

    user = UserFactory()
    old_phone = user.phone
    phone = _browser(user)
    old_code, new_code = _codes_for_change(phone, user)
    phone.post(CHANGE, {"action": "change", "old_code": old_code, "new_phone": NEW_PHONE, "new_code": new_code})
    console.notices.clear()

    events_sweep()
    events_sweep()  # a second run finds it handled
    deliveries_send()

    (message,) = Message.objects.filter(recipient=user, kind="phone_changed")
    assert message.title == "您账号的手机号已更换" and "139****0000" in message.body
    (warning,) = console.notices  # to the old number: its owner is the one to warn
    assert warning.phone == old_phone and warning.text == message.body


def test_a_number_that_belongs_to_another_account_is_refused_before_any_code_is_sent():
    UserFactory(phone=NEW_PHONE)
    user = UserFactory()
    client = _browser(user)

    response = client.post(CHANGE, {"action": "send_new", "new_phone": NEW_PHONE})

    assert response.status_code == 200
    assert "该手机号已注册" in response.content.decode() or "已注册" in response.content.decode()
    assert console_code_for(NEW_PHONE) is None


def test_a_wrong_code_for_the_current_number_changes_nothing_and_keeps_the_devices():
    user = UserFactory()
    old_phone = user.phone
    phone, laptop = _browser(user), _browser(user)
    old_code, new_code = _codes_for_change(phone, user)
    wrong = f"{(int(old_code) + 1) % 1_000_000:06d}"

    response = phone.post(CHANGE, {"action": "change", "old_code": wrong, "new_phone": NEW_PHONE, "new_code": new_code})

    assert response.status_code == 200 and "验证码错误" in response.content.decode()
    assert "old_code" in response.context["form"].errors
    user.refresh_from_db()
    assert user.phone == old_phone
    assert _is_logged_in(laptop)
    assert not SecurityEvent.objects.filter(user=user).exists()


def test_the_code_for_the_current_number_does_not_prove_the_new_one():
    user = UserFactory()
    client = _browser(user)
    old_code, _new_code = _codes_for_change(client, user)

    client.post(CHANGE, {"action": "change", "old_code": old_code, "new_phone": NEW_PHONE, "new_code": old_code})

    user.refresh_from_db()
    assert user.phone != NEW_PHONE


# --- sessions ---------------------------------------------------------------------------------------


def test_the_list_shows_each_device_in_words_and_marks_this_one(django_assert_max_num_queries):
    user = UserFactory()
    _browser(user, IPHONE_WECHAT, address="10.0.0.7")
    laptop = _browser(user)

    with django_assert_max_num_queries(6):
        page = laptop.get("/accounts/sessions/").content.decode()

    assert "iPhone · 微信" in page and "Windows · Chrome" in page and "10.0.0.7" in page
    assert page.count("本设备") == 1
    assert page.count("退出该设备") == 1  # not offered for this device


def test_log_out_other_devices_ends_them_all_and_keeps_this_one():
    user = UserFactory()
    phone, tablet = _browser(user, IPHONE_WECHAT), _browser(user)
    unlisted = Client()
    unlisted.force_login(user)
    _forget_row(unlisted)  # as a session from before the list existed: no row, no mark
    laptop = _browser(user)

    laptop.post("/accounts/sessions/end-others/")

    assert _is_logged_in(laptop)
    assert not _is_logged_in(phone) and not _is_logged_in(tablet) and not _is_logged_in(unlisted)
    assert UserSession.objects.filter(user=user, ended_at__isnull=True).count() == 1
    assert SecurityEvent.objects.filter(user=user, kind=SecurityEventKind.OTHER_SESSIONS_ENDED).count() == 1


def test_ending_one_device_logs_out_that_one_only():
    user = UserFactory()
    phone, tablet, laptop = _browser(user, IPHONE_WECHAT), _browser(user), _browser(user)
    row = UserSession.objects.get(session_key=phone.session.session_key)

    laptop.post(f"/accounts/sessions/{row.pk}/end/")

    assert not _is_logged_in(phone)
    assert _is_logged_in(tablet) and _is_logged_in(laptop)


def test_nobody_ends_another_persons_session():
    victim, attacker = UserFactory(), UserFactory()
    victim_browser = _browser(victim)
    row = UserSession.objects.get(user=victim)

    response = _browser(attacker).post(f"/accounts/sessions/{row.pk}/end/")

    assert response.status_code == 404
    assert _is_logged_in(victim_browser)


def test_a_session_is_listed_from_its_log_in_and_seen_at_most_once_per_resolution(settings, django_assert_num_queries):
    settings.USER_SESSION_SEEN_RESOLUTION = 300
    user = UserFactory()
    client = Client(HTTP_USER_AGENT=WINDOWS_CHROME)
    client.force_login(user)
    (row,) = UserSession.objects.filter(user=user)  # written at log-in, before any page

    with CaptureQueriesContext(connection) as queries:
        client.get("/accounts/")
    # within the resolution the middleware reads and writes nothing (the page's own queries aside)
    assert not [query for query in queries.captured_queries if "accounts_usersession" in query["sql"]]
    assert UserSession.objects.get(pk=row.pk).last_seen_at == row.last_seen_at

    settings.USER_SESSION_SEEN_RESOLUTION = 0
    client.get("/accounts/", REMOTE_ADDR="10.9.9.9")
    seen = UserSession.objects.get(pk=row.pk)
    assert (seen.ip_address, seen.user_agent) == ("10.9.9.9", WINDOWS_CHROME)
    assert seen.last_seen_at > row.last_seen_at


def test_a_new_password_keeps_the_session_and_its_row(settings):
    user = UserFactory()
    client = _browser(user)
    row = UserSession.objects.get(user=user)

    client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "Tea-and-honey-42", "new_password2": "Tea-and-honey-42"},
    )
    settings.USER_SESSION_SEEN_RESOLUTION = 0
    assert _is_logged_in(client)

    assert list(UserSession.objects.filter(user=user, ended_at__isnull=True)) == [row]
    assert UserSession.objects.get(pk=row.pk).session_key == client.session.session_key


# --- operators' second factor -------------------------------------------------------------------------


@pytest.fixture
def totp_required(settings):
    settings.OPERATOR_TOTP_REQUIRED = True


def _enrolled(operator) -> TOTPDevice:
    device = TOTPDevice.objects.create(user=operator, name="authenticator", confirmed=True)
    return device


def _code(device, offset=0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def test_an_operator_without_a_verified_device_reaches_no_admin_page(totp_required):
    client = Client()
    client.force_login(OperatorFactory())

    for url in ("/admin/", "/admin/accounts/user/", "/admin/orders/order/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/two-factor/verify/")
    # without an authenticator yet, verifying starts with enrolling one
    assert client.get("/accounts/two-factor/verify/?next=/admin/")["Location"].startswith("/accounts/two-factor/")


def test_enrolment_shows_a_qr_code_and_recovery_codes_once_then_the_admin_opens(totp_required):
    operator = OperatorFactory()
    client = Client()
    client.force_login(operator)
    page = client.get("/accounts/two-factor/?next=/admin/").content.decode()
    assert "<svg" in page
    device = TOTPDevice.objects.get(user=operator, confirmed=False)

    done = client.post("/accounts/two-factor/?next=/admin/", {"token": _code(device)})

    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 and all(code in done.content.decode() for code in codes)
    assert client.get("/admin/").status_code == 200
    assert SecurityEvent.objects.filter(user=operator, kind=SecurityEventKind.TOTP_ENROLLED).count() == 1


def test_a_correct_code_opens_the_admin_and_a_wrong_one_is_refused(totp_required):
    operator = OperatorFactory()
    device = _enrolled(operator)
    client = Client()
    client.force_login(operator)

    wrong = client.post("/accounts/two-factor/verify/", {"token": "000000", "next": "/admin/"})
    assert wrong.status_code == 400 and "验证码不正确" in wrong.content.decode()
    assert client.get("/admin/").status_code == 302

    device.refresh_from_db()
    device.throttling_failure_count, device.throttling_failure_timestamp = 0, None  # django-otp's back-off
    device.save()
    right = client.post("/accounts/two-factor/verify/", {"token": _code(device), "next": "/admin/"})
    assert right.status_code == 302 and right["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_guessing_codes_is_rate_limited(totp_required, settings):
    operator = OperatorFactory()
    device = _enrolled(operator)
    client = Client()
    client.force_login(operator)

    answers = [client.post("/accounts/two-factor/verify/", {"token": f"{n:06d}"}).status_code for n in range(6)]

    assert answers[:5] == [400] * 5 and answers[5] == 429
    refused = client.post("/accounts/two-factor/verify/", {"token": _code(device)})
    assert refused.status_code == 429 and refused["Retry-After"]
    assert client.get("/admin/").status_code == 302


def test_a_recovery_code_works_once(totp_required):
    operator = OperatorFactory()
    client = Client()
    client.force_login(operator)
    client.get("/accounts/two-factor/")
    device = TOTPDevice.objects.get(user=operator, confirmed=False)
    codes = client.post("/accounts/two-factor/", {"token": _code(device)}).context["codes"]

    second = Client()
    second.force_login(operator)
    assert second.post("/accounts/two-factor/verify/", {"token": codes[0]}).status_code == 302
    assert second.get("/admin/").status_code == 200
    third = Client()
    third.force_login(operator)
    assert third.post("/accounts/two-factor/verify/", {"token": codes[0]}).status_code == 400
    assert SecurityEvent.objects.filter(user=operator, kind=SecurityEventKind.RECOVERY_CODE_USED).count() == 1


def test_without_the_setting_the_admin_asks_no_second_factor(settings):
    settings.OPERATOR_TOTP_REQUIRED = False
    client = Client()
    client.force_login(OperatorFactory())

    assert client.get("/admin/").status_code == 200


def test_only_operators_enrol_an_authenticator():
    assert _browser(UserFactory()).get("/accounts/two-factor/").status_code == 404
    assert not TOTPDevice.objects.exists()
