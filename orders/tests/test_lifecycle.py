"""Cancelling, confirming receipt, and the periodic work: unpaid orders
expire (stock back), parcels count as delivered, delivered orders
complete. Each periodic service is safe to run twice."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.tests.factories import OperatorFactory, UserFactory
from orders.choices import Actor, FulfilmentStatus, OrderStatus, RefundKind, RefundStatus
from orders.events import order_completed
from orders.exceptions import CancelNotAllowed, InvalidTransition
from orders.models import FulfilmentGroup, Order, OrderSettings
from orders.services.fulfilment import fulfilment_deliver, fulfilment_ship
from orders.services.lifecycle import (
    fulfilments_auto_deliver,
    order_cancel,
    order_confirm_receipt,
    orders_auto_complete,
    orders_expire_unpaid,
)
from socialshop.errors import NotFound

from .factories import pay, place, ship, shop_selling

pytestmark = pytest.mark.django_db


def _stock(sku) -> int:
    sku.refresh_from_db()
    return sku.stock


def test_the_buyer_cancels_an_unpaid_order_and_the_stock_comes_back():
    shop, sku = shop_selling(stock=10)
    order = place(shop=shop, sku=sku, quantity=4)

    order_cancel(order_id=order.pk, by=order.buyer, buyer=order.buyer, actor_kind=Actor.BUYER, reason="oops")

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and order.cancelled_at is not None
    assert order.fulfilments.get().status == FulfilmentStatus.CANCELLED
    assert _stock(sku) == 10 and not order.refunds.exists()


def test_cancelling_a_paid_order_before_shipping_refunds_every_line_in_full(django_capture_on_commit_callbacks):
    shop, sku = shop_selling(stock=10, price=12_000)
    order = place(shop=shop, sku=sku, quantity=2)
    with django_capture_on_commit_callbacks(execute=True):
        pay(order)

    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order_id=order.pk, by=order.buyer, buyer=order.buyer, actor_kind=Actor.BUYER, reason="no longer")

    order.refresh_from_db()
    refund = order.refunds.get()
    assert (refund.kind, refund.status, refund.amount) == (RefundKind.CANCELLATION, RefundStatus.SUCCEEDED, 24_000)
    assert order.status == OrderStatus.CANCELLED and order.refunded_amount == order.paid_amount == 24_000
    assert _stock(sku) == 10


def test_once_a_parcel_has_shipped_the_order_cannot_be_cancelled(django_capture_on_commit_callbacks):
    shop = shop_selling()[0]
    _, sku_a = shop_selling(shop=shop)
    _, sku_b = shop_selling(shop=shop)
    from orders.services.placing import LineRequest

    order = place(lines=[LineRequest(sku_a.pk, 1, shop.slug), LineRequest(sku_b.pk, 1, shop.slug)])
    with django_capture_on_commit_callbacks(execute=True):
        pay(order)
    first = order.fulfilments.order_by("pk").first()
    fulfilment_ship(
        fulfilment_id=first.pk, supplier=first.supplier, by=UserFactory(), carrier="SF", tracking_number="SF0001112"
    )

    with pytest.raises(CancelNotAllowed) as refused:
        order_cancel(order_id=order.pk, by=order.buyer, buyer=order.buyer, actor_kind=Actor.BUYER, reason="")

    assert refused.value.extra["current_state"] == OrderStatus.PAID  # one of two parcels shipped: still paid
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_nobody_cancels_someone_elses_order():
    shop, sku = shop_selling()
    order = place(shop=shop, sku=sku)

    with pytest.raises(NotFound):
        order_cancel(order_id=order.pk, by=UserFactory(), buyer=UserFactory(), actor_kind=Actor.BUYER, reason="")


def test_an_operator_cancels_any_unpaid_order():
    shop, sku = shop_selling()
    order = place(shop=shop, sku=sku)

    order_cancel(order_id=order.pk, by=OperatorFactory(), actor_kind=Actor.OPERATOR, reason="fraud")

    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED


def test_unpaid_orders_expire_after_the_setting_and_give_their_stock_back():
    OrderSettings.objects.create(unpaid_expiry_minutes=30)
    shop, sku = shop_selling(stock=10)
    old = place(shop=shop, sku=sku, quantity=3)
    fresh = place(shop=shop, sku=sku, quantity=2)
    Order.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(minutes=31))

    first = orders_expire_unpaid()
    second = orders_expire_unpaid()

    assert (first, second) == (1, 0)
    assert Order.objects.get(pk=old.pk).status == OrderStatus.CANCELLED
    assert Order.objects.get(pk=fresh.pk).status == OrderStatus.PENDING_PAYMENT
    assert _stock(sku) == 8
    assert (
        old.status_changes.filter(to_status=OrderStatus.CANCELLED, actor_kind=Actor.SYSTEM).count() == 2
    )  # order, parcel


def test_expiry_works_in_batches(django_capture_on_commit_callbacks):
    shop, sku = shop_selling(stock=10)
    for _ in range(5):
        place(shop=shop, sku=sku)
    Order.objects.update(created_at=timezone.now() - timedelta(hours=1))

    assert orders_expire_unpaid(batch_size=2) == 5
    assert _stock(sku) == 10


def test_parcels_shipped_long_ago_count_as_delivered_and_then_the_order_completes(
    events, django_capture_on_commit_callbacks
):
    completed_events = events(order_completed)
    OrderSettings.objects.create(auto_deliver_days=7, auto_complete_days=7, after_sales_days=7)
    shop, sku = shop_selling()
    order = place(shop=shop, sku=sku)
    with django_capture_on_commit_callbacks(execute=True):
        ship(pay(order))
    now = timezone.now()

    assert fulfilments_auto_deliver(now=now + timedelta(days=6)) == 0
    assert fulfilments_auto_deliver(now=now + timedelta(days=7, minutes=1)) == 1
    assert fulfilments_auto_deliver(now=now + timedelta(days=8)) == 0
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED

    with django_capture_on_commit_callbacks(execute=True):
        assert orders_auto_complete(now=now + timedelta(days=10)) == 0
        assert orders_auto_complete(now=now + timedelta(days=15)) == 1
        assert orders_auto_complete(now=now + timedelta(days=16)) == 0

    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    assert order.after_sales_ends_at == order.completed_at + timedelta(days=7)
    assert completed_events == [{"order_id": order.pk}]


def test_the_buyer_confirms_receipt_of_a_shipped_order(events, django_capture_on_commit_callbacks):
    completed_events = events(order_completed)
    shop, sku = shop_selling()
    order = place(shop=shop, sku=sku)
    with django_capture_on_commit_callbacks(execute=True):
        ship(pay(order))

    with django_capture_on_commit_callbacks(execute=True):
        order_confirm_receipt(order_id=order.pk, buyer=order.buyer)

    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED and order.after_sales_ends_at is not None
    assert order.fulfilments.get().status == FulfilmentStatus.DELIVERED
    assert completed_events == [{"order_id": order.pk}]


def test_receipt_cannot_be_confirmed_before_shipping(django_capture_on_commit_callbacks):
    shop, sku = shop_selling()
    order = place(shop=shop, sku=sku)
    with django_capture_on_commit_callbacks(execute=True):
        pay(order)

    with pytest.raises(InvalidTransition) as refused:
        order_confirm_receipt(order_id=order.pk, buyer=order.buyer)

    assert refused.value.extra["current_state"] == OrderStatus.PAID


def test_the_supplier_marks_delivered_and_the_order_follows(django_capture_on_commit_callbacks):
    shop, sku = shop_selling()
    order = place(shop=shop, sku=sku)
    with django_capture_on_commit_callbacks(execute=True):
        ship(pay(order))
    group = FulfilmentGroup.objects.get(order=order)

    fulfilment_deliver(fulfilment_id=group.pk, supplier=group.supplier, by=UserFactory())

    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED and order.delivered_at is not None


def test_the_periodic_work_is_in_celery_beat():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert {
        "orders.tasks.orders_expire_unpaid_task",
        "orders.tasks.fulfilments_auto_deliver_task",
        "orders.tasks.orders_auto_complete_task",
    } <= tasks
