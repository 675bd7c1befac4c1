"""Durable events: a transactional outbox and its consumers (docs/events.md).

A service that changes something another part of the platform acts on
calls ``event_emit`` inside its transaction: one INSERT, committed or rolled
back with the change. Apps above it register *consumers* (a name, the event
types they take, a handler that calls their existing idempotent service).

``events_consume`` hands each pending event to a consumer in a transaction
of its own: the consumer's receipt row is locked (``SKIP LOCKED``: two
workers never take the same event), the handler runs in a savepoint, and
the receipt is marked handled in the same commit as the handler's effects,
so every consumer handles every event exactly once. A failure is recorded
on the receipt and retried with backoff; after ``MAX_ATTEMPTS`` the event
is *parked* for an operator (admin, ``/ops/events/``).

The broker only wakes consumers up: right after commit a Celery task is
queued for each consumer concerned (never blocking, never failing the
caller), and a beat sweep every ``SWEEP`` seconds handles whatever a lost
wake-up left. With the broker down nothing is lost: the event rows wait.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, Min, OuterRef, Q
from django.utils import timezone

from .models import Event, EventCursor, EventReceipt, ReceiptStatus
from .states import SYSTEM, EventFor, StateMachine, state_set

logger = logging.getLogger(__name__)

event_parked = "event.parked"  # a consumer gave up on an event (operators are told: notifications)
MAX_ATTEMPTS = 8  # failures before an event is parked for an operator
BACKOFF_BASE = timedelta(seconds=15)  # 15 s, 30 s, 1 min … about 30 min in all before parking
BACKOFF_CAP = timedelta(minutes=15)
BATCH_SIZE = 200
# How long an event may stay invisible to consumers after its id was taken (its transaction still
# open) without being passed by a consumer's cursor. Longer transactions are not part of this
# platform; should one happen, reconcile (which scans every retained event) reports the event.
CURSOR_SAFETY_MARGIN = timedelta(minutes=10)


@dataclass(frozen=True)
class Consumer:
    """A part of the platform that acts on events. ``handle`` gets the event
    and returns a short note of what it did (kept on the receipt: "3
    commissions", "no attributed reseller"); it must be idempotent, since an
    operator's replay hands it events again."""

    name: str
    event_types: frozenset[str]
    handle: Callable[[Event], str]
    label: str = ""  # what operators read (Chinese first); the name otherwise


_consumers: dict[str, Consumer] = {}


def event_consumer_register(
    *, name: str, event_types: list[str], handle: Callable[[Event], str], label: str = ""
) -> None:
    """Called from an app's ``ready()``; registering a name again replaces it."""
    _consumers[name] = Consumer(name=name, event_types=frozenset(event_types), handle=handle, label=label or name)


def event_consumers() -> dict[str, Consumer]:
    return dict(_consumers)


def event_emit(*, type: str, aggregate_type: str, aggregate_id: int, payload: dict | None = None) -> Event:
    """Record that something happened, in the caller's transaction (one
    INSERT), and wake its consumers once that transaction commits."""
    event = Event.objects.create(
        type=type, aggregate_type=aggregate_type, aggregate_id=aggregate_id, payload=payload or {}
    )
    transaction.on_commit(lambda: events_wake(event_type=type))  # never raises (task_wake)
    return event


def events_wake(*, event_type: str) -> None:
    """Queue a consume task for each consumer of ``event_type`` (see
    ``task_wake``). With tasks run in process (the embedded default), the
    consumers run here and now."""
    from .tasks import events_consume_task  # tasks import this module

    for consumer in _consumers.values():
        if event_type in consumer.event_types:
            task_wake(events_consume_task, consumer.name)


def task_wake(task, *args) -> None:
    """Queue ``task`` as a *wake-up*: work whose truth is in the database and
    that a periodic sweep would find anyway (an event, a reported sale, a due
    webhook delivery, an open payout batch). Never blocks on a broker that is
    down (no publish retries, no result to wait for) and never raises: a
    failure is logged and the sweep does the work later. Run in process
    (the embedded default, tests), a failure is the caller's to see."""
    if task.app.conf.task_always_eager:
        task.apply_async(args)
        return
    try:
        task.apply_async(args, retry=False, ignore_result=True)
    except Exception as error:  # noqa: BLE001 - a wake-up must never fail what woke it
        logger.warning("could not queue %s%r (its sweep will do it): %s", task.name, args, error)


def task_wake_on_commit(task, *args) -> None:
    """``task_wake`` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: task_wake(task, *args), robust=not task.app.conf.task_always_eager)


def backoff_after(attempts: int) -> timedelta:
    return min(BACKOFF_BASE * 2 ** (attempts - 1), BACKOFF_CAP)


def _not_due(consumer: str, now: datetime) -> Q:
    """Receipts that keep an event away from ``consumer`` for now."""
    return Q(consumer=consumer) & (
        Q(status__in=[ReceiptStatus.HANDLED, ReceiptStatus.PARKED])
        | Q(status=ReceiptStatus.RETRYING, next_attempt_at__gt=now)
    )


def events_pending(*, consumer: Consumer, now: datetime, after_id: int = 0, limit: int = BATCH_SIZE) -> list[int]:
    """Ids of the events ``consumer`` still has to handle, oldest first."""
    return list(
        Event.objects.filter(type__in=consumer.event_types, pk__gt=after_id)
        .exclude(Exists(EventReceipt.objects.filter(_not_due(consumer.name, now), event_id=OuterRef("pk"))))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def events_consume(*, consumer: str, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Hand ``consumer`` every event due to it, oldest first, each in its own
    transaction. Safe to run twice at once and after a crash at any point.
    Returns how many events it handled."""
    found = _consumers[consumer]
    handled = 0
    cursor = _cursor_get(consumer)
    after_id = cursor - 1
    while True:
        now_ = now or timezone.now()
        event_ids = events_pending(consumer=found, now=now_, after_id=after_id, limit=batch_size)
        for event_id in event_ids:
            handled += _consume_one(found, event_id, now_)
        if len(event_ids) < batch_size:
            break
        after_id = event_ids[-1]  # an event another worker holds is not asked for again in this run
    _cursor_advance(found, cursor, timezone.now())
    return handled


def _cursor_get(consumer: str) -> int:
    return EventCursor.objects.filter(consumer=consumer).values_list("handled_below", flat=True).first() or 0


def _cursor_advance(consumer: Consumer, cursor: int, now: datetime) -> None:
    """Move the consumer's cursor up to its first event not handled yet, or
    not older than the safety margin, whichever comes first. Compare and
    set: a replay that moved it meanwhile wins."""
    from_cursor = Event.objects.filter(pk__gte=cursor).order_by("pk").values_list("pk", flat=True)
    handled = EventReceipt.objects.filter(
        event_id=OuterRef("pk"), consumer=consumer.name, status__in=[ReceiptStatus.HANDLED, ReceiptStatus.PARKED]
    )
    stops = [
        from_cursor.filter(type__in=consumer.event_types).exclude(Exists(handled)).first(),
        from_cursor.filter(created_at__gt=now - CURSOR_SAFETY_MARGIN).first(),
    ]
    stops = [stop for stop in stops if stop is not None]
    if stops:
        target = min(stops)
    else:
        last = from_cursor.reverse().first()
        target = last + 1 if last is not None else cursor
    if target <= cursor:
        return
    if not EventCursor.objects.filter(consumer=consumer.name, handled_below=cursor).update(handled_below=target):
        EventCursor.objects.get_or_create(consumer=consumer.name, defaults={"handled_below": target})


def _receipt_locked(consumer: Consumer, event_id: int) -> EventReceipt | None:
    """The consumer's receipt of the event (made if missing), locked with its
    event; None when another worker holds it."""
    EventReceipt.objects.bulk_create([EventReceipt(event_id=event_id, consumer=consumer.name)], ignore_conflicts=True)
    return (
        EventReceipt.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("event")
        .filter(event_id=event_id, consumer=consumer.name)
        .first()
    )


def _due(receipt: EventReceipt | None, now: datetime) -> bool:
    if receipt is None or receipt.status in (ReceiptStatus.HANDLED, ReceiptStatus.PARKED):
        return False  # another worker has it, or it is done
    return not (receipt.status == ReceiptStatus.RETRYING and receipt.next_attempt_at and receipt.next_attempt_at > now)


def _consume_one(consumer: Consumer, event_id: int, now: datetime) -> bool:
    """One event, one transaction: the receipt marked handled commits with
    the handler's effects. A failure rolls both back; it is then recorded
    on the receipt in a transaction of its own."""
    try:
        with transaction.atomic():
            receipt = _receipt_locked(consumer, event_id)
            if not _due(receipt, now):
                return False
            outcome = consumer.handle(receipt.event) or ""
            receipt_state_set(
                receipt,
                ReceiptStatus.HANDLED,
                attempts=receipt.attempts + 1,
                outcome=str(outcome)[:200],
                handled_at=timezone.now(),
                next_attempt_at=None,
            )
            return True
    except Exception as error:  # noqa: BLE001 - recorded, retried, then parked: never lost
        _failure_record(consumer, event_id, now, error)
        return False


def _failure_record(consumer: Consumer, event_id: int, now: datetime, error: Exception) -> None:
    with transaction.atomic():
        receipt = _receipt_locked(consumer, event_id)
        if not _due(receipt, now):
            return
        attempts = receipt.attempts + 1
        parked = attempts >= MAX_ATTEMPTS
        receipt_state_set(
            receipt,
            ReceiptStatus.PARKED if parked else ReceiptStatus.RETRYING,
            # a parked event is an event of its own (never for a parked event.parked: no chain)
            event=_parked_event if parked and receipt.event.type != event_parked else None,
            attempts=attempts,
            last_error=f"{error.__class__.__name__}: {error}"[:2000],
            next_attempt_at=None if parked else now + backoff_after(attempts),
        )
    log = logger.error if parked else logger.warning
    log("events: %s failed on event %s (attempt %s): %s", consumer.name, event_id, attempts, error)


def events_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Beat: every consumer handles whatever its wake-ups missed (a broker
    that was down, a message dropped, a worker killed)."""
    return {name: events_consume(consumer=name, now=now) for name in list(_consumers)}


# --- operators -----------------------------------------------------------------


def event_receipts_retry(*, receipt_ids: list[int]) -> int:
    """An operator's retry of parked (or waiting) receipts: due at once, with
    a fresh series of attempts. Returns how many."""
    moved = 0
    with transaction.atomic():
        for receipt in EventReceipt.objects.select_for_update().filter(pk__in=receipt_ids).order_by("pk"):
            if receipt.status in (ReceiptStatus.PARKED, ReceiptStatus.RETRYING):
                receipt_state_set(receipt, ReceiptStatus.PENDING, attempts=0, next_attempt_at=None, actor=OPERATOR)
                # a parked event lies below its consumer's cursor: bring the cursor back to it
                EventCursor.objects.filter(consumer=receipt.consumer, handled_below__gt=receipt.event_id).update(
                    handled_below=receipt.event_id
                )
                moved += 1
    for consumer in {receipt.consumer for receipt in EventReceipt.objects.filter(pk__in=receipt_ids)}:
        if consumer in _consumers:
            _wake_consumer(consumer)
    return moved


def events_replay(*, consumer: str, since: datetime) -> int:
    """Hand ``consumer`` again every event recorded since ``since`` (as far
    back as retention keeps them). Consumers are idempotent, so a replay
    changes nothing that was done right and redoes what was lost. Returns
    how many receipts it reopened."""
    if consumer not in _consumers:
        raise KeyError(consumer)
    with transaction.atomic():
        reopened = EventReceipt.objects.filter(consumer=consumer, event__created_at__gte=since).delete()[0]
        first = Event.objects.filter(created_at__gte=since).order_by("pk").values_list("pk", flat=True).first()
        if first is not None:
            EventCursor.objects.filter(consumer=consumer, handled_below__gt=first).update(handled_below=first)
    _wake_consumer(consumer)
    return reopened


def events_prune(*, now: datetime | None = None) -> int:
    """Retention: delete events older than ``EVENTS_RETENTION_DAYS`` that
    every consumer of their type has handled. An event some consumer has not
    handled (waiting, parked) is kept however old. Returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.EVENTS_RETENTION_DAYS)
    deleted = 0
    for event_type in Event.objects.filter(created_at__lt=cutoff).values_list("type", flat=True).distinct():
        names = [consumer.name for consumer in _consumers.values() if event_type in consumer.event_types]
        old = Event.objects.filter(type=event_type, created_at__lt=cutoff)
        for name in names:
            old = old.filter(
                Exists(
                    EventReceipt.objects.filter(event_id=OuterRef("pk"), consumer=name, status=ReceiptStatus.HANDLED)
                )
            )
        deleted += old.delete()[1].get(Event._meta.label, 0)
    return deleted


def _wake_consumer(name: str) -> None:
    from .tasks import events_consume_task

    task_wake_on_commit(events_consume_task, name)


# --- receipts' states, through the kernel ----------------------------------------------

OPERATOR = "operator"
RECEIPT_MACHINE = StateMachine(
    transitions={
        (ReceiptStatus.PENDING, ReceiptStatus.HANDLED): frozenset({SYSTEM}),
        (ReceiptStatus.PENDING, ReceiptStatus.RETRYING): frozenset({SYSTEM}),
        (ReceiptStatus.PENDING, ReceiptStatus.PARKED): frozenset({SYSTEM}),
        (ReceiptStatus.RETRYING, ReceiptStatus.HANDLED): frozenset({SYSTEM}),
        (ReceiptStatus.RETRYING, ReceiptStatus.RETRYING): frozenset({SYSTEM}),
        (ReceiptStatus.RETRYING, ReceiptStatus.PARKED): frozenset({SYSTEM}),
        (ReceiptStatus.RETRYING, ReceiptStatus.PENDING): frozenset({OPERATOR}),
        (ReceiptStatus.PARKED, ReceiptStatus.PENDING): frozenset({OPERATOR}),
    }
)


def receipt_state_set(
    receipt: EventReceipt, to_state: str, *, actor: str = SYSTEM, event: EventFor | None = None, **fields
) -> None:
    state_set(receipt, to_state, machine=RECEIPT_MACHINE, actor_kind=actor, event=event, **fields)


def _parked_event(receipt: EventReceipt) -> tuple[str, str, int, dict]:
    payload = {
        "event": receipt.event_id,
        "type": receipt.event.type,
        "consumer": receipt.consumer,
        "attempts": receipt.attempts,
    }
    return event_parked, "event_receipt", receipt.pk, payload


# --- what operators and reconcile read ---------------------------------------------------


def events_unhandled(*, consumer: str, before: datetime, limit: int = 20) -> list[tuple[Event, EventReceipt | None]]:
    """Events of ``consumer``'s types recorded before ``before`` that it has
    not handled (waiting, retrying or parked), oldest first, each with its
    receipt if any."""
    found = _consumers[consumer]
    events = list(
        Event.objects.filter(type__in=found.event_types, created_at__lt=before)
        .exclude(
            Exists(
                EventReceipt.objects.filter(event_id=OuterRef("pk"), consumer=consumer, status=ReceiptStatus.HANDLED)
            )
        )
        .order_by("pk")[:limit]
    )
    receipts = {
        receipt.event_id: receipt
        for receipt in EventReceipt.objects.filter(consumer=consumer, event_id__in=[event.pk for event in events])
    }
    return [(event, receipts.get(event.pk)) for event in events]


@dataclass(frozen=True)
class ConsumerLag:
    consumer: str
    label: str
    waiting: int  # events not handled yet (incl. retrying)
    parked: int
    oldest_waiting_at: datetime | None

    def lag(self, now: datetime) -> timedelta:
        return now - self.oldest_waiting_at if self.oldest_waiting_at else timedelta(0)


def event_consumers_lag(*, now: datetime | None = None) -> list[ConsumerLag]:
    """Per consumer: how many events wait, how many are parked, and how old
    the oldest waiting one is (a few queries per consumer)."""
    now = now or timezone.now()
    lags = []
    for consumer in sorted(_consumers.values(), key=lambda consumer: consumer.name):
        waiting = Event.objects.filter(type__in=consumer.event_types, pk__gte=_cursor_get(consumer.name)).exclude(
            Exists(
                EventReceipt.objects.filter(
                    event_id=OuterRef("pk"),
                    consumer=consumer.name,
                    status__in=[ReceiptStatus.HANDLED, ReceiptStatus.PARKED],
                )
            )
        )
        summary = waiting.aggregate(n=Count("pk"), oldest=Min("created_at"))
        parked = EventReceipt.objects.filter(consumer=consumer.name, status=ReceiptStatus.PARKED).count()
        lags.append(ConsumerLag(consumer.name, consumer.label, summary["n"], parked, summary["oldest"]))
    return lags
