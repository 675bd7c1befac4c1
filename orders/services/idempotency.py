"""``Idempotency-Key`` for requests that create something (placing an
order), as Stripe does it:

- the same key with the same request (method, path, body) answers what the
  first answered and creates nothing;
- the same key with a different request is refused (422);
- two requests with one key at the same moment: the second waits for the
  first (the unique index on ``(user, key)``: PostgreSQL makes a conflicting
  INSERT wait for the transaction that holds the key), then answers the
  first one's response.

Claiming the key, doing the work and recording the answer happen in one
transaction, so a request that fails leaves no key behind: a retry runs
again (Stripe does not keep errors raised before the work either). Keys are
kept 24 hours (``IdempotencyKey.RETENTION``), then purged.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.utils import timezone

from accounts.models import User

from ..exceptions import IdempotencyKeyReused
from ..models import IdempotencyKey, Order

MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class Replay:
    status: int
    body: dict


def request_digest(*, method: str, path: str, data) -> str:
    canonical = json.dumps([method.upper(), path, data], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def idempotency_claim(*, user: User, key: str, digest: str, now: datetime | None = None) -> int | Replay:
    """Inside the caller's transaction: take ``key`` for this request and
    return its row id (go on, then ``idempotency_record``), or the recorded
    answer of the earlier request with this key (``Replay``). Raises
    IdempotencyKeyReused when that request was a different one."""
    now = now or timezone.now()
    table = IdempotencyKey._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (user_id, key, request_digest, created_at) VALUES (%s, %s, %s, %s) "  # noqa: S608 - table name from the model
            "ON CONFLICT (user_id, key) DO NOTHING RETURNING id",
            [user.pk, key, digest, connection.ops.adapt_datetimefield_value(now)],
        )
        row = cursor.fetchone()
    if row is not None:
        return row[0]
    existing = IdempotencyKey.objects.get(user=user, key=key)
    if existing.created_at < now - IdempotencyKey.RETENTION:  # outlived, not purged yet: a new request
        existing.delete()
        return idempotency_claim(user=user, key=key, digest=digest, now=now)
    if existing.request_digest != digest:
        raise IdempotencyKeyReused(fields={"Idempotency-Key": [str(IdempotencyKeyReused.default_message)]})
    return Replay(status=existing.response_status, body=json.loads(existing.response_body))


def idempotency_record(*, key_id: int, status: int, body: dict, order: Order | None = None) -> None:
    """Keep the answer given under the key (as JSON text, so a replay has the
    same bytes in the same order)."""
    # plain SQL like the claim: building this UPDATE through the ORM cost more than running it
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {IdempotencyKey._meta.db_table} SET response_status = %s, response_body = %s, order_id = %s "  # noqa: S608 - table name from the model
            "WHERE id = %s",
            [status, json.dumps(body, ensure_ascii=False), order.pk if order is not None else None, key_id],
        )


def idempotency_keys_purge(*, now: datetime | None = None) -> int:
    """Forget keys older than the retention (set-based; safe to run twice)."""
    cutoff = (now or timezone.now()) - IdempotencyKey.RETENTION
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
