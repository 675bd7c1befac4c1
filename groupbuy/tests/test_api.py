"""Group buying's REST API: open, join, read, my groups; refusals as the project's error body."""

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from groupbuy.models import Member
from orders.models import Order

from .factories import a_campaign, campaign_sku_id, opened

pytestmark = pytest.mark.django_db

ADDRESS = {
    "recipient_name": "王五",
    "phone": "13700137000",
    "province_code": "31",
    "city_code": "3101",
    "district_code": "310104",
    "street": "漕溪北路 1 号",
}


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_open_then_join_then_the_group_is_full_with_a_machine_readable_refusal():
    campaign = a_campaign(size=2, group_price=8000)
    sku_id = campaign_sku_id(campaign)
    leader = UserFactory()

    opened_answer = _client(leader).post(
        "/api/v1/groups/",
        {"campaign_id": campaign.pk, "sku_id": sku_id, "quantity": 1, "shipping_address": ADDRESS},
        format="json",
    )
    assert opened_answer.status_code == 201, opened_answer.content
    group_id = opened_answer.data["group_id"]
    assert opened_answer.data["pay_url"] == f"/api/v1/orders/{opened_answer.data['order_id']}/pay/"

    body = {"sku_id": sku_id, "quantity": 1, "shipping_address": ADDRESS}
    assert _client(UserFactory()).post(f"/api/v1/groups/{group_id}/join/", body, format="json").status_code == 201
    full = _client(UserFactory()).post(f"/api/v1/groups/{group_id}/join/", body, format="json")
    assert full.status_code == 409 and full.data["code"] == "group_full"
    assert Member.objects.count() == 2 and Order.objects.count() == 2


def test_bad_input_is_a_400_and_changes_nothing():
    campaign = a_campaign()
    answer = _client(UserFactory()).post(
        "/api/v1/groups/",
        {"campaign_id": campaign.pk, "sku_id": campaign_sku_id(campaign), "quantity": 1.5, "shipping_address": {}},
        format="json",
    )
    assert answer.status_code == 400 and answer.data["code"] == "validation_error"
    assert not Member.objects.exists()


def test_anyone_reads_a_group_with_masked_names(django_assert_max_num_queries):
    campaign = a_campaign(size=3)
    leader = opened(campaign, buyer=UserFactory(nickname="张三丰"))

    with django_assert_max_num_queries(6):
        answer = APIClient().get(f"/api/v1/groups/{leader.group_id}/")

    assert answer.status_code == 200
    assert answer.data["members"] == [{"name": "张**", "is_leader": True, "paid": False}]
    assert answer.data["seats_left"] == 3 and answer.data["group_price"] == "80.00"


def test_my_groups_costs_the_same_queries_for_many(django_assert_max_num_queries):
    buyer = UserFactory()
    for _ in range(5):
        member = opened(a_campaign(size=2), buyer=buyer)
        assert member.pk
    with django_assert_max_num_queries(4):
        answer = _client(buyer).get("/api/v1/groups/mine/")
    assert answer.status_code == 200
    rows = answer.data["results"] if isinstance(answer.data, dict) else answer.data
    assert len(rows) == 5
