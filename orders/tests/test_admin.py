"""Operators' side: order settings, orders with their history, refunds to
decide, payment issues."""

import pytest
from django.urls import reverse

from accounts.tests.factories import OperatorFactory
from orders.choices import OrderStatus, RefundStatus
from orders.models import Order, OrderSettings
from orders.selectors import order_settings_get
from orders.services.refunds import refund_request

from .factories import pay, place, ship, shop_selling

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(client):
    client.force_login(OperatorFactory())
    return client


def test_order_settings_open_directly_and_are_saved(operator_client):
    listing = operator_client.get(reverse("admin:orders_ordersettings_changelist"))
    assert listing.status_code == 302

    operator_client.post(
        reverse("admin:orders_ordersettings_change", args=[1]),
        {"unpaid_expiry_minutes": 15, "auto_deliver_days": 5, "auto_complete_days": 3, "after_sales_days": 10},
    )

    settings = order_settings_get()
    assert (settings.unpaid_expiry_minutes, settings.auto_deliver_days, settings.after_sales_days) == (15, 5, 10)
    assert OrderSettings.objects.count() == 1


def test_the_defaults_hold_until_an_operator_saves(db):
    settings = order_settings_get()
    assert (settings.unpaid_expiry_minutes, settings.auto_deliver_days, settings.auto_complete_days) == (30, 7, 7)
    assert settings.after_sales_days == 7


def test_an_operator_reads_an_order_with_its_lines_parcels_and_history(
    operator_client, django_capture_on_commit_callbacks
):
    shop, sku = shop_selling()
    order = place(shop=shop, sku=sku)
    with django_capture_on_commit_callbacks(execute=True):
        ship(pay(order))

    page = operator_client.get(reverse("admin:orders_order_change", args=[order.pk]))

    assert page.status_code == 200 and sku.product.title in page.content.decode()
    assert operator_client.get(reverse("admin:orders_order_changelist")).status_code == 200
    assert operator_client.get(reverse("admin:orders_paymentissue_changelist")).status_code == 200


def test_an_operator_cancels_and_approves_refunds_in_bulk(operator_client, django_capture_on_commit_callbacks):
    shop, sku = shop_selling()
    unpaid = place(shop=shop, sku=sku)
    shipped = place(shop=shop, sku=sku)
    with django_capture_on_commit_callbacks(execute=True):
        ship(pay(shipped))
    refund = refund_request(
        order_id=shipped.pk, line_id=shipped.lines.get().pk, buyer=shipped.buyer, amount=500, reason="x"
    )

    operator_client.post(
        reverse("admin:orders_order_changelist"),
        {"action": "cancel_selected", "_selected_action": [unpaid.pk, shipped.pk]},
    )
    with django_capture_on_commit_callbacks(execute=True):
        operator_client.post(
            reverse("admin:orders_refund_changelist"), {"action": "approve", "_selected_action": [refund.pk]}
        )

    assert Order.objects.get(pk=unpaid.pk).status == OrderStatus.CANCELLED
    assert Order.objects.get(pk=shipped.pk).status == OrderStatus.SHIPPED  # shipped: refused, reported
    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED
