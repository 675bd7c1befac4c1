"""The outbox (socialshop/events.py): exactly once per consumer, retries
with backoff then parking, operators' retry, replay without double
effects, retention, and reconcile naming what was never handled."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.tests.factories import OperatorFactory
from commissions.models import Commission
from commissions.reconciliation import reconcile
from conftest import run_together
from distribution.tests.factories import ResellerFactory
from ledger.models import LedgerTransaction
from orders.tests.factories import pay, place, shop_selling
from shops.tests.factories import ShopFactory
from socialshop import events as outbox
from socialshop.events import (
    MAX_ATTEMPTS,
    event_consumer_register,
    event_emit,
    event_receipts_retry,
    events_consume,
    events_prune,
    events_replay,
    events_sweep,
)
from socialshop.models import Event, EventReceipt, ReceiptStatus

pytestmark = pytest.mark.django_db


class Ledgerish:
    """A consumer for the tests: records each event it handles in a set the
    test reads, and fails while ``failing`` is true."""

    def __init__(self):
        self.handled: list[int] = []
        self.failing = False

    def __call__(self, event):
        if self.failing:
            raise RuntimeError("the downstream service is down")
        self.handled.append(event.pk)
        return f"handled {event.pk}"


@pytest.fixture
def consumer():
    handler = Ledgerish()
    event_consumer_register(name="test-consumer", event_types=["test.happened"], handle=handler)
    yield handler
    outbox._consumers.pop("test-consumer", None)


def _emit(n=1):
    return [event_emit(type="test.happened", aggregate_type="test", aggregate_id=i) for i in range(n)]


def test_each_event_is_handled_once_however_often_the_consumer_runs(consumer):
    _emit(3)

    assert events_consume(consumer="test-consumer") == 3
    assert events_consume(consumer="test-consumer") == 0

    assert len(consumer.handled) == 3
    receipts = EventReceipt.objects.filter(consumer="test-consumer")
    assert set(receipts.values_list("status", flat=True)) == {ReceiptStatus.HANDLED}
    assert receipts.first().outcome.startswith("handled ")


def test_a_failing_consumer_retries_with_backoff_then_parks_and_an_operator_retry_handles_it(consumer):
    (event,) = _emit()
    consumer.failing = True
    now = timezone.now()

    events_consume(consumer="test-consumer", now=now)
    receipt = EventReceipt.objects.get(event=event)
    assert receipt.status == ReceiptStatus.RETRYING and receipt.attempts == 1
    assert receipt.next_attempt_at > now and "downstream service is down" in receipt.last_error
    events_consume(consumer="test-consumer", now=now)  # not due yet: not tried again
    assert EventReceipt.objects.get(event=event).attempts == 1

    for _ in range(MAX_ATTEMPTS):
        now += timedelta(hours=1)
        events_consume(consumer="test-consumer", now=now)
    receipt.refresh_from_db()
    assert receipt.status == ReceiptStatus.PARKED and receipt.attempts == MAX_ATTEMPTS
    events_consume(consumer="test-consumer", now=now + timedelta(days=1))
    assert EventReceipt.objects.get(event=event).attempts == MAX_ATTEMPTS  # parked stays parked

    consumer.failing = False
    assert event_receipts_retry(receipt_ids=[receipt.pk]) == 1
    events_consume(consumer="test-consumer")
    receipt.refresh_from_db()
    assert receipt.status == ReceiptStatus.HANDLED and consumer.handled == [event.pk]


def test_an_event_rolled_back_with_its_change_is_never_handled(consumer):
    with pytest.raises(RuntimeError), transaction.atomic():
        _emit()
        raise RuntimeError("the change failed")

    assert events_consume(consumer="test-consumer") == 0 and not Event.objects.exists()


def test_what_a_failing_handler_wrote_is_rolled_back_with_it():
    def writes_then_fails(event):
        Event.objects.create(type="test.side-effect", aggregate_type="test", aggregate_id=event.pk)
        raise RuntimeError("failed half-way")

    event_consumer_register(name="half-way", event_types=["test.happened"], handle=writes_then_fails)
    try:
        _emit()
        events_consume(consumer="half-way")
    finally:
        outbox._consumers.pop("half-way", None)

    assert not Event.objects.filter(type="test.side-effect").exists()
    assert EventReceipt.objects.get(consumer="half-way").status == ReceiptStatus.RETRYING


def test_replay_hands_events_again_and_the_commission_engine_makes_nothing_twice(
    django_capture_on_commit_callbacks,
):
    parent = ResellerFactory()
    shop, sku = shop_selling(shop=ShopFactory(owner=ResellerFactory(inviter=parent)), price=12_000)
    with django_capture_on_commit_callbacks(execute=True):
        order = pay(place(shop=shop, sku=sku))
    made = Commission.objects.filter(order=order).count()
    postings = LedgerTransaction.objects.count()
    assert made == 3

    reopened = events_replay(consumer="commissions", since=timezone.now() - timedelta(hours=1))
    events_consume(consumer="commissions")

    assert reopened >= 1
    assert Commission.objects.filter(order=order).count() == made and LedgerTransaction.objects.count() == postings
    assert EventReceipt.objects.filter(consumer="commissions", status=ReceiptStatus.HANDLED).count() >= 1


def test_retention_forgets_only_what_every_consumer_handled(consumer, settings):
    settings.EVENTS_RETENTION_DAYS = 30
    handled, waiting = _emit(2)
    events_consume(consumer="test-consumer")
    EventReceipt.objects.filter(event=waiting).delete()  # as if its consumer never got to it
    Event.objects.update(created_at=timezone.now() - timedelta(days=31))

    assert events_prune() == 1
    assert list(Event.objects.values_list("pk", flat=True)) == [waiting.pk]


def test_retention_forgets_an_event_nobody_consumes_once_it_is_old(settings):
    """A type with no consumer (as ``withdrawal.decided`` before its first) is kept for the retention only."""
    settings.EVENTS_RETENTION_DAYS = 30
    old = event_emit(type="nobody.listens", aggregate_type="test", aggregate_id=1)
    recent = event_emit(type="nobody.listens", aggregate_type="test", aggregate_id=2)
    Event.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))

    assert events_prune() == 1
    assert list(Event.objects.values_list("pk", flat=True)) == [recent.pk]


def test_reconcile_names_a_paid_order_whose_payment_nobody_handled(settings):
    settings.EVENTS_LAG_ALERT_MINUTES = 0
    parent = ResellerFactory()
    shop, sku = shop_selling(shop=ShopFactory(owner=ResellerFactory(inviter=parent)), price=12_000)
    handled = pay(place(shop=shop, sku=sku))
    events_sweep()
    lost = pay(place(shop=shop, sku=sku))
    Event.objects.filter(type="order.paid", aggregate_id=lost.pk).delete()  # its handling removed

    breaks = {result.key: result.breaks for result in reconcile() if not result.ok}

    assert breaks == {
        "every paid order's commissions are decided": [f"订单 {lost.number} 已支付，但一直没有计算佣金归属"]
    }
    assert Commission.objects.filter(order=handled).exists()


def test_reconcile_reports_an_event_parked_at_its_consumer(consumer, settings):
    settings.EVENTS_LAG_ALERT_MINUTES = 0
    (event,) = _emit()
    consumer.failing = True
    now = timezone.now()
    for attempt in range(MAX_ATTEMPTS):
        events_consume(consumer="test-consumer", now=now + timedelta(hours=attempt))

    breaks = {result.key: result.breaks for result in reconcile() if not result.ok}

    assert list(breaks) == ["every event is handled by each of its consumers"]
    # (besides it: the event.parked it wrote for the operators' notifications, not consumed in this test)
    assert any(
        f"事件 {event.pk} (test.happened, test 0) 在 test-consumer 重试" in line
        for line in breaks["every event is handled by each of its consumers"]
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_hand_each_event_to_the_consumer_once(consumer):
    Event.objects.bulk_create(  # written without waking anyone: both workers find them
        Event(type="test.happened", aggregate_type="test", aggregate_id=i) for i in range(40)
    )

    outcomes = run_together(
        lambda: events_consume(consumer="test-consumer", batch_size=7),
        lambda: events_consume(consumer="test-consumer", batch_size=7),
    )

    assert sum(outcomes) == 40, outcomes
    assert sorted(consumer.handled) == sorted(Event.objects.values_list("pk", flat=True))
    assert EventReceipt.objects.filter(status=ReceiptStatus.HANDLED).count() == 40


def test_operators_see_parked_events_on_the_money_page_and_retry_them_in_the_admin(
    client, consumer, django_capture_on_commit_callbacks
):
    (event,) = _emit()
    consumer.failing = True
    now = timezone.now()
    for attempt in range(MAX_ATTEMPTS):
        events_consume(consumer="test-consumer", now=now + timedelta(hours=attempt))
    receipt = EventReceipt.objects.get(event=event)
    client.force_login(OperatorFactory())

    page = client.get("/ops/money/").content.decode()
    assert "test-consumer" in page and "status__exact=parked" in page

    consumer.failing = False
    with django_capture_on_commit_callbacks(execute=True):  # the retry wakes the consumer after commit
        response = client.post(
            "/admin/socialshop/eventreceipt/",
            {"action": "retry", "_selected_action": [receipt.pk]},
            follow=True,
        )
    assert response.status_code == 200
    receipt.refresh_from_db()
    assert receipt.status == ReceiptStatus.HANDLED and consumer.handled == [event.pk]


def test_the_events_command_reports_retries_and_replays(consumer, django_capture_on_commit_callbacks):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    (event,) = _emit()
    consumer.failing = True
    now = timezone.now()
    for attempt in range(MAX_ATTEMPTS):
        events_consume(consumer="test-consumer", now=now + timedelta(hours=attempt))
    out = StringIO()
    call_command("events", "status", stdout=out)
    assert "test-consumer: 0 waiting, 1 parked" in out.getvalue()

    consumer.failing = False
    with django_capture_on_commit_callbacks(execute=True):
        call_command("events", "retry", "test-consumer", stdout=out)
    assert consumer.handled == [event.pk]

    with django_capture_on_commit_callbacks(execute=True):
        call_command("events", "replay", "test-consumer", "--since", "2000-01-01T00:00+08:00", stdout=out)
    assert consumer.handled == [event.pk, event.pk]  # handed again: consumers are idempotent
    with pytest.raises(CommandError):
        call_command("events", "replay", "nobody", "--since", "2000-01-01T00:00+08:00")


def test_the_cursor_skips_handled_history_but_never_an_event_that_committed_late(consumer):
    from socialshop.models import EventCursor

    old = Event.objects.bulk_create(
        Event(
            type="test.happened", aggregate_type="test", aggregate_id=i, created_at=timezone.now() - timedelta(hours=1)
        )
        for i in range(5)
    )
    events_consume(consumer="test-consumer")
    cursor = EventCursor.objects.get(consumer="test-consumer").handled_below
    assert cursor == old[-1].pk + 1  # all handled, all older than the safety margin

    # an event whose transaction took its id before a later one committed: recent, so the cursor waits
    late, later = Event.objects.bulk_create(
        Event(type="test.happened", aggregate_type="test", aggregate_id=i) for i in (10, 11)
    )
    EventReceipt.objects.create(event=later, consumer="test-consumer", status=ReceiptStatus.HANDLED)
    Event.objects.filter(pk=late.pk).update(created_at=timezone.now())  # "committed" only now
    events_consume(consumer="test-consumer")

    assert late.pk in consumer.handled
    assert EventCursor.objects.get(consumer="test-consumer").handled_below <= late.pk  # recent: not passed yet


def test_a_parked_event_retried_by_an_operator_is_handled_though_the_cursor_had_passed_it(
    consumer, django_capture_on_commit_callbacks
):
    from socialshop.models import EventCursor

    (event,) = Event.objects.bulk_create(
        [
            Event(
                type="test.happened",
                aggregate_type="test",
                aggregate_id=1,
                created_at=timezone.now() - timedelta(hours=1),
            )
        ]
    )
    consumer.failing = True
    now = timezone.now()
    for attempt in range(MAX_ATTEMPTS):
        events_consume(consumer="test-consumer", now=now + timedelta(hours=attempt))
    assert EventCursor.objects.get(consumer="test-consumer").handled_below > event.pk  # parked: passed

    consumer.failing = False
    with django_capture_on_commit_callbacks(execute=True):
        event_receipts_retry(receipt_ids=list(EventReceipt.objects.values_list("pk", flat=True)))

    assert consumer.handled == [event.pk]
