"""Settlement exactly once, on PostgreSQL, with real concurrency: two sweeps
at once, five deliveries of one ``order paid`` event at once, and a real
Celery worker killed with SIGKILL in the middle of a settlement batch."""

import os
import signal
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from commissions.choices import CommissionState
from commissions.models import Commission
from commissions.reconciliation import reconcile
from commissions.services.accrual import commissions_create_for_order, commissions_mature
from commissions.services.settlement import commissions_settle_matured
from conftest import run_together, worker_start, worker_stop
from distribution.tests.factories import ResellerFactory
from ledger.choices import AccountKind
from ledger.models import LedgerAccount, LedgerTransaction
from ledger.services import ledger_account
from orders.models import Order
from orders.services.lifecycle import order_confirm_receipt
from orders.tests.factories import pay, place, ship, shop_selling
from shops.tests.factories import ShopFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def matured_commissions(orders: int = 4) -> tuple[list[int], object]:
    """Orders paid in a reseller's shop, completed, their after-sales window
    over (moved into the past: the time a real sweep would wait)."""
    parent = ResellerFactory()
    seller = ResellerFactory(inviter=parent)
    shop, sku = shop_selling(shop=ShopFactory(owner=seller), price=12_000)
    order_ids = []
    for _ in range(orders):
        order = pay(place(shop=shop, sku=sku))
        commissions_create_for_order(order_id=order.pk)
        ship(order)
        order_confirm_receipt(order_id=order.pk, buyer=order.buyer)
        order_ids.append(order.pk)
    Order.objects.filter(pk__in=order_ids).update(after_sales_ends_at=timezone.now() - timedelta(days=1))
    for order_id in order_ids:
        commissions_mature(order_id=order_id)
    return list(Commission.objects.values_list("pk", flat=True)), seller


def settled_once(commission_ids: list[int]) -> None:
    assert set(Commission.objects.filter(pk__in=commission_ids).values_list("state", flat=True)) == {
        CommissionState.SETTLED
    }
    keys = LedgerTransaction.objects.filter(idempotency_key__startswith="commission-settle:")
    assert sorted(int(key.split(":")[1]) for key in keys.values_list("idempotency_key", flat=True)) == sorted(
        commission_ids
    )
    assert all(result.ok for result in reconcile()), [r for r in reconcile() if not r.ok]


def test_two_sweeps_at_once_settle_each_commission_once():
    commission_ids, seller = matured_commissions(orders=6)

    outcomes = run_together(
        lambda: commissions_settle_matured(batch_size=3), lambda: commissions_settle_matured(batch_size=3)
    )

    assert all(isinstance(count, int) for count in outcomes), outcomes
    assert sum(outcomes) == len(commission_ids)
    settled_once(commission_ids)
    withdrawable = LedgerAccount.objects.get(kind=AccountKind.RESELLER_WITHDRAWABLE, owner_id=seller.pk)
    assert withdrawable.balance_amount == 6 * 3_500


def test_one_paid_event_handled_five_times_at_once_creates_one_set_of_commissions(celery_live):
    # celery_live: the event's own task waits in the broker, unrun
    parent = ResellerFactory()
    seller = ResellerFactory(inviter=parent)
    shop, sku = shop_selling(shop=ShopFactory(owner=seller), price=12_000)
    order = pay(place(shop=shop, sku=sku))  # its event not handled yet

    outcomes = run_together(*[lambda: commissions_create_for_order(order_id=order.pk)] * 5)

    assert sorted(outcomes) == [0, 0, 0, 0, 3]
    assert Commission.objects.filter(order=order).count() == 3
    assert LedgerTransaction.objects.filter(idempotency_key__startswith="commission-accrue:").count() == 3
    assert all(result.ok for result in reconcile())


def _waiting_backend() -> int | None:
    """The database backend of the worker, blocked on a lock mid-batch."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # inside a transaction the view is a snapshot
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND wait_event_type = 'Lock' AND query LIKE '%FOR UPDATE%'"
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _backend_alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone() is not None


def _until(predicate, timeout=60.0, message=lambda: ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting\n{message()}")


@pytest.mark.celery_worker
def test_a_worker_killed_mid_batch_loses_nothing_and_settles_nothing_twice(celery_live, tmp_path_factory):
    from commissions.tasks import commissions_settle_task

    commission_ids, seller = matured_commissions(orders=4)
    worker = worker_start(tmp_path_factory, name="doomed")
    try:
        # hold the seller's withdrawable account: the worker's batch gets as far as moving balances, then waits
        held = ledger_account(kind=AccountKind.RESELLER_WITHDRAWABLE, owner_id=seller.pk)
        with transaction.atomic():
            list(LedgerAccount.objects.select_for_update().filter(pk=held.pk))
            commissions_settle_task.delay()
            # the batch is under way: states moved, entries written, nothing committed
            backend = _until(_waiting_backend, message=worker.log)
            os.kill(worker.process.pid, signal.SIGKILL)
            worker.process.wait(timeout=30)
        _until(lambda: not _backend_alive(backend))  # the database saw the worker go and rolled its batch back
    finally:
        worker_stop(worker)

    assert set(Commission.objects.filter(pk__in=commission_ids).values_list("state", flat=True)) == {
        CommissionState.FROZEN
    }
    assert not LedgerTransaction.objects.filter(idempotency_key__startswith="commission-settle:").exists()

    replacement = worker_start(tmp_path_factory, name="replacement")
    try:
        assert commissions_settle_task.delay().get(timeout=60) == len(commission_ids)
    finally:
        worker_stop(replacement)
    settled_once(commission_ids)
