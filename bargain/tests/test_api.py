"""The bargaining API: start, help, buy, read, mine; the help throttles'
429s; errors as machine-readable bodies."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from bargain.choices import BargainStatus
from bargain.models import Bargain, Help

from .factories import a_campaign, helped, started

pytestmark = pytest.mark.django_db

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


def _client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_start_help_and_buy_through_the_api():
    campaign = a_campaign(start=10000, floor=6000, helps=2)
    starter, friend = UserFactory(), UserFactory()

    start = _client(starter).post("/api/v1/bargains/", {"campaign_id": campaign.pk}, format="json")
    bargain_id = start.json()["id"]
    helped_answer = _client(friend).post(f"/api/v1/bargains/{bargain_id}/help/")
    again = _client(friend).post(f"/api/v1/bargains/{bargain_id}/help/")
    own = _client(starter).post(f"/api/v1/bargains/{bargain_id}/help/")
    read = _client().get(f"/api/v1/bargains/{bargain_id}/")
    bought = _client(starter).post(f"/api/v1/bargains/{bargain_id}/buy/", {"shipping_address": ADDRESS}, format="json")
    late = _client(UserFactory()).post(f"/api/v1/bargains/{bargain_id}/help/")
    mine = _client(starter).get("/api/v1/bargains/mine/")

    assert start.status_code == 201, start.content
    assert start.json()["current_price"] == "100.00" and start.json()["floor_price"] == "60.00"
    assert helped_answer.status_code == 201, helped_answer.content
    cut = Help.objects.get(bargain_id=bargain_id).cut_amount
    assert helped_answer.json()["number"] == 1 and helped_answer.json()["cut"] == f"{cut / 100:.2f}"
    assert (again.status_code, again.json()["code"]) == (409, "bargain_already_helped")
    assert (own.status_code, own.json()["code"]) == (409, "bargain_self_help")
    assert read.status_code == 200 and read.json()["helps"][0]["name"].endswith("*")
    assert read.json()["helps_left"] == 1
    assert bought.status_code == 201, bought.content
    assert bought.json()["total_amount"] == f"{(10000 - cut) / 100:.2f}"
    assert (late.status_code, late.json()["code"]) == (409, "bargain_closed")
    assert [row["status"] for row in mine.json()["results"]] == [BargainStatus.ORDERED]


def test_anonymous_cannot_help_nor_start_and_another_cannot_buy():
    bargain = started(a_campaign())

    anonymous = _client().post(f"/api/v1/bargains/{bargain.pk}/help/")
    stranger = _client(UserFactory()).post(
        f"/api/v1/bargains/{bargain.pk}/buy/", {"shipping_address": ADDRESS}, format="json"
    )
    broken = _client(bargain.starter).post(f"/api/v1/bargains/{bargain.pk}/buy/", {}, format="json")

    assert anonymous.status_code == 401
    assert (stranger.status_code, stranger.json()["code"]) == (404, "not_found")
    assert broken.status_code == 400 and "shipping_address" in broken.json()["fields"]
    bargain.refresh_from_db()
    assert bargain.status == BargainStatus.ACTIVE and bargain.helps_count == 0


def test_a_second_bargain_in_a_campaign_is_refused_with_a_code():
    campaign = a_campaign()
    starter = UserFactory()
    _client(starter).post("/api/v1/bargains/", {"campaign_id": campaign.pk}, format="json")

    again = _client(starter).post("/api/v1/bargains/", {"campaign_id": campaign.pk}, format="json")

    assert (again.status_code, again.json()["code"]) == (409, "bargain_already_started")
    assert Bargain.objects.filter(starter=starter).count() == 1


def test_a_helper_is_limited_per_day(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "bargain_help_user": "3/day"},
    }
    campaign = a_campaign()
    bargains = [started(campaign) for _ in range(5)]
    friend = _client(UserFactory())

    answers = [friend.post(f"/api/v1/bargains/{bargain.pk}/help/") for bargain in bargains]

    assert [answer.status_code for answer in answers] == [201, 201, 201, 429, 429]
    assert answers[-1].json()["code"] == "throttled" and answers[-1].json()["retry_after_seconds"] > 0
    assert Help.objects.filter(helper__isnull=False).count() == 3


def test_many_accounts_from_one_address_are_stopped_by_the_address_limit(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "bargain_help_address": "4/day",
        },
    }
    bargain = started(a_campaign(helps=10))

    statuses = [_client(UserFactory()).post(f"/api/v1/bargains/{bargain.pk}/help/").status_code for _ in range(6)]

    assert statuses == [201] * 4 + [429] * 2
    bargain.refresh_from_db()
    assert bargain.helps_count == 4


def test_mine_lists_only_the_callers_bargains_in_pages_of_constant_queries(django_assert_max_num_queries):
    mine = started(a_campaign())
    started(mine.campaign)
    helped(mine)
    for _ in range(4):
        helped(started(a_campaign(), starter=mine.starter))

    with django_assert_max_num_queries(4):  # count, the bargains, their helps (with helpers)
        answer = _client(mine.starter).get("/api/v1/bargains/mine/")

    rows = answer.json()["results"]
    assert answer.json()["count"] == 5 and rows[-1]["id"] == mine.pk
    assert all(row["helps_needed"] - row["helps_left"] == 1 for row in rows)
