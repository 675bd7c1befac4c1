"""The flash API: the gate's answers as HTTP, a bot's loop stopped by the
throttles, the admitted buyer's order, the campaign list's queries."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from flash.models import FlashAdmission

from .factories import a_campaign, a_flash_item

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ADDRESS = {
    "recipient_name": "王五",
    "phone": "13700137000",
    "province_code": "31",
    "city_code": "3101",
    "district_code": "310104",
    "street": "漕溪北路 1 号",
}


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_an_admitted_buyer_gets_a_token_places_the_order_and_a_second_tap_is_refused_with_a_code():
    item = a_flash_item(units=3, limit=1, price=5_900)
    client = _client(UserFactory())

    admitted = client.post(f"/api/v1/flash/items/{item.pk}/grab/")
    again = client.post(f"/api/v1/flash/items/{item.pk}/grab/")
    placed = client.post(
        "/api/v1/flash/orders/", {"token": admitted.json()["token"], "shipping_address": ADDRESS}, format="json"
    )

    assert admitted.status_code == 201, admitted.content
    assert admitted.json()["outcome"] == "admitted"
    assert (again.status_code, again.json()["code"]) == (409, "flash_limit_reached")
    assert placed.status_code == 201, placed.content
    assert placed.json()["total_amount"] == "59.00"
    assert placed.json()["lines"][0]["unit_price_amount"] == "59.00"


def test_sold_out_answers_409_with_its_code_and_holds_nothing():
    item = a_flash_item(units=1)
    _client(UserFactory()).post(f"/api/v1/flash/items/{item.pk}/grab/")

    late = _client(UserFactory()).post(f"/api/v1/flash/items/{item.pk}/grab/")

    assert (late.status_code, late.json()["code"]) == (409, "flash_sold_out")
    assert FlashAdmission.objects.filter(item=item).count() == 1


def test_a_bot_looping_on_the_grab_endpoint_gets_429s_never_stock(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "flash_grab_user": "5/min"},
    }
    upcoming = a_flash_item(units=50, starts_in=timedelta(hours=1))
    bot = _client(UserFactory())

    statuses = [bot.post(f"/api/v1/flash/items/{upcoming.pk}/grab/").status_code for _ in range(20)]

    assert statuses[:5] == [409] * 5  # not started yet
    assert set(statuses[5:]) == {429}
    assert FlashAdmission.objects.filter(item=upcoming).count() == 0


def test_many_accounts_from_one_address_are_stopped_by_the_address_limit(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "flash_grab_address": "10/min"},
    }
    item = a_flash_item(units=50, limit=1)

    statuses = [_client(UserFactory()).post(f"/api/v1/flash/items/{item.pk}/grab/").status_code for _ in range(15)]

    assert statuses == [201] * 10 + [429] * 5
    assert FlashAdmission.objects.filter(item=item).count() == 10


def test_a_token_not_the_callers_is_not_found_and_bad_input_is_a_400():
    item = a_flash_item(units=2)
    token = _client(UserFactory()).post(f"/api/v1/flash/items/{item.pk}/grab/").json()["token"]
    stranger = _client(UserFactory())

    stolen = stranger.post("/api/v1/flash/orders/", {"token": token, "shipping_address": ADDRESS}, format="json")
    broken = stranger.post("/api/v1/flash/orders/", {"token": token}, format="json")

    assert (stolen.status_code, stolen.json()["code"]) == (404, "not_found")
    assert (broken.status_code, broken.json()["code"]) == (400, "validation_error")


def test_the_campaign_list_costs_a_fixed_number_of_queries(django_assert_max_num_queries):
    campaign = a_campaign()
    for _ in range(5):
        a_flash_item(campaign=campaign)
    a_flash_item(starts_in=timedelta(hours=4))

    with django_assert_max_num_queries(4):
        answer = APIClient().get("/api/v1/flash/campaigns/")

    assert answer.status_code == 200
    assert [(entry["state"], len(entry["items"])) for entry in answer.json()] == [("live", 5), ("upcoming", 1)]
