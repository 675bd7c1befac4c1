import pytest
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from .factories import PASSWORD, OperatorFactory, UserFactory

pytestmark = pytest.mark.django_db


def _log_in(client, phone, password="wrong", address="10.0.0.1"):
    return client.post(reverse("accounts:login"), {"username": phone, "password": password}, REMOTE_ADDR=address)


def test_log_in_attempts_at_one_account_are_throttled_with_retry_after(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "login_account": "3/min"},
    }
    user = UserFactory()
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):  # from anywhere
        assert _log_in(client, user.phone, address=address).status_code == 200

    response = _log_in(client, user.phone, password=PASSWORD, address="10.0.0.4")

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert "_auth_user_id" not in client.session  # even the right password is not checked
    # another account is not affected
    assert _log_in(client, UserFactory().phone, password=PASSWORD).status_code == 302


def test_log_in_attempts_from_one_address_are_throttled(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "login_address": "2/min"},
    }
    _log_in(client, "13800138001")
    _log_in(client, "13800138002")

    response = _log_in(client, "13800138003")

    assert response.status_code == 429
    assert "Retry-After" in response
    assert _log_in(client, "13800138003", address="10.9.9.9").status_code == 200


@pytest.fixture
def log_in_rates(settings):
    """The default log-in rates, whatever the environment says."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "login_account": "5/min",
            "login_address": "20/min",
        },
    }


@pytest.mark.parametrize("url", ["/accounts/log-in/", "/admin/login/"], ids=["site", "admin"])
def test_an_attempt_over_the_limit_checks_no_password(client, log_in_rates, url):
    user = OperatorFactory()
    for _ in range(5):
        client.post(url, {"username": user.phone, "password": "wrong"})
    checked = []
    user_login_failed.connect(lambda sender, **kwargs: checked.append(kwargs), weak=False, dispatch_uid="test")
    try:
        response = client.post(url, {"username": user.phone, "password": "wrong"})
    finally:
        user_login_failed.disconnect(dispatch_uid="test")

    assert response.status_code == 429 and checked == []
    assert user.phone in response.content.decode()  # the typed number is kept


def _admin_log_in(client, phone, password="wrong", address="10.0.0.1"):
    return client.post(
        "/admin/login/", {"username": phone, "password": password, "next": "/admin/"}, REMOTE_ADDR=address
    )


def test_the_admin_log_in_is_throttled_like_the_sites(client, log_in_rates):
    operator = OperatorFactory()

    wrong = [_admin_log_in(client, operator.phone) for _ in range(25)]
    right_too_soon = _admin_log_in(client, operator.phone, password=PASSWORD)

    assert [response.status_code for response in wrong] == [200] * 5 + [429] * 20
    assert all(0 < int(response["Retry-After"]) <= 60 for response in wrong[5:])
    assert right_too_soon.status_code == 429 and "_auth_user_id" not in client.session
    cache.clear()  # a minute later: the counters have expired
    right = _admin_log_in(client, operator.phone, password=PASSWORD)
    assert right.status_code == 302 and right["Location"] == "/admin/"
    assert client.session["_auth_user_id"] == str(operator.pk)


def test_the_site_and_the_admin_log_in_count_the_same_attempts(client, log_in_rates):
    operator = OperatorFactory()
    for _ in range(3):
        assert _log_in(client, operator.phone).status_code == 200
    for _ in range(2):
        assert _admin_log_in(client, operator.phone).status_code == 200

    assert _admin_log_in(client, operator.phone, password=PASSWORD).status_code == 429
    assert _log_in(client, operator.phone, password=PASSWORD).status_code == 429


def test_api_callers_over_their_rate_get_429_with_retry_after(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "user": "2/min"},
    }
    client = APIClient()
    client.force_authenticate(UserFactory())
    assert client.get("/api/v1/me/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200

    response = client.get("/api/v1/me/")

    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "throttled"
    assert int(response["Retry-After"]) == body["retry_after_seconds"] > 0
