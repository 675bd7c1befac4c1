"""The only writers of webhook endpoints and deliveries.

Delivery is at-least-once: an event is stored as a delivery row per
endpoint in the same transaction as whatever caused it, then sent by a
Celery task after commit. A failed attempt is retried with exponential
backoff by the beat-driven sweep (``webhook_deliveries_due_send``), never by
ETA tasks, so retries survive worker restarts. A delivery is *claimed* with
a conditional update before it is sent, so two workers never send it at
once; a claim lapses after ``LEASE`` if its worker dies.
"""

import http.client
import json
import logging
import secrets
import time
import uuid
from datetime import datetime, timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from orders.selectors import order_event_data
from socialshop.errors import NotFound
from socialshop.events import task_wake_on_commit
from socialshop.money import fen_to_yuan
from socialshop.states import SYSTEM, InvalidTransition, StateMachine, state_set, state_set_query

from .choices import DELIVERY_TRANSITIONS, OWNER, SUBSCRIBABLE_EVENTS, DeliveryStatus, EventType
from .exceptions import DeliveryBeingSent, UnknownEventType, WebhookTargetRefused
from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from .signing import SIGNATURE_HEADER, signature_header
from .targets import webhook_post, webhook_target_check, webhook_target_resolve

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8  # in a row, before a delivery is given up (a replay starts a new series)
BACKOFF_BASE = timedelta(seconds=30)  # 30 s, 1 min, 2 min … 64 min: about 2 h in all
BACKOFF_CAP = timedelta(hours=6)
LEASE = timedelta(minutes=2)  # well above an attempt's deadline (targets.ATTEMPT_DEADLINE_SECONDS)
USER_AGENT = "socialshop-webhooks/1"

DELIVERY_MACHINE = StateMachine(transitions=DELIVERY_TRANSITIONS, error=InvalidTransition)


def backoff_after(failures_in_row: int) -> timedelta:
    """How long to wait after the n-th failure in a row (n ≥ 1)."""
    return min(BACKOFF_BASE * 2 ** (failures_in_row - 1), BACKOFF_CAP)


def _check_events(events: list[str]) -> list[str]:
    unknown = sorted(set(events) - set(SUBSCRIBABLE_EVENTS))
    if unknown or not events:
        raise UnknownEventType(fields={"events": [f"choose from {', '.join(SUBSCRIBABLE_EVENTS)}"]})
    return sorted(set(events))


def webhook_endpoint_create(*, user: User, url: str, events: list[str], description: str = "") -> WebhookEndpoint:
    """Register ``url`` for ``events``; the secret is generated here."""
    webhook_target_check(url)
    return WebhookEndpoint.objects.create(
        user=user,
        url=url,
        events=_check_events(events),
        description=description,
        secret="whsec_" + secrets.token_urlsafe(32),
    )


def webhook_endpoint_update(*, endpoint: WebhookEndpoint, **changes) -> WebhookEndpoint:
    """Change url, events, description or is_active (validated like create)."""
    if "url" in changes:
        webhook_target_check(changes["url"])
    if "events" in changes:
        changes["events"] = _check_events(changes["events"])
    for name, value in changes.items():
        setattr(endpoint, name, value)
    endpoint.save(update_fields=list(changes))
    return endpoint


def webhook_event_publish(
    *, user_ids: list[int], event_type: str, data: dict, event_id: uuid.UUID | None = None
) -> list[int]:
    """Record one event for every active endpoint of ``user_ids`` that asked
    for ``event_type`` and queue their sending for after commit. Call it
    inside the transaction that made the change. An ``event_id`` given
    (derived from the outbox event) makes it idempotent: an endpoint that
    already has that event gets no second delivery. Returns the delivery IDs."""
    event_id = event_id or uuid.uuid4()
    has_it = WebhookDelivery.objects.filter(event_id=event_id).values_list("endpoint_id", flat=True)
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(user_id__in=user_ids, is_active=True).exclude(pk__in=has_it)
        if event_type in endpoint.events
    ]
    if not endpoints:
        return []
    body = json.dumps(
        {"id": str(event_id), "type": event_type, "created_at": timezone.now().isoformat(), "data": data},
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    now = timezone.now()
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(endpoint=endpoint, event_id=event_id, event_type=event_type, body=body, next_attempt_at=now)
        for endpoint in endpoints
    )
    ids = [delivery.id for delivery in deliveries]
    _queue_send(ids)
    return ids


def webhook_ping(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A test event to one endpoint, whatever it subscribed to."""
    body = json.dumps(
        {"id": str(uuid.uuid4()), "type": EventType.PING, "created_at": timezone.now().isoformat(), "data": {}},
        separators=(",", ":"),
    )
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event_type=EventType.PING, body=body, next_attempt_at=timezone.now()
    )
    _queue_send([delivery.id])
    return delivery


@transaction.atomic
def webhook_delivery_replay(*, user: User, delivery_id: int) -> WebhookDelivery:
    """Send a delivery again, same event and body, with a fresh series of
    retries. Another user's delivery is NotFound."""
    delivery = (
        WebhookDelivery.objects.select_for_update()
        .filter(pk=delivery_id, endpoint__user=user)
        .select_related("endpoint")
        .first()
    )
    if delivery is None:
        raise NotFound()
    if delivery.status == DeliveryStatus.SENDING and delivery.lease_until and delivery.lease_until > timezone.now():
        raise DeliveryBeingSent(current_state=delivery.status)
    state_set(
        delivery,
        DeliveryStatus.PENDING,
        machine=DELIVERY_MACHINE,
        actor_kind=OWNER,
        failures_in_row=0,
        next_attempt_at=timezone.now(),
        lease_until=None,
    )
    _queue_send([delivery.id])
    return delivery


def _queue_send(delivery_ids: list[int]) -> None:
    from .tasks import webhook_delivery_send_task

    for delivery_id in delivery_ids:
        task_wake_on_commit(webhook_delivery_send_task, delivery_id)  # the retry sweep sends what this loses


def _due(now: datetime) -> Q:
    """Pending with its attempt due, or claimed by a worker whose lease lapsed."""
    return Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=DeliveryStatus.SENDING, lease_until__lt=now
    )


def _claim(delivery_id: int, now: datetime) -> bool:
    """Take the delivery for one attempt; False when it is not due, already
    done, or another worker holds it."""
    return bool(
        state_set_query(
            WebhookDelivery.objects.filter(_due(now), pk=delivery_id),
            DeliveryStatus.SENDING,
            machine=DELIVERY_MACHINE,
            actor_kind=SYSTEM,
            lease_until=now + LEASE,
        )
    )


def webhook_delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> WebhookDelivery | None:
    """Make one HTTP attempt at a due delivery and record it. Safe to call
    twice or from two workers: only the one that claims it sends. Never
    raises for the receiver's failures; they are recorded and retried."""
    now = now or timezone.now()
    if not _claim(delivery_id, now):
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    body = delivery.body.encode()
    status_code, error, excerpt = None, "", ""
    started = time.monotonic()
    try:
        if not delivery.endpoint.is_active:
            raise WebhookTargetRefused("endpoint disabled")
        target = webhook_target_resolve(delivery.endpoint.url)  # checked now: DNS may have changed
        status_code, excerpt = webhook_post(
            target,
            body=body,
            headers={
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                "X-Socialshop-Event": delivery.event_type,
                "X-Socialshop-Delivery": str(delivery.event_id),
                SIGNATURE_HEADER: signature_header(secret=delivery.endpoint.secret, body=body),
            },
        )
    except (OSError, http.client.HTTPException, WebhookTargetRefused) as exception:
        error = f"{exception.__class__.__name__}: {exception}"[:300]
    duration_ms = int((time.monotonic() - started) * 1000)
    succeeded = status_code is not None and 200 <= status_code < 300
    return _record(delivery, now, status_code, error, excerpt, duration_ms, succeeded)


@transaction.atomic
def _record(delivery, now, status_code, error, excerpt, duration_ms, succeeded) -> WebhookDelivery:
    WebhookAttempt.objects.create(
        delivery=delivery,
        attempted_at=now,
        status_code=status_code,
        error=error,
        response_excerpt=excerpt,
        duration_ms=duration_ms,
    )
    fields = {
        "attempt_count": delivery.attempt_count + 1,
        "last_status_code": status_code,
        "lease_until": None,
        "delivered_at": delivery.delivered_at,
        "failures_in_row": delivery.failures_in_row,
    }
    if succeeded:
        to_status = DeliveryStatus.SUCCEEDED
        fields.update(delivered_at=timezone.now(), next_attempt_at=None)
    else:
        fields["failures_in_row"] += 1
        if fields["failures_in_row"] >= MAX_ATTEMPTS:
            to_status = DeliveryStatus.FAILED
            fields["next_attempt_at"] = None
        else:
            to_status = DeliveryStatus.PENDING
            fields["next_attempt_at"] = now + backoff_after(fields["failures_in_row"])
        logger.info("webhook delivery %s failed (%s %s)", delivery.pk, status_code, error)
    state_set(delivery, to_status, machine=DELIVERY_MACHINE, actor_kind=SYSTEM, **fields)
    return delivery


def webhook_deliveries_due(*, now: datetime, limit: int) -> list[int]:
    """IDs of deliveries whose next attempt is due (or whose claim lapsed)."""
    return list(
        WebhookDelivery.objects.filter(_due(now)).order_by("next_attempt_at").values_list("id", flat=True)[:limit]
    )


def _event_uuid(source_event_id: int | None, audience: str) -> uuid.UUID | None:
    """The partners' event id of an outbox event for one audience (the buyer
    and the shop owner can be one user, with one endpoint and two bodies)."""
    if source_event_id is None:
        return None
    return uuid.uuid5(uuid.NAMESPACE_URL, f"socialshop:event:{source_event_id}:{audience}")


# --- order events (orders/events.py) ------------------------------------------------


def _order_json(order, *, whole: bool) -> dict:
    """A small JSON of the order: its buyer gets its money too; a shop's
    owner or a supplier (who may read only part of it through the API) gets
    the ids, state and times, and reads the rest through the API."""
    data = {
        "id": order.pk,
        "number": order.number,
        "status": order.status,
        "created_at": order.created_at,
        "paid_at": order.paid_at,
        "completed_at": order.completed_at,
    }
    if whole:
        data.update(
            currency=order.currency,
            total_amount=str(fen_to_yuan(order.total_amount)),
            paid_amount=str(fen_to_yuan(order.paid_amount)),
            refunded_amount=str(fen_to_yuan(order.refunded_amount)),
        )
    return data


def order_event_publish(*, event_type: str, order_id: int, source_event_id: int | None = None, **ids) -> list[int]:
    """Publish an order event to the partners of everyone who may read the
    order through the API: the buyer (the whole small JSON), the owners of
    the shops it was bought in and the staff of the suppliers who ship it
    (ids, state and times). ``ids`` (``fulfilment_group_id``, ``refund_id``)
    go into ``data`` beside the order. ``source_event_id`` (the outbox
    event's) fixes the partners' event ids, so handling the same event again
    delivers nothing twice. Returns the delivery IDs."""
    found = order_event_data(order_id=order_id)
    if found is None:
        return []
    order, whole_readers, partial_readers = found
    extra = {name: value for name, value in ids.items() if value is not None}
    with transaction.atomic():
        delivered = webhook_event_publish(
            user_ids=whole_readers,
            event_type=event_type,
            data={"order": _order_json(order, whole=True), **extra},
            event_id=_event_uuid(source_event_id, "whole"),
        )
        if partial_readers:
            delivered += webhook_event_publish(
                user_ids=partial_readers,
                event_type=event_type,
                data={"order": _order_json(order, whole=False), **extra},
                event_id=_event_uuid(source_event_id, "partial"),
            )
    return delivered
