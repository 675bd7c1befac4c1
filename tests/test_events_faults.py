"""Nothing a payment starts is lost (issue 12), on PostgreSQL with a real
Celery worker: the broker unreachable while a payment callback is applied,
the broker's queued messages dropped, a worker SIGKILLed in the middle of a
consumer's batch, and the tree changed between payment and commission. Each
ends with every commission, ledger posting and webhook delivery made
exactly once, and reconcile green."""

import os
import signal
import time
from contextlib import contextmanager

import pytest
import redis
from django.db import connection, transaction

from accounts.tests.factories import OperatorFactory, UserFactory
from commissions.choices import CommissionKind
from commissions.models import Commission
from commissions.reconciliation import reconcile
from conftest import worker_start, worker_stop
from distribution.services import reseller_freeze, reseller_move
from distribution.tests.factories import ResellerFactory
from ledger.models import LedgerTransaction
from orders.models import Order
from orders.tests.factories import pay, pay_notice, place, shop_selling
from shops.tests.factories import ShopFactory
from socialshop.models import Event, EventReceipt, ReceiptStatus
from webhooks.models import WebhookDelivery
from webhooks.services import webhook_endpoint_create

pytestmark = [pytest.mark.postgres, pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

NOTIFY = "/payments/sandbox/notify/"
UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1: refused, as a Redis that is down


@pytest.fixture(autouse=True)
def _no_grace(settings):
    """Reconcile expects every event handled by the time a test checks."""
    settings.EVENTS_LAG_ALERT_MINUTES = 0
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True


def _reset_producers(app):
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def broker_unreachable(app):
    """The web process's broker is down for the block."""
    real = app.conf.broker_url
    app.conf.broker_url = UNREACHABLE_BROKER
    _reset_producers(app)
    try:
        yield
    finally:
        app.conf.broker_url = real
        _reset_producers(app)


def _world():
    """A shop of a reseller with an inviter, its buyer with a webhook endpoint."""
    parent = ResellerFactory()
    seller = ResellerFactory(inviter=parent)
    shop, sku = shop_selling(shop=ShopFactory(owner=seller), price=12_000)
    buyer = UserFactory()
    webhook_endpoint_create(user=buyer, url="http://127.0.0.1:9/hook", events=["order.paid"])
    return parent, seller, shop, sku, buyer


def _sweep_with_a_worker(tmp_path_factory, name="worker"):
    """What happens when the broker and a worker are back: beat's sweep."""
    from socialshop.tasks import events_sweep_task

    worker = worker_start(tmp_path_factory, name=name)
    try:
        events_sweep_task.delay().get(timeout=60)
    finally:
        worker_stop(worker)


def exactly_once(order_ids: list[int], commissions_per_order: int) -> None:
    """Each order: its commissions (markup, tier 1, tier 2), one order-paid
    posting, one accrual per commission, each consumer's receipt handled
    once, one webhook delivery; and reconcile green."""
    for order_id in order_ids:
        assert Commission.objects.filter(order_id=order_id).count() == commissions_per_order
        assert LedgerTransaction.objects.filter(idempotency_key=f"order-paid:{order_id}").count() == 1
    accrued = LedgerTransaction.objects.filter(idempotency_key__startswith="commission-accrue:").count()
    assert accrued == Commission.objects.count()
    paid_events = Event.objects.filter(type="order.paid", aggregate_id__in=order_ids)
    assert paid_events.count() == len(order_ids)
    for consumer in ("commissions", "webhooks"):
        assert EventReceipt.objects.filter(
            event__in=paid_events, consumer=consumer, status=ReceiptStatus.HANDLED
        ).count() == len(order_ids)
    # one delivery per paid order to the buyer's endpoint, never two
    assert WebhookDelivery.objects.filter(event_type="order.paid").count() == len(order_ids)
    assert [(result.name, result.breaks[:3]) for result in reconcile() if not result.ok] == []


def test_a_callback_with_the_broker_down_answers_at_once_and_the_money_follows_when_it_is_back(
    client, celery_live, tmp_path_factory
):
    parent, seller, shop, sku, buyer = _world()
    order = place(buyer=buyer, shop=shop, sku=sku)
    body, headers = pay_notice(order)

    with broker_unreachable(celery_live):
        started = time.monotonic()
        response = client.post(
            NOTIFY,
            data=body,
            content_type="application/json",
            headers={k: v for k, v in headers.items() if k != "Content-Type"},
        )
        elapsed = time.monotonic() - started

    assert response.status_code == 200 and response.json() == {"result": "applied"}
    assert elapsed < 1.0, f"the callback took {elapsed:.2f} s with the broker down"
    assert Order.objects.get(pk=order.pk).status == "paid"
    assert not Commission.objects.exists()  # nothing could be woken: the event waits
    # while it waits, reconcile names what is missing
    breaks = {result.key: result.breaks for result in reconcile() if not result.ok}
    assert any(f"订单 {order.number}" in item for item in sum(breaks.values(), [])), breaks

    _sweep_with_a_worker(tmp_path_factory)

    exactly_once([order.pk], commissions_per_order=3)
    tiers = dict(Commission.objects.filter(kind=CommissionKind.TIER).values_list("tier", "beneficiary_id"))
    assert tiers == {1: seller.pk, 2: parent.pk}


def test_wake_ups_dropped_by_the_broker_are_made_good_by_the_sweep(celery_live, tmp_path_factory):
    from django.conf import settings

    parent, seller, shop, sku, buyer = _world()
    orders = [pay(place(buyer=buyer, shop=shop, sku=sku)) for _ in range(3)]  # wake-ups queued, no worker yet
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()  # a Redis restart that kept nothing

    _sweep_with_a_worker(tmp_path_factory)

    exactly_once([order.pk for order in orders], commissions_per_order=3)


def _backend_waiting_on_a_lock() -> int | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND wait_event_type = 'Lock'"
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _until(predicate, message, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting\n{message()}")


def test_a_worker_killed_in_the_middle_of_a_consumer_batch_loses_nothing_and_doubles_nothing(
    celery_live, tmp_path_factory
):
    from socialshop.tasks import events_consume_task

    parent, seller, shop, sku, buyer = _world()
    orders = [pay(place(buyer=buyer, shop=shop, sku=sku)) for _ in range(3)]
    redis.Redis.from_url(celery_live.conf.broker_url).flushdb()  # only the wake-up the test sends below

    worker = worker_start(tmp_path_factory, name="doomed")
    try:
        with transaction.atomic():
            # hold the second order: the consumer handles the first, then waits on the second mid-batch
            list(Order.objects.select_for_update().filter(pk=orders[1].pk))
            events_consume_task.delay("commissions")
            backend = _until(_backend_waiting_on_a_lock, worker.log)
            assert Commission.objects.filter(order_id=orders[0].pk).count() == 3  # committed before the kill
            os.kill(worker.process.pid, signal.SIGKILL)
            worker.process.wait(timeout=30)
        _until(lambda: not _backend_alive(backend), worker.log)
    finally:
        worker_stop(worker)
    assert not Commission.objects.filter(order_id__in=[orders[1].pk, orders[2].pk]).exists()

    _sweep_with_a_worker(tmp_path_factory, name="replacement")

    exactly_once([order.pk for order in orders], commissions_per_order=3)


def _backend_alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone() is not None


def test_the_upline_at_payment_earns_though_the_tree_changes_before_the_worker_runs(celery_live, tmp_path_factory):
    parent, seller, shop, sku, buyer = _world()
    other_parent = ResellerFactory()
    operator = OperatorFactory()
    order = pay(place(buyer=buyer, shop=shop, sku=sku))  # paid; the worker is behind (none is running)

    reseller_move(reseller=seller, new_inviter=other_parent, actor=operator, reason="moved after payment")
    reseller_freeze(reseller=parent, actor=operator, reason="frozen after payment")
    _sweep_with_a_worker(tmp_path_factory)

    tiers = dict(Commission.objects.filter(kind=CommissionKind.TIER).values_list("tier", "beneficiary_id"))
    assert tiers == {1: seller.pk, 2: parent.pk}  # not other_parent; parent was active when the payment committed
    exactly_once([order.pk], commissions_per_order=3)


def test_a_reseller_frozen_before_payment_earns_nothing_though_unfrozen_before_the_worker_runs(
    celery_live, tmp_path_factory
):
    from distribution.services import reseller_unfreeze

    parent, seller, shop, sku, buyer = _world()
    operator = OperatorFactory()
    reseller_freeze(reseller=parent, actor=operator, reason="frozen")
    order = pay(place(buyer=buyer, shop=shop, sku=sku))
    reseller_unfreeze(reseller=parent, actor=operator, reason="unfrozen after the payment")

    _sweep_with_a_worker(tmp_path_factory)

    assert not Commission.objects.filter(beneficiary=parent).exists()
    assert Commission.objects.filter(order=order, beneficiary=seller).exists()
