"""A rush does not flood the log: the grab endpoint's expected refusals
(sold out, the per-person limit: 409; too fast: 429) write no WARNING line,
while its other 4xx answers and everything else still do."""

import logging

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from flash.request_log import ExpectedFlashRefusals, refusals_counted

from .factories import a_flash_item

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _request_warnings(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "django.request" and r.levelno >= logging.WARNING]


def test_the_filter_is_installed_once_on_django_request():
    filters = [f for f in logging.getLogger("django.request").filters if isinstance(f, ExpectedFlashRefusals)]

    assert len(filters) == 1


def test_sold_out_and_limit_refusals_write_no_warning_but_are_counted(caplog):
    item = a_flash_item(units=1, limit=1)
    first, late = UserFactory(), UserFactory()
    before = refusals_counted[409]

    with caplog.at_level(logging.INFO, logger="django.request"):
        admitted = _client(first).post(f"/api/v1/flash/items/{item.pk}/grab/")
        again = _client(first).post(f"/api/v1/flash/items/{item.pk}/grab/")
        sold_out = [_client(late).post(f"/api/v1/flash/items/{item.pk}/grab/") for _ in range(3)]

    assert admitted.status_code == 201
    assert again.json()["code"] == "flash_limit_reached"
    assert {response.json()["code"] for response in sold_out} == {"flash_sold_out"}
    assert _request_warnings(caplog) == []
    assert refusals_counted[409] - before == 4


def test_a_bots_429s_write_no_warning(caplog, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "flash_grab_user": "2/min"},
    }
    item = a_flash_item(units=50, limit=50)
    bot = _client(UserFactory())

    with caplog.at_level(logging.INFO, logger="django.request"):
        statuses = [bot.post(f"/api/v1/flash/items/{item.pk}/grab/").status_code for _ in range(6)]

    assert statuses == [201, 201, 429, 429, 429, 429]
    assert _request_warnings(caplog) == []


def test_other_refusals_of_the_endpoint_and_other_endpoints_still_warn(caplog):
    buyer = _client(UserFactory())

    with caplog.at_level(logging.INFO, logger="django.request"):
        unknown = buyer.post("/api/v1/flash/items/999999/grab/")
        anonymous = APIClient().post("/api/v1/flash/items/999999/grab/")
        bad_order = buyer.post("/api/v1/flash/orders/", {"token": "nope"}, format="json")

    assert unknown.status_code == 404
    assert anonymous.status_code in (401, 403)
    assert bad_order.status_code in (400, 404)
    warned = [(r.status_code, r.request.path) for r in _request_warnings(caplog)]
    assert (404, "/api/v1/flash/items/999999/grab/") in warned
    assert (anonymous.status_code, "/api/v1/flash/items/999999/grab/") in warned
    assert (bad_order.status_code, "/api/v1/flash/orders/") in warned


def test_a_409_elsewhere_still_warns():
    """The filter decides on the view, not on the status alone."""
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Conflict: %s", ("/x",), None)
    record.status_code = 409
    record.request = type("Request", (), {"resolver_match": None})()

    assert ExpectedFlashRefusals().filter(record) is True
