"""The customer book and the funnel over the API: masked, the caller's own,
bad input refused with the error body."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from distribution.choices import BindingSource
from distribution.services import binding_touch
from distribution.tests.factories import ResellerFactory
from growth.models import CustomerNote, Reminder
from growth.stats import stats_recompute
from orders.tests.factories import pay, place, shop_selling
from shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    reseller = ResellerFactory()
    shop, sku = shop_selling(shop=ShopFactory(owner=reseller), price=12_000)
    customer = UserFactory(nickname="王大锤", phone="13912345678")
    binding_touch(customer=customer, reseller=reseller, source=BindingSource.INVITE_CODE)
    pay(place(buyer=customer, shop=shop, sku=sku))
    api = APIClient()
    api.force_authenticate(reseller.user)
    return reseller, customer, api


def test_the_book_lists_bound_customers_masked(world, django_assert_max_num_queries):
    reseller, customer, api = world

    with django_assert_max_num_queries(8):
        body = api.get("/api/v1/growth/customers/?view=top").json()

    row = body["results"][0]
    assert (row["name"], row["phone"], row["order_count"], row["spend_amount"]) == ("王**", "139****5678", 1, "120.00")
    assert "13912345678" not in str(body)


def test_tags_and_reminders_for_a_bound_customer_and_refusals(world):
    reseller, customer, api = world
    stranger = UserFactory()

    tagged = api.patch(f"/api/v1/growth/customers/{customer.pk}/", {"tags": "宝妈, 老客", "note": "x"}, format="json")
    reminded = api.post(
        f"/api/v1/growth/customers/{customer.pk}/reminders/",
        {"due_on": timezone.localdate().isoformat(), "text": "回访"},
        format="json",
    )
    past = api.post(
        f"/api/v1/growth/customers/{customer.pk}/reminders/",
        {"due_on": (timezone.localdate() - timedelta(days=1)).isoformat(), "text": "回访"},
        format="json",
    )
    foreign = api.patch(f"/api/v1/growth/customers/{stranger.pk}/", {"tags": "x", "note": ""}, format="json")

    assert tagged.status_code == 200 and tagged.json()["tags"] == "宝妈,老客"
    assert reminded.status_code == 201
    assert past.status_code == 400 and past.json()["field_codes"] == {"due_on": ["out_of_range"]}
    assert foreign.status_code == 404 and foreign.json()["code"] == "not_your_customer"
    assert Reminder.objects.count() == 1 and CustomerNote.objects.count() == 1


def test_the_funnel_answers_the_roll_ups(world):
    reseller, customer, api = world
    stats_recompute(first=timezone.localdate(), last=timezone.localdate())

    body = api.get("/api/v1/growth/funnel/?days=7").json()
    bad = api.get("/api/v1/growth/funnel/?days=8")

    assert (body["new_bindings"], body["buyers"], body["orders"], body["sales_amount"]) == (1, 1, 1, "120.00")
    assert bad.status_code == 400
