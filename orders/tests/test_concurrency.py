"""Real concurrency against PostgreSQL: threads released at the same
moment, each with its own database connection."""

import threading
import time

import pytest
from django.db import connection, transaction
from django.test import Client
from rest_framework.test import APIClient

from accounts.services import api_token_create
from accounts.tests.factories import UserFactory
from conftest import run_together
from orders.choices import Actor, OrderStatus, RefundKind, RefundStatus
from orders.events import order_paid
from orders.exceptions import OutOfStock
from orders.models import Order, Payment, Refund
from orders.services.lifecycle import order_cancel
from orders.services.placing import LineRequest, order_place
from orders.services.refunds import refund_execute, refund_request
from orders.services.states import status_set
from sandbox.models import SandboxCharge
from sandbox.payments import SandboxPaymentProvider

from .factories import an_address, pay, pay_notice, place, shop_selling

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _celery_knows_it_is_not_inside_a_task():
    """Eager tasks run by several threads at once can leave Celery's
    process-wide "inside a task" flag set: ``Task.apply`` saves it, sets it
    and restores what it saved, one global for every thread. A later test's
    ``result.get()`` would then refuse ("Never call result.get() within a
    task"). These tests run tasks in threads on purpose, so they put it back."""
    from celery._state import _set_task_join_will_block

    yield
    _set_task_join_will_block(False)


# placing locks the same way on its two paths (PostgreSQL's prepared read and write, the portable ORM one)
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


class ProviderHeldMidRefund(SandboxPaymentProvider):
    """The sandbox, whose refund call does its work and then waits to answer
    until the test lets it (``answer``): a provider call in flight."""

    called = threading.Event()
    answer = threading.Event()

    def refund_create(self, **kwargs):
        result = super().refund_create(**kwargs)
        type(self).called.set()
        assert type(self).answer.wait(timeout=30)
        return result


def _in_thread(call) -> tuple[threading.Thread, list]:
    outcome = []

    def run():
        try:
            outcome.append(call())
        except Exception as error:  # noqa: BLE001 - the outcome is what the test checks
            outcome.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def _until_someone_waits_for_a_lock(timeout=10.0) -> None:
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError("nobody waited for the order's lock")


def test_a_cancellation_during_a_refunds_provider_call_waits_for_it_and_refunds_the_rest_once(settings):
    # given a paid order of 118.00 with a refund of 30.00 approved and a request of 20.00 waiting
    ProviderHeldMidRefund.called, ProviderHeldMidRefund.answer = threading.Event(), threading.Event()
    shop, sku = shop_selling(price=11_800)
    order = pay(place(shop=shop, sku=sku))
    line = order.lines.get()
    approved = refund_request(order_id=order.pk, line_id=line.pk, buyer=order.buyer, amount=3_000, reason="少了")
    with transaction.atomic():  # approved, its execution not queued: the test runs it
        status_set(
            Refund.objects.select_for_update().get(pk=approved.pk), RefundStatus.APPROVED, actor_kind=Actor.OPERATOR
        )
    waiting = refund_request(order_id=order.pk, line_id=line.pk, buyer=order.buyer, amount=2_000, reason="坏了")
    settings.PAYMENT_PROVIDER = f"{__name__}.ProviderHeldMidRefund"

    # when the approved refund's provider call is in flight and the buyer cancels meanwhile
    executing, executed = _in_thread(lambda: refund_execute(refund_id=approved.pk))
    assert ProviderHeldMidRefund.called.wait(timeout=30)
    cancelling, cancelled = _in_thread(
        lambda: order_cancel(order_id=order.pk, by=order.buyer, buyer=order.buyer, actor_kind=Actor.BUYER, reason="x")
    )
    _until_someone_waits_for_a_lock()  # the cancellation waits for the order the refund holds
    assert not cancelled
    ProviderHeldMidRefund.answer.set()
    executing.join(timeout=30)
    cancelling.join(timeout=30)

    # then the refund finished once, the request was superseded, the cancellation refunded the rest
    assert isinstance(executed[0], Refund) and isinstance(cancelled[0], Order), (executed, cancelled)
    approved.refresh_from_db()
    waiting.refresh_from_db()
    assert (approved.status, waiting.status) == (RefundStatus.SUCCEEDED, RefundStatus.SUPERSEDED)
    cancellation = Refund.objects.get(order=order, kind=RefundKind.CANCELLATION)
    assert (cancellation.amount, cancellation.status) == (8_800, RefundStatus.SUCCEEDED)
    order.refresh_from_db()
    line.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order.refunded_amount == line.refunded_amount == 11_800 and line.refund_pending_amount == 0
    assert SandboxCharge.objects.get(reference=order.payment.session.reference).refunded_amount == 11_800
