import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from .factories import PASSWORD, UserFactory

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
