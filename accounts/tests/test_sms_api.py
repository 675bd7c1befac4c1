"""The API's log-in by SMS code: the same codes, limits and errors as the
page, as the project's error body with machine-readable codes."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from accounts.models import ApiToken, SmsCode, User
from accounts.sms.console import console_code_for

from .factories import UserFactory

pytestmark = pytest.mark.django_db

PHONE = "13800138000"
CODES = "/api/v1/auth/sms-codes/"
LOG_IN = "/api/v1/auth/sms-log-in/"


def _rate(settings, **rates):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates},
    }


@pytest.fixture(autouse=True)
def _default_rates(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "sms_send_phone": "10/day",
            "sms_send_address": "20/hour",
            "sms_send_global": "300/min",
            "login_account": "5/min",
            "login_address": "20/min",
        },
    }


@pytest.fixture
def api():
    return APIClient()


def _code(api, phone=PHONE) -> str:
    response = api.post(CODES, {"phone": phone}, format="json")
    assert response.status_code == 202, response.content
    return console_code_for(phone)


def test_a_code_is_sent_and_traded_for_a_token_that_works(api):
    sent = api.post(CODES, {"phone": "+86 138 0013 8000"}, format="json")
    assert sent.status_code == 202
    assert sent.json() == {"phone": "138****8000", "expires_in_seconds": 300, "resend_after_seconds": 60}

    response = api.post(LOG_IN, {"phone": PHONE, "code": console_code_for(PHONE)}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["created"] is True and body["user"]["phone"] == PHONE and body["user"]["role"] == "customer"
    me = APIClient(HTTP_AUTHORIZATION=f"Bearer {body['token']}").get("/api/v1/me/")
    assert me.status_code == 200 and me.json()["phone"] == PHONE
    assert ApiToken.objects.get().name == "SMS log-in"


def test_an_existing_account_logs_in(api):
    user = UserFactory(phone=PHONE)

    body = api.post(LOG_IN, {"phone": PHONE, "code": _code(api), "token_name": "小程序"}, format="json").json()

    assert (body["created"], body["user"]["id"]) == (False, user.pk)
    assert user.api_tokens.get().name == "小程序"


def test_a_second_code_within_the_minute_answers_429_with_retry_after(api):
    _code(api)

    response = api.post(CODES, {"phone": PHONE}, format="json")

    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "sms_send_throttled" and body["limit"] == "phone_interval"
    assert 0 < body["retry_after_seconds"] <= 60
    assert response["Retry-After"] == str(body["retry_after_seconds"])


def test_the_day_limit_and_the_address_limit_name_themselves(api, settings):
    start = timezone.now()
    for minute in range(10):
        with time_machine.travel(start + timedelta(minutes=2 * minute)):
            _code(api)
    with time_machine.travel(start + timedelta(minutes=25)):
        day = api.post(CODES, {"phone": PHONE}, format="json")
    _rate(settings, sms_send_address="10/hour")  # ten sent from here
    with time_machine.travel(start + timedelta(minutes=26)):
        address = api.post(CODES, {"phone": "13900139000"}, format="json")

    assert (day.status_code, day.json().get("limit")) == (429, "phone_daily"), day.json()
    assert (address.status_code, address.json().get("limit")) == (429, "address"), address.json()
    assert (address.status_code, address.json()["limit"]) == (429, "address")


@pytest.mark.parametrize(
    ("phone", "code"), [("12345", "invalid_phone"), ("", "blank")], ids=["not a mobile number", "empty"]
)
def test_a_bad_number_is_a_validation_error_and_sends_nothing(api, phone, code):
    response = api.post(CODES, {"phone": phone}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert response.json()["field_codes"] == {"phone": [code]}
    assert console_code_for(phone) is None


def test_wrong_codes_count_down_then_lock(api, settings):
    _rate(settings, login_account="20/min")
    code = _code(api)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    answers = [api.post(LOG_IN, {"phone": PHONE, "code": wrong}, format="json").json() for _ in range(5)]
    locked = api.post(LOG_IN, {"phone": PHONE, "code": code}, format="json")

    assert [answer["code"] for answer in answers] == ["sms_code_wrong"] * 4 + ["sms_code_locked"]
    assert [answer.get("attempts_left") for answer in answers[:4]] == [4, 3, 2, 1]
    assert locked.status_code == 400 and locked.json()["code"] == "sms_code_locked"
    assert not User.objects.exists()


def test_a_used_code_and_an_expired_code_are_named(api):
    code = _code(api)
    assert api.post(LOG_IN, {"phone": PHONE, "code": code}, format="json").status_code == 200

    used = api.post(LOG_IN, {"phone": PHONE, "code": code}, format="json")
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        fresh = _code(api)
    with time_machine.travel(timezone.now() + timedelta(minutes=8)):
        expired = api.post(LOG_IN, {"phone": PHONE, "code": fresh}, format="json")

    assert used.json()["code"] == "sms_code_missing"
    assert expired.json()["code"] == "sms_code_expired"


def test_a_malformed_code_is_a_validation_error_and_not_a_try(api):
    _code(api)

    response = api.post(LOG_IN, {"phone": PHONE, "code": "12ab56"}, format="json")

    assert response.status_code == 400
    assert response.json()["field_codes"] == {"code": ["sms_code_malformed"]}
    assert SmsCode.objects.get().failed_attempts == 0


def test_log_in_attempts_are_throttled_like_the_page(api, settings):
    _rate(settings, login_account="2/min")
    code = _code(api)
    for _ in range(2):
        api.post(LOG_IN, {"phone": PHONE, "code": "000000" if code != "000000" else "111111"}, format="json")

    response = api.post(LOG_IN, {"phone": PHONE, "code": code}, format="json")

    assert response.status_code == 429
    assert response.json()["code"] == "throttled" and "Retry-After" in response


def test_a_disabled_account_is_refused(api):
    UserFactory(phone=PHONE, is_active=False)

    response = api.post(LOG_IN, {"phone": PHONE, "code": _code(api)}, format="json")

    assert response.status_code == 403 and response.json()["code"] == "account_disabled"
    assert not ApiToken.objects.exists()


def test_the_endpoints_are_in_the_schema_with_their_errors():
    schema = SchemaGenerator().get_schema(request=None, public=True)

    codes = schema["paths"]["/api/v1/auth/sms-codes/"]["post"]
    log_in = schema["paths"]["/api/v1/auth/sms-log-in/"]["post"]
    assert set(codes["responses"]) >= {"202", "400", "429", "503"}
    assert set(log_in["responses"]) >= {"200", "400", "403", "429"}
    assert codes["security"] == [{}] or not codes.get("security")  # no credentials needed


def test_logging_in_again_and_again_never_locks_the_person_out(api):
    from accounts.services import MAX_ACTIVE_TOKENS, api_token_create

    user = UserFactory(phone=PHONE)
    first, _token = api_token_create(user=user, name="old phone")
    for index in range(MAX_ACTIVE_TOKENS - 1):
        api_token_create(user=user, name=f"device {index}")

    response = api.post(LOG_IN, {"phone": PHONE, "code": _code(api)}, format="json")

    assert response.status_code == 200
    first.refresh_from_db()
    assert first.revoked_at is not None  # the token unused longest made room
    assert user.api_tokens.filter(revoked_at__isnull=True).count() == MAX_ACTIVE_TOKENS
