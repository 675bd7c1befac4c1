"""Real concurrency against PostgreSQL: threads released at the same
moment, each with its own database connection."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.services import api_token_create
from accounts.tests.factories import UserFactory
from conftest import run_together
from orders.choices import OrderStatus
from orders.events import order_paid
from orders.exceptions import OutOfStock
from orders.models import Order, Payment
from orders.services.placing import LineRequest, order_place

from .factories import an_address, pay_notice, place, shop_selling

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# placing locks the same way on its two paths (PostgreSQL's two statements, the portable ORM one)
both_placing_paths = pytest.mark.parametrize("in_sql", [True, False], ids=["sql-path", "orm-path"])


@both_placing_paths
def test_fifty_shoppers_for_the_last_ten_units_make_exactly_ten_orders(in_sql, settings):
    settings.ORDERS_PLACE_IN_SQL = in_sql
    shop, sku = shop_selling(stock=10)
    buyers = [UserFactory() for _ in range(50)]

    outcomes = run_together(
        *(
            lambda buyer=buyer: order_place(
                buyer=buyer, lines=[LineRequest(sku.pk, 1, shop.slug)], address=an_address()
            )
            for buyer in buyers
        )
    )

    placed = [outcome for outcome in outcomes if isinstance(outcome, Order)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, OutOfStock)]
    assert len(placed) == 10 and len(refused) == 40, [o for o in outcomes if not isinstance(o, Order | OutOfStock)]
    sku.refresh_from_db()
    assert sku.stock == 0 and Order.objects.count() == 10


@both_placing_paths
def test_overlapping_carts_locked_in_id_order_never_deadlock(in_sql, settings):
    settings.ORDERS_PLACE_IN_SQL = in_sql
    shop, first = shop_selling(stock=100)
    _, second = shop_selling(shop=shop, stock=100)
    buyers = [UserFactory() for _ in range(20)]

    def buy(buyer, reverse):
        lines = [LineRequest(first.pk, 1, shop.slug), LineRequest(second.pk, 1, shop.slug)]
        return order_place(buyer=buyer, lines=lines[::-1] if reverse else lines, address=an_address())

    outcomes = run_together(*(lambda b=b, i=i: buy(b, i % 2) for i, b in enumerate(buyers)))

    assert all(isinstance(outcome, Order) for outcome in outcomes), outcomes
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.stock == second.stock == 80


def test_a_callback_delivered_five_times_at_once_pays_once_and_tells_once(events):
    paid = events(order_paid)
    order = place(**dict(zip(("shop", "sku"), shop_selling(), strict=True)))
    body, headers = pay_notice(order)

    def deliver():
        return (
            Client()
            .post(
                "/payments/sandbox/notify/",
                data=body,
                content_type="application/json",
                headers={k: v for k, v in headers.items() if k != "Content-Type"},
            )
            .json()
        )

    outcomes = run_together(*([deliver] * 5))

    assert sorted(outcome["result"] for outcome in outcomes) == ["applied"] + ["duplicate"] * 4, outcomes
    assert Payment.objects.filter(order=order).count() == 1 and paid == [{"order_id": order.pk}]
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_ten_concurrent_posts_with_one_idempotency_key_make_one_order():
    shop, sku = shop_selling(stock=50)
    buyer = UserFactory()
    _token, secret = api_token_create(user=buyer, name="app")
    body = {
        "lines": [{"sku_id": sku.pk, "quantity": 2, "shop": shop.slug}],
        "shipping_address": {
            "recipient_name": "张三",
            "phone": "13800138000",
            "province_code": "44",
            "city_code": "4401",
            "district_code": "440106",
            "street": "体育西路 1 号",
        },
    }

    def post():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        response = client.post("/api/v1/orders/", body, format="json", headers={"Idempotency-Key": "retry-me"})
        return response.status_code, response.content

    outcomes = run_together(*([post] * 10))

    assert {status for status, _content in outcomes} == {201}, outcomes
    assert len({content for _status, content in outcomes}) == 1  # every answer is the first one's
    assert Order.objects.count() == 1
    sku.refresh_from_db()
    assert sku.stock == 48
