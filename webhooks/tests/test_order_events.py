"""Order events reach the partners of everyone who may read the order:
the buyer gets its money, the shop's owner and the supplier's staff get
the ids and state (and read the rest through the API); strangers get
nothing."""

import json

import pytest

from accounts.tests.factories import UserFactory
from catalog.services import supplier_staff_add
from orders.services.refunds import refund_decide, refund_request
from orders.tests.factories import pay, place, ship, shop_selling
from webhooks.models import WebhookDelivery
from webhooks.services import webhook_endpoint_create

pytestmark = pytest.mark.django_db

EVENTS = ["order.paid", "order.shipped", "order.completed", "order.refunded"]


def _events_of(user) -> list[dict]:
    return [
        json.loads(delivery.body) for delivery in WebhookDelivery.objects.filter(endpoint__user=user).order_by("id")
    ]


def test_the_four_order_events_reach_buyer_shop_owner_and_supplier(django_capture_on_commit_callbacks):
    shop, sku = shop_selling(price=12_000)
    buyer, staff, stranger = UserFactory(), UserFactory(), UserFactory()
    supplier_staff_add(supplier=sku.product.supplier, user=staff)
    for user in (buyer, shop.owner.user, staff, stranger):
        webhook_endpoint_create(user=user, url="https://partner.example.com/hook", events=EVENTS)
    order = place(buyer=buyer, shop=shop, sku=sku)

    with django_capture_on_commit_callbacks(execute=True):
        pay(order)
    with django_capture_on_commit_callbacks(execute=True):
        ship(order)
    with django_capture_on_commit_callbacks(execute=True):
        refund = refund_request(order_id=order.pk, line_id=order.lines.get().pk, buyer=buyer, amount=1_000, reason="x")
    with django_capture_on_commit_callbacks(execute=True):
        refund_decide(refund_id=refund.pk, approve=True, by=staff, actor_kind="supplier", supplier=sku.product.supplier)

    buyers = _events_of(buyer)
    assert [event["type"] for event in buyers] == ["order.paid", "order.shipped", "order.refunded"]
    assert buyers[0]["data"]["order"]["id"] == order.pk and buyers[0]["data"]["order"]["paid_amount"] == "120.00"
    assert buyers[1]["data"]["fulfilment_group_id"] == order.fulfilments.get().pk
    assert buyers[2]["data"]["refund_id"] == refund.pk
    for partial in (shop.owner.user, staff):
        events = _events_of(partial)
        assert [event["type"] for event in events] == ["order.paid", "order.shipped", "order.refunded"]
        assert "paid_amount" not in events[0]["data"]["order"] and events[0]["data"]["order"]["status"] == "paid"
    assert _events_of(stranger) == []
