"""The ``Idempotency-Key`` request header, as Stripe uses it: one contract
for every endpoint that creates something (placing an order, asking for a
withdrawal); docs/api.md states it for clients.

- A key is 1 to 64 ASCII letters, digits and ``_-:.`` (a UUID fits),
  chosen by the client and scoped to the user who sends it.
- The same key with the same request (method, path and validated body)
  answers what the first answered, byte for byte, and does nothing again.
- The same key with a different request (another body, another endpoint)
  is refused: 422 ``idempotency_key_reused``.
- Two requests with one key at the same moment: the second waits on the
  unique index (PostgreSQL makes a conflicting INSERT wait for the
  transaction that holds the key), then answers the first one's answer.

The service that does the work claims the key, does it and records the
answer in **its own transaction** (``idempotent``), so a request that fails
keeps no key and its retry runs again. Keys are kept
``IdempotencyKey.RETENTION`` (24 hours), then purged.

The API's side (the header, its OpenAPI parameter, the view mixin) is
``socialshop.api.idempotency``.
"""

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Generic, TypeVar

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .errors import DomainError
from .models import IdempotencyKey

HEADER = "Idempotency-Key"
KEY_MAX_LENGTH = 64
KEY_PATTERN = re.compile(rf"[A-Za-z0-9_\-:.]{{1,{KEY_MAX_LENGTH}}}")  # the whole key: KEY_PATTERN.fullmatch

T = TypeVar("T")


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    http_status = 422
    default_message = _("This Idempotency-Key was used with a different request.")


def idempotency_key_valid(key: str) -> bool:
    return KEY_PATTERN.fullmatch(key) is not None


def request_digest(*, method: str, path: str, data) -> str:
    """What a request asks, as one SHA-256: its method, path and validated
    body (keys sorted, so the order a client wrote them in does not count)."""
    canonical = json.dumps([method.upper(), path, data], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Idempotency(Generic[T]):
    """What an endpoint that takes a key asks of the service it calls: the
    user, the key (None when the request came without one), the request's
    digest, and how to turn what the service made into the answer kept
    under the key (``answer``, with ``status``)."""

    user_id: int
    key: str | None
    digest: str
    answer: Callable[[T], dict]
    status: int = 201


@dataclass(frozen=True)
class Answer:
    """What a request answers: made now, or ``replayed`` from its key."""

    status: int
    body: dict
    replayed: bool = False


def idempotent(idempotency: Idempotency[T], make: Callable[[], T]) -> Answer:
    """Inside the caller's transaction: claim the key, ``make()``, keep the
    answer under the key; or, when the key answered before, that answer
    (``replayed``) without calling ``make``. Raises IdempotencyKeyReused when
    the key was used for a different request. Without a key, just
    ``make()`` and answer."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("idempotent() runs in the caller's transaction")
    if idempotency.key is None:
        return Answer(idempotency.status, idempotency.answer(make()))
    claimed = idempotency_claim(user_id=idempotency.user_id, key=idempotency.key, digest=idempotency.digest)
    if isinstance(claimed, Answer):
        return claimed
    body = idempotency.answer(make())
    idempotency_record(key_id=claimed, status=idempotency.status, body=body)
    return Answer(idempotency.status, body)


@cache
def _statements() -> tuple[str, str]:
    """The claim and the record, written once: both run for every keyed
    order, and building them through the ORM cost more than running them."""
    table = connection.ops.quote_name(IdempotencyKey._meta.db_table)
    claim = (
        f"INSERT INTO {table} (user_id, key, request_digest, created_at) VALUES (%s, %s, %s, %s) "  # noqa: S608 - table name from the model
        "ON CONFLICT (user_id, key) DO NOTHING RETURNING id"
    )
    record = f"UPDATE {table} SET response_status = %s, response_body = %s WHERE id = %s"  # noqa: S608 - as above
    return claim, record


def idempotency_claim(*, user_id: int, key: str, digest: str, now: datetime | None = None) -> int | Answer:
    """Inside the caller's transaction: take ``key`` for this request and
    return its row id (go on, then ``idempotency_record``), or the answer
    recorded by the earlier request with this key (``replayed``). Raises
    IdempotencyKeyReused when that request was a different one."""
    now = now or timezone.now()
    claim, _record = _statements()
    with connection.cursor() as cursor:
        cursor.execute(claim, [user_id, key, digest, connection.ops.adapt_datetimefield_value(now)])
        row = cursor.fetchone()
    if row is not None:
        return row[0]
    existing = IdempotencyKey.objects.get(user_id=user_id, key=key)
    if existing.created_at < now - IdempotencyKey.RETENTION:  # outlived, not purged yet: a new request
        existing.delete()
        return idempotency_claim(user_id=user_id, key=key, digest=digest, now=now)
    if existing.request_digest != digest:
        raise IdempotencyKeyReused(fields={HEADER: [str(IdempotencyKeyReused.default_message)]})
    return Answer(existing.response_status, json.loads(existing.response_body), replayed=True)


def idempotency_record(*, key_id: int, status: int, body: dict) -> None:
    """Keep the answer given under the key (as JSON text, so a replay has the
    same keys in the same order, hence the same bytes)."""
    _claim, record = _statements()
    with connection.cursor() as cursor:
        cursor.execute(record, [status, json.dumps(body, ensure_ascii=False), key_id])


def idempotency_keys_purge(*, now: datetime | None = None) -> int:
    """Forget keys older than the retention (set-based; safe to run twice)."""
    cutoff = (now or timezone.now()) - IdempotencyKey.RETENTION
    deleted, _by_model = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
