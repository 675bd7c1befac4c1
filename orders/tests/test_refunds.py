"""Refunds per line: asked for by the buyer within the after-sales window,
decided by an operator or the line's supplier, paid back through the
provider; never more than was paid."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.tests.factories import OperatorFactory, UserFactory
from catalog.tests.factories import SupplierFactory
from distribution.models import ResellerSale
from orders.choices import Actor, OrderStatus, RefundStatus
from orders.events import order_refunded
from orders.exceptions import InvalidTransition, RefundNotAllowed, RefundTooLarge
from orders.models import Order, OrderLine, Refund
from orders.selectors import line_has_open_refund, lines_with_open_refunds, refund_get
from orders.services.lifecycle import order_confirm_receipt
from orders.services.refunds import refund_decide, refund_request, refund_retry
from socialshop.errors import NotFound

from .factories import pay, place, ship, shop_selling

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped_order(django_capture_on_commit_callbacks):
    shop, sku = shop_selling(price=12_000)
    order = place(shop=shop, sku=sku, quantity=2)
    with django_capture_on_commit_callbacks(execute=True):
        ship(pay(order))
    return order


def _ask(order, amount, reason="少发了一件"):
    return refund_request(
        order_id=order.pk, line_id=order.lines.get().pk, buyer=order.buyer, amount=amount, reason=reason
    )


def test_a_partial_refund_asked_approved_and_paid_back(shipped_order, events, django_capture_on_commit_callbacks):
    refunded_events = events(order_refunded)
    refund = _ask(shipped_order, 12_000)
    line = OrderLine.objects.get(order=shipped_order)
    assert refund.status == RefundStatus.REQUESTED and line.refund_pending_amount == 12_000
    assert line_has_open_refund(line_id=line.pk) and lines_with_open_refunds(line_ids=[line.pk]) == {line.pk}

    with django_capture_on_commit_callbacks(execute=True):
        refund_decide(refund_id=refund.pk, approve=True, by=OperatorFactory(), actor_kind=Actor.OPERATOR)

    refund.refresh_from_db()
    line.refresh_from_db()
    shipped_order.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED and refund.provider_reference and refund.refunded_at
    assert (line.refunded_amount, line.refund_pending_amount) == (12_000, 0)
    assert shipped_order.refunded_amount == 12_000
    assert refunded_events == [{"order_id": shipped_order.pk, "refund_id": refund.pk}]
    assert refund_get(refund_id=refund.pk).amount == 12_000
    assert not line_has_open_refund(line_id=line.pk)
    assert ResellerSale.objects.get(key=f"refund:{refund.pk}").amount == -12_000


def test_more_than_is_left_is_refused(shipped_order):
    _ask(shipped_order, 20_000)

    with pytest.raises(RefundTooLarge) as refused:
        _ask(shipped_order, 4_001)

    assert "amount" in refused.value.fields
    _ask(shipped_order, 4_000)  # exactly what is left
    assert OrderLine.objects.get(order=shipped_order).refundable_amount == 0


def test_the_database_refuses_refunds_beyond_what_was_paid(shipped_order):
    with pytest.raises(IntegrityError), transaction.atomic():
        OrderLine.objects.filter(order=shipped_order).update(refunded_amount=F("paid_amount") + 1)


def test_a_rejected_request_frees_its_amount(shipped_order):
    refund = _ask(shipped_order, 24_000)

    refund_decide(refund_id=refund.pk, approve=False, by=OperatorFactory(), actor_kind=Actor.OPERATOR, note="no")

    refund.refresh_from_db()
    assert refund.status == RefundStatus.REJECTED and refund.decision_note == "no"
    assert OrderLine.objects.get(order=shipped_order).refundable_amount == 24_000
    with pytest.raises(InvalidTransition):
        refund_decide(refund_id=refund.pk, approve=True, by=OperatorFactory(), actor_kind=Actor.OPERATOR)


def test_the_lines_supplier_decides_and_another_supplier_cannot_see_it(
    shipped_order, django_capture_on_commit_callbacks
):
    refund = _ask(shipped_order, 1_000)
    own = shipped_order.lines.get().supplier

    with pytest.raises(NotFound):
        refund_decide(
            refund_id=refund.pk, approve=True, by=UserFactory(), actor_kind=Actor.SUPPLIER, supplier=SupplierFactory()
        )
    with django_capture_on_commit_callbacks(execute=True):
        refund_decide(refund_id=refund.pk, approve=True, by=UserFactory(), actor_kind=Actor.SUPPLIER, supplier=own)

    assert Refund.objects.get(pk=refund.pk).status == RefundStatus.SUCCEEDED


def test_a_refund_the_gateway_fails_can_be_retried_by_an_operator(
    shipped_order, settings, django_capture_on_commit_callbacks
):
    settings.PAYMENT_SANDBOX_REFUND_FAILURE_RATE = 1
    refund = _ask(shipped_order, 5_000)
    with django_capture_on_commit_callbacks(execute=True):
        refund_decide(refund_id=refund.pk, approve=True, by=OperatorFactory(), actor_kind=Actor.OPERATOR)
    refund.refresh_from_db()
    assert refund.status == RefundStatus.FAILED and refund.failure_reason
    assert line_has_open_refund(line_id=refund.line_id)  # still held: waiting for an operator

    settings.PAYMENT_SANDBOX_REFUND_FAILURE_RATE = 0
    with django_capture_on_commit_callbacks(execute=True):
        refund_retry(refund_id=refund.pk, by=OperatorFactory())

    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED
    assert OrderLine.objects.get(pk=refund.line_id).refunded_amount == 5_000


def test_a_refund_can_be_asked_until_the_after_sales_window_ends(shipped_order, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order_confirm_receipt(order_id=shipped_order.pk, buyer=shipped_order.buyer)
    _ask(shipped_order, 100)

    Order.objects.filter(pk=shipped_order.pk).update(after_sales_ends_at=timezone.now() - timedelta(seconds=1))

    with pytest.raises(RefundNotAllowed) as refused:
        _ask(shipped_order, 100)
    assert refused.value.extra["current_state"] == OrderStatus.COMPLETED


def test_an_unpaid_order_has_nothing_to_refund():
    shop, sku = shop_selling()
    order = place(shop=shop, sku=sku)

    with pytest.raises(RefundNotAllowed):
        _ask(order, 100)


def test_a_refund_needs_a_reason_and_the_buyer(shipped_order):
    with pytest.raises(RefundNotAllowed):
        _ask(shipped_order, 100, reason=" ")
    with pytest.raises(NotFound):
        refund_request(
            order_id=shipped_order.pk, line_id=shipped_order.lines.get().pk, buyer=UserFactory(), amount=1, reason="x"
        )
