"""The writers: notices become inbox messages and deliveries (in the event
consumer's transaction), deliveries are sent (one at a time, locked),
messages are marked read, preferences are chosen."""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from accounts.models import WechatIdentity
from distribution.selectors import bindings_outliving_between, distribution_settings_get
from socialshop.events import event_emit, task_wake_on_commit
from socialshop.states import SYSTEM, state_set

from . import wechat_messages
from .choices import DELIVERY_MACHINE, Channel, DeliveryStatus
from .events import BINDINGS_EXPIRING, SHIP_DIGEST
from .exceptions import PreferenceInvalid
from .kinds import KINDS
from .models import BindingExpiryNotice, Delivery, Message, Preference, ShipmentToDigest
from .quiet_hours import quiet_hours_end
from .selectors import preferences_for
from .senders import SendFailed, delivery_send, sms_template

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8  # then the delivery is failed (about half an hour of tries)
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(minutes=15)
SWEEP_BATCH = 200


@dataclass(frozen=True)
class Notice:
    """Something one person is to be told: who, which kind, the kind's parameters, where to look."""

    recipient_id: int
    kind: str
    params: dict = field(default_factory=dict)
    link: str = ""
    sms_to: str = ""  # another number than the person's (a changed number's old one)


def _render(kind: str, params: dict) -> tuple[str, str]:
    with translation.override("zh-hans"):
        spec = KINDS[kind]
        return str(spec.title) % params, str(spec.body) % params


def _addresses(user_ids: list[int]) -> dict[int, dict[str, str]]:
    """Per person: the mobile number, the official account's openid, the e-mail (two queries)."""
    users = get_user_model().objects.filter(pk__in=user_ids, is_active=True).values_list("pk", "phone", "email")
    found = {pk: {Channel.SMS: phone or "", Channel.EMAIL: email or ""} for pk, phone, email in users}
    if wechat_messages.enabled():
        identities = WechatIdentity.objects.filter(user_id__in=user_ids, app_id=settings.WECHAT_MP_APP_ID)
        for user_id, openid in identities.values_list("user_id", "openid"):
            if user_id in found:
                found[user_id][Channel.WECHAT] = openid
    return found


def notices_record(*, event_id: int, notices: list[Notice], now: datetime | None = None) -> tuple[int, int]:
    """Write, in the caller's transaction (the event consumer's), the inbox
    messages and the deliveries ``notices`` call for, each once per event,
    person, channel and kind (unique keys: a second run, or a second consumer
    racing, writes nothing more). Deliveries are sent after commit. Returns
    how many messages and deliveries the notices call for (rows already
    there are left as they are)."""
    now = now or timezone.now()
    addresses = _addresses(sorted({notice.recipient_id for notice in notices}))
    messages, deliveries = [], []
    by_kind: dict[str, list[Notice]] = {}
    for notice in notices:
        if notice.recipient_id in addresses:
            by_kind.setdefault(notice.kind, []).append(notice)
    for kind, kind_notices in by_kind.items():
        spec = KINDS[kind]
        chosen = preferences_for(user_ids=[notice.recipient_id for notice in kind_notices], kind=kind)
        for notice in kind_notices:
            title, body = _render(kind, notice.params)
            channels = chosen[notice.recipient_id]
            common = {"source_event_id": event_id, "recipient_id": notice.recipient_id, "kind": kind}
            if Channel.INBOX in channels:
                messages.append(Message(**common, title=title[:120], body=body[:500], link=notice.link))
            for channel in (Channel.SMS, Channel.WECHAT, Channel.EMAIL):
                address = addresses[notice.recipient_id].get(channel, "")
                if channel == Channel.SMS and notice.sms_to:
                    address = notice.sms_to
                if channel not in channels or not address:
                    continue
                if channel == Channel.SMS and not _sms_possible(kind):
                    continue
                not_before = quiet_hours_end(now) if channel == Channel.SMS and spec.marketing else None
                deliveries.append(
                    Delivery(
                        **common,
                        channel=channel,
                        address=address,
                        title=title[:120],
                        body=body[:500],
                        link=notice.link,
                        params={key: str(value) for key, value in notice.params.items()},
                        next_attempt_at=not_before,
                    )
                )
    Message.objects.bulk_create(messages, ignore_conflicts=True)
    Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
    if deliveries:
        from .tasks import deliveries_send_task

        task_wake_on_commit(deliveries_send_task, event_id)
    return len(messages), len(deliveries)


def _sms_possible(kind: str) -> bool:
    """The console sends anything; a real provider only an approved template."""
    provider_name = getattr(import_string(settings.SMS_PROVIDER), "name", "")
    return provider_name == "console" or bool((sms_template(kind) or {}).get("template_id"))


def backoff_after(attempts: int) -> timedelta:
    return min(BACKOFF_BASE * 2 ** (attempts - 1), BACKOFF_CAP)


def delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> str | None:
    """Send one pending delivery that is due, holding its row lock for the
    length of the call (``SKIP LOCKED``: a second worker skips it), and
    record the outcome in the same transaction: sent, or pending again
    with backoff, or failed after ``MAX_ATTEMPTS``. A worker killed during
    the call rolls back with its lock: the row is still pending and the
    sweep sends it (the window: docs/notifications.md). Returns the new
    status, or None when there was nothing to do."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING)
            .first()
        )
        if delivery is None or (delivery.next_attempt_at and delivery.next_attempt_at > now):
            return None
        attempts = delivery.attempts + 1
        try:
            reference = delivery_send(delivery)
        except SendFailed as error:
            failed = attempts >= MAX_ATTEMPTS
            state_set(
                delivery,
                DeliveryStatus.FAILED if failed else DeliveryStatus.PENDING,
                machine=DELIVERY_MACHINE,
                actor_kind=SYSTEM,
                attempts=attempts,
                last_error=str(error)[:300],
                next_attempt_at=None if failed else now + backoff_after(attempts),
            )
            logger.warning("notification delivery %s failed (attempt %s): %s", delivery.pk, attempts, error)
            return delivery.status
        state_set(
            delivery,
            DeliveryStatus.SENT,
            machine=DELIVERY_MACHINE,
            actor_kind=SYSTEM,
            attempts=attempts,
            provider_reference=reference[:100],
            sent_at=timezone.now(),
            next_attempt_at=None,
            last_error="",
        )
        return delivery.status


def deliveries_due(*, now: datetime, source_event_id: int | None = None, limit: int = SWEEP_BATCH) -> list[int]:
    rows = Delivery.objects.filter(status=DeliveryStatus.PENDING).exclude(next_attempt_at__gt=now)
    if source_event_id is not None:
        rows = rows.filter(source_event_id=source_event_id)
    return list(rows.order_by("pk").values_list("pk", flat=True)[:limit])


def deliveries_send(*, source_event_id: int | None = None, now: datetime | None = None) -> int:
    """Send every due delivery (of one event, or all: the sweep). Returns how many were sent."""
    now = now or timezone.now()
    sent = 0
    for delivery_id in deliveries_due(now=now, source_event_id=source_event_id):
        sent += delivery_attempt(delivery_id=delivery_id, now=now) == DeliveryStatus.SENT
    return sent


def inbox_mark_read(*, user, message_ids: list[int] | None = None) -> int:
    """Mark ``user``'s messages read (all of them with ``message_ids=None``);
    someone else's ids change nothing. Returns how many changed."""
    rows = Message.objects.filter(recipient_id=user.pk, read_at__isnull=True)
    if message_ids is not None:
        rows = rows.filter(pk__in=message_ids)
    return rows.update(read_at=timezone.now())


def preference_set(*, user, kind: str, channels: list[str], audiences: list[str]) -> set[str]:
    """``user`` chooses the channels of ``kind``. A kind not meant for the
    user, or a channel the kind does not offer, is refused (400); a locked
    kind keeps the inbox whatever is chosen. Returns the channels in effect."""
    spec = KINDS.get(kind)
    if spec is None or spec.audience not in audiences:
        raise PreferenceInvalid(fields={"kind": [PreferenceInvalid.default_message]})
    if not set(channels) <= set(spec.channels_allowed()):
        raise PreferenceInvalid(fields={"channels": [PreferenceInvalid.default_message]})
    chosen = sorted(set(channels) | ({Channel.INBOX} if spec.locked else set()))
    Preference.objects.update_or_create(user_id=user.pk, kind=kind, defaults={"channels": chosen})
    return set(chosen)


def ship_digests_emit() -> int:
    """Beat: for each supplier with paid parcels not told yet, one
    ``notifications.ship_digest`` event naming their orders, written in the
    transaction that marks them told (rows another run holds are skipped:
    two beats at once tell nobody twice). Returns how many digests."""
    digests = 0
    with transaction.atomic():
        rows = list(
            ShipmentToDigest.objects.select_for_update(skip_locked=True)
            .filter(digest_event_id__isnull=True)
            .order_by("supplier_id", "pk")
        )
        by_supplier: dict[int, list[ShipmentToDigest]] = {}
        for row in rows:
            by_supplier.setdefault(row.supplier_id, []).append(row)
        for supplier_id, supplier_rows in by_supplier.items():
            numbers = sorted({row.order_number for row in supplier_rows})
            event = event_emit(
                type=SHIP_DIGEST,
                aggregate_type="supplier",
                aggregate_id=supplier_id,
                payload={"supplier_id": supplier_id, "orders": numbers},
            )
            ShipmentToDigest.objects.filter(pk__in=[row.pk for row in supplier_rows]).update(digest_event_id=event.pk)
            digests += 1
    return digests


def bindings_expiring_emit(*, now: datetime | None = None) -> int:
    """Beat (daily): each reseller with bound customers whose binding ends
    within ``NOTIFICATIONS_BINDING_WARN_DAYS`` hears of them once, in one
    event (``notifications.bindings_expiring``); each binding is told once
    per touch (``BindingExpiryNotice``, unique), so two beats at once tell
    nobody twice. Returns how many resellers were told."""
    now = now or timezone.now()
    end = now + timedelta(days=settings.NOTIFICATIONS_BINDING_WARN_DAYS)
    with transaction.atomic():
        ending = list(bindings_outliving_between(start=now, end=end).values_list("pk", "reseller_id", "touched_at"))
        told = set(
            BindingExpiryNotice.objects.filter(binding_id__in=[row[0] for row in ending]).values_list(
                "binding_id", "touched_at"
            )
        )
        by_reseller: dict[int, list] = {}
        for binding_id, reseller_id, touched_at in ending:
            if (binding_id, touched_at) not in told:
                by_reseller.setdefault(reseller_id, []).append((binding_id, touched_at))
        lifetime = timedelta(days=distribution_settings_get().binding_lifetime_days or 0)
        for reseller_id, bindings in sorted(by_reseller.items()):
            until = max(touched_at for _, touched_at in bindings) + lifetime
            event = event_emit(
                type=BINDINGS_EXPIRING,
                aggregate_type="reseller",
                aggregate_id=reseller_id,
                payload={"reseller_id": reseller_id, "count": len(bindings), "until": until.isoformat()},
            )
            # a second beat racing this one fails here on the unique key and rolls its events back
            BindingExpiryNotice.objects.bulk_create(
                [
                    BindingExpiryNotice(binding_id=binding_id, touched_at=touched_at, event_id=event.pk)
                    for binding_id, touched_at in bindings
                ]
            )
    return len(by_reseller)
