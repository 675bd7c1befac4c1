"""Issue 12, item 3: a paid order cancelled while refunds of it are open.

Cancelling a paid, unshipped order gives the buyer back everything still
paid, including what open refund requests hold: a request nobody has sent to
the provider (requested, or failed) closes as superseded and the
cancellation refunds its amount; a refund already approved (its provider
call queued or in flight) is left to finish, so its money goes back exactly
once. Then the commissions follow the refunds (cancelled), the settlement
sweep has nothing to take, and ``reconcile`` passes."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.test import TestCase, override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.tests.factories import UserFactory
from catalog.services import supplier_staff_add
from commissions.choices import CommissionState
from commissions.models import Commission
from commissions.reconciliation import reconcile
from commissions.services.settlement import commissions_settle_matured
from distribution.tests.factories import ResellerFactory
from ledger.choices import AccountKind
from ledger.services import ledger_account
from orders.choices import REFUND_OPEN, Actor, OrderStatus, RefundKind, RefundStatus
from orders.exceptions import InvalidTransition, RefundNotAllowed
from orders.models import Order, Refund, StatusChange
from orders.providers import payment_provider
from orders.services.lifecycle import order_cancel
from orders.services.refunds import refund_decide, refund_execute, refund_request
from orders.tests.factories import pay, place, shop_selling
from sandbox.models import SandboxCharge
from shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db

PAID = 11_800  # 118.00


def committed(call):
    """Run a service as if its transaction committed: its after-commit work
    (refund execution, the commission tasks) runs too."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return call()


@pytest.fixture
def world():
    """parent → seller, the seller's shop selling one SKU at 118.00 (list
    100.00, cost 50.00); a member of the supplier's staff."""
    parent = ResellerFactory()
    seller = ResellerFactory(inviter=parent)
    shop, sku = shop_selling(shop=ShopFactory(owner=seller), price=PAID)
    staff = UserFactory()
    supplier_staff_add(supplier=sku.product.supplier, user=staff)
    return SimpleNamespace(parent=parent, seller=seller, shop=shop, sku=sku, staff=staff)


def paid_order(world) -> Order:
    order = place(shop=world.shop, sku=world.sku)
    committed(lambda: pay(order))
    assert order.paid_amount == PAID and Commission.objects.filter(order=order).exists()
    return order


def ask(order, amount) -> Refund:
    line = order.lines.get()
    return refund_request(order_id=order.pk, line_id=line.pk, buyer=order.buyer, amount=amount, reason="少发了一件")


def cancel(order) -> None:
    committed(
        lambda: order_cancel(
            order_id=order.pk, by=order.buyer, buyer=order.buyer, actor_kind=Actor.BUYER, reason="不想要了"
        )
    )


def approve_without_executing(refund) -> None:
    """Approved; its execution queued (after commit) and not run yet."""
    refund_decide(refund_id=refund.pk, approve=True, by=UserFactory(), actor_kind=Actor.OPERATOR)


def the_provider_refunded(refund) -> None:
    """The provider call of an approved refund went through, but the worker
    died before recording it: the money left, our row still says approved."""
    order = Order.objects.get(pk=refund.order_id)
    result = payment_provider().refund_create(
        payment_reference=order.payment.session.reference, refund_reference=refund.reference, amount=refund.amount
    )
    assert result.succeeded


def assert_refunded_in_full_once(order, world) -> None:
    """The end state of a cancelled paid order: all it paid went back, once."""
    order.refresh_from_db()
    line = order.lines.get()
    refunds = Refund.objects.filter(order=order)
    assert order.status == OrderStatus.CANCELLED
    assert not refunds.filter(status__in=REFUND_OPEN).exists()
    assert sum(refunds.filter(status=RefundStatus.SUCCEEDED).values_list("amount", flat=True)) == PAID
    assert order.refunded_amount == line.refunded_amount == line.paid_amount == PAID
    assert line.refund_pending_amount == 0
    # the buyer got 118.00 back at the provider: not less, not twice
    assert SandboxCharge.objects.get(reference=order.payment.session.reference).refunded_amount == PAID
    # the commissions followed: cancelled, nothing left frozen, nothing for the sweep to settle
    assert set(Commission.objects.filter(order=order).values_list("state", flat=True)) == {CommissionState.CANCELLED}
    for reseller in (world.seller, world.parent):
        assert ledger_account(kind=AccountKind.RESELLER_FROZEN, owner_id=reseller.pk).balance_amount == 0
    assert commissions_settle_matured(now=timezone.now() + timedelta(days=365)) == 0
    assert [result.breaks for result in reconcile() if not result.ok] == []


def test_a_pending_partial_refund_is_superseded_when_the_paid_order_is_cancelled(world):
    # given a paid order of 118.00 and a request for 50.00 back on its line
    order = paid_order(world)
    request = ask(order, 5_000)

    # when the buyer cancels it before it ships
    cancel(order)

    # then the request is closed as superseded, by the buyer's cancellation, with its reason
    request.refresh_from_db()
    assert request.status == RefundStatus.SUPERSEDED
    change = StatusChange.objects.get(refund=request, to_status=RefundStatus.SUPERSEDED)
    assert (change.from_status, change.actor_kind, change.actor) == (RefundStatus.REQUESTED, Actor.BUYER, order.buyer)
    assert "cancel" in change.reason
    # and the cancellation refunded all 118.00
    cancellation = Refund.objects.get(order=order, kind=RefundKind.CANCELLATION)
    assert (cancellation.amount, cancellation.status) == (PAID, RefundStatus.SUCCEEDED)
    # the supplier can no longer reject the request, and there is nothing left to ask for
    with pytest.raises(InvalidTransition) as refused:
        refund_decide(
            refund_id=request.pk,
            approve=False,
            by=world.staff,
            actor_kind=Actor.SUPPLIER,
            supplier=order.lines.get().supplier,
        )
    assert refused.value.http_status == 409
    assert refused.value.extra["current_state"] == RefundStatus.SUPERSEDED
    with pytest.raises(RefundNotAllowed):
        ask(order, 100)
    assert_refunded_in_full_once(order, world)


def test_a_refund_in_flight_at_the_provider_is_paid_once_and_the_rest_by_the_cancellation(world):
    # given two requests on the line: one approved whose provider call went through (not yet
    # recorded: the task will be delivered again), one still waiting for the supplier
    order = paid_order(world)
    in_flight = ask(order, 3_000)
    approve_without_executing(in_flight)
    the_provider_refunded(in_flight)
    waiting = ask(order, 2_000)

    # when the order is cancelled, then the task of the approved refund runs again
    cancel(order)
    committed(lambda: refund_execute(refund_id=in_flight.pk))

    # then the approved refund was left to finish, and counts once; the waiting one is superseded
    in_flight.refresh_from_db()
    waiting.refresh_from_db()
    assert (in_flight.status, waiting.status) == (RefundStatus.SUCCEEDED, RefundStatus.SUPERSEDED)
    cancellation = Refund.objects.get(order=order, kind=RefundKind.CANCELLATION)
    assert (cancellation.amount, cancellation.status) == (PAID - 3_000, RefundStatus.SUCCEEDED)
    assert_refunded_in_full_once(order, world)


FATES = ["requested", "failed", "approved", "in_flight", "succeeded", "rejected"]


def _request_with_fate(order, amount: int, fate: str) -> Refund:
    """A refund request of ``amount`` on the order's line, brought to ``fate``
    before the cancellation comes."""
    refund = ask(order, amount)
    if fate == "failed":
        with override_settings(PAYMENT_SANDBOX_REFUND_FAILURE_RATE=1):
            committed(lambda: approve_without_executing(refund))
    elif fate in ("approved", "in_flight"):
        approve_without_executing(refund)
        if fate == "in_flight":
            the_provider_refunded(refund)
    elif fate == "succeeded":
        committed(lambda: approve_without_executing(refund))
    elif fate == "rejected":
        refund_decide(refund_id=refund.pk, approve=False, by=UserFactory(), actor_kind=Actor.OPERATOR)
    refund.refresh_from_db()
    return refund


@pytest.mark.postgres  # each example is rolled back to a savepoint: the append-only ledger allows it there
def test_whatever_refunds_are_open_a_cancelled_paid_order_is_refunded_in_full_once(world):
    reached = set()

    @settings(
        max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(data=st.data(), fates=st.lists(st.sampled_from(FATES), min_size=1, max_size=3))
    def cancel_with_refunds(data, fates):
        savepoint = transaction.savepoint()
        try:
            order = paid_order(world)
            requests = []
            for fate in fates:
                left = order.lines.get().refundable_amount
                if left == 0:
                    break
                amount = data.draw(st.integers(min_value=1, max_value=left) | st.just(left), label=fate)
                requests.append((_request_with_fate(order, amount, fate), fate))

            cancel(order)
            for refund, _fate in requests:  # the queued executions of approved refunds run (again)
                committed(lambda refund=refund: refund_execute(refund_id=refund.pk))

            expected = {
                "requested": RefundStatus.SUPERSEDED,
                "failed": RefundStatus.SUPERSEDED,
                "approved": RefundStatus.SUCCEEDED,
                "in_flight": RefundStatus.SUCCEEDED,
                "succeeded": RefundStatus.SUCCEEDED,
                "rejected": RefundStatus.REJECTED,
            }
            for refund, fate in requests:
                refund.refresh_from_db()
                assert refund.status == expected[fate], (fate, refund.amount)
                reached.add(fate)
            assert_refunded_in_full_once(order, world)
        finally:
            transaction.savepoint_rollback(savepoint)

    cancel_with_refunds()
    assert reached == set(FATES), reached
