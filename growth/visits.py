"""The funnel's visit log: each referred view of a shop or product page
(``shops.visits`` hands it to ``visit_buffer_push``) costs the request one
``RPUSH`` to a Redis list; a beat task (``visits_drain``) writes them in
batches with ``COPY``.

Nothing is lost if a worker dies mid-batch: a batch is *claimed* by one Lua
script that pops up to ``batch_size`` items and pushes them onto the
batch's own list (registered, with the claim's time, in a sorted set) in
one step; the batch is written with its id (``VisitBatch``, primary key) in
one transaction, and only then is its list deleted. A list still there
after ``STALE_AFTER`` seconds belonged to a worker that died (or stalled):
the next drain takes it over and writes it under the same id, so whichever
of the two commits first wins and the other's insert fails on the key: a
visit is counted once. The window: visits of a dead worker's batch show
``STALE_AFTER`` seconds late. What Redis itself loses (a restart without
persistence) is lost: the Redis of production runs with AOF
(docs/growth.md).

Without Redis (``REDIS_URL`` empty: SQLite, local work) or when Redis does
not answer, the visit is written at once, one row.
"""

import io
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import redis
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from distribution.codes import invite_code_normalize
from distribution.models import Reseller
from distribution.referrals import referral_code_is_well_formed

from .choices import Channel
from .models import Visit, VisitBatch

logger = logging.getLogger(__name__)

BATCH_SIZE = 5_000
MAX_BATCHES_PER_RUN = 200
STALE_AFTER = 300  # seconds a claimed batch may stay unwritten before another drain takes it over
FIELDS = 6  # at, invite code, shop, product, channel, visitor key: tab-separated

_CHANNELS = {"poster": Channel.POSTER, "code": Channel.CODE}

# Pop up to ARGV[1] items from the queue onto the batch's list and register the batch with the claim's time,
# atomically: an item is in the queue or in exactly one batch, whatever the number of drains.
_CLAIM = """
local items = redis.call('LPOP', KEYS[1], ARGV[1])
if not items then return {} end
redis.call('RPUSH', KEYS[2], unpack(items))
redis.call('ZADD', KEYS[3], ARGV[2], KEYS[2])
return items
"""

_clients: dict[str, redis.Redis] = {}


def _client() -> redis.Redis | None:
    url = settings.REDIS_URL
    if not url:
        return None
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=1.0)
    return _clients[url]


def _key(name: str) -> str:
    # a deployment's (or test run's) own keys when several share one Redis
    return f"{settings.CELERY_KEY_PREFIX}growth:visits:{name}"


QUEUE_KEY = "queue"
BATCHES_KEY = "batches"


def _batch_key(batch_id: uuid.UUID) -> str:
    return _key(f"batch:{batch_id}")


def _item(*, at: datetime, invite_code: str, shop_id: int, product_id: int | None, channel: str, key: str) -> str:
    return "\t".join([f"{at.timestamp():.3f}", invite_code, str(shop_id), str(product_id or ""), channel, key])


def visit_buffer_push(
    *, shop_id: int, product_id: int | None, visitor_key: str, invite_code: str, channel: str = ""
) -> None:
    """Record one referred view (``shops.visits`` calls it on the page's
    request): one ``RPUSH``, or one row when there is no Redis. A code that is
    not one is dropped here; one no reseller holds is dropped by the drain."""
    code = invite_code_normalize(invite_code)
    if not referral_code_is_well_formed(code):
        return
    item = _item(
        at=timezone.now(),
        invite_code=code,
        shop_id=shop_id,
        product_id=product_id,
        channel=_CHANNELS.get(channel, Channel.LINK),
        key=visitor_key,
    )
    client = _client()
    if client is not None:
        try:
            client.rpush(_key(QUEUE_KEY), item)
            return
        except redis.RedisError as error:
            logger.warning("visit buffer unavailable, writing the visit at once: %s", error)
    visits_store(batch_id=uuid.uuid4(), items=[item])


@dataclass(frozen=True)
class _Row:
    at: datetime
    code: str
    shop_id: int
    product_id: int | None
    channel: str
    visitor_key: str


def _parse(raw: bytes | str) -> _Row | None:
    text = raw.decode() if isinstance(raw, bytes) else raw
    parts = text.split("\t")
    if len(parts) != FIELDS:
        return None
    at, code, shop_id, product_id, channel, key = parts
    try:
        return _Row(
            at=datetime.fromtimestamp(float(at), tz=UTC),
            code=code,
            shop_id=int(shop_id),
            product_id=int(product_id) if product_id else None,
            channel=channel if channel in Channel.values else Channel.LINK,
            visitor_key=key[:32],
        )
    except ValueError:
        return None


def visits_store(*, batch_id: uuid.UUID, items: list) -> int:
    """Write one batch of buffered items, with its id, in one transaction;
    returns how many visits were written (0 when this batch was already
    written: a batch is stored once). Items whose code no reseller holds are
    dropped."""
    rows = [row for row in map(_parse, items) if row is not None]
    codes = {row.code for row in rows}
    resellers = dict(Reseller.objects.filter(invite_code__in=codes).values_list("invite_code", "id")) if codes else {}
    visits = [
        (
            row.at,
            timezone.localdate(row.at),
            resellers[row.code],
            row.shop_id,
            row.product_id,
            row.channel,
            row.visitor_key,
            batch_id,
        )
        for row in rows
        if row.code in resellers
    ]
    try:
        with transaction.atomic():
            VisitBatch.objects.create(id=batch_id, size=len(visits))
            _insert(visits)
    except IntegrityError:
        if VisitBatch.objects.filter(pk=batch_id).exists():
            return 0  # the worker that claimed it wrote it after all
        raise
    return len(visits)


_COPY_COLUMNS = ("at", "day", "reseller_id", "shop_id", "product_id", "channel", "visitor_key", "batch")


def _insert(visits: list[tuple]) -> None:
    """Write the rows (``_COPY_COLUMNS`` order): COPY on PostgreSQL, without
    building a model instance per row."""
    if not visits:
        return
    if connection.vendor != "postgresql":
        Visit.objects.bulk_create([Visit(**dict(zip(_COPY_COLUMNS, visit, strict=True))) for visit in visits])
        return
    buffer = io.StringIO()
    for at, day, reseller_id, shop_id, product_id, channel, key, batch in visits:
        product = "\\N" if product_id is None else product_id
        buffer.write(
            f"{at.isoformat()}\t{day.isoformat()}\t{reseller_id}\t{shop_id}\t{product}\t{channel}\t{key}\t{batch}\n"
        )
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {Visit._meta.db_table} ({', '.join(_COPY_COLUMNS)}) FROM STDIN", buffer)


def visits_claim(*, batch_size: int = BATCH_SIZE, now: float | None = None) -> tuple[uuid.UUID, list[bytes]]:
    """Take up to ``batch_size`` buffered visits as one batch (atomic: each
    item goes to exactly one batch); the batch stays in Redis until
    ``visits_release``."""
    client = _client()
    batch_id = uuid.uuid4()
    items = client.eval(
        _CLAIM, 3, _key(QUEUE_KEY), _batch_key(batch_id), _key(BATCHES_KEY), batch_size, now or time.time()
    )
    return batch_id, items


def visits_release(*, batch_id: uuid.UUID) -> None:
    """Forget a batch once it is written."""
    client = _client()
    pipe = client.pipeline()
    pipe.delete(_batch_key(batch_id))
    pipe.zrem(_key(BATCHES_KEY), _batch_key(batch_id))
    pipe.execute()


def _stale_batches_recover(client: redis.Redis, now: float) -> int:
    """Write the batches claimed more than ``STALE_AFTER`` seconds ago and
    still there (their worker died or stalled). A batch is taken over by the
    one drain whose ``ZREM`` removes it."""
    written = 0
    prefix = _key("batch:")
    for raw_key in client.zrangebyscore(_key(BATCHES_KEY), "-inf", now - STALE_AFTER):
        key = raw_key.decode()
        if not client.zrem(_key(BATCHES_KEY), key):
            continue  # another drain took it
        batch_id = uuid.UUID(key.removeprefix(prefix))
        items = client.lrange(key, 0, -1)
        written += visits_store(batch_id=batch_id, items=items)
        client.delete(key)
        logger.warning("visit batch %s recovered from a drain that did not finish (%d items)", batch_id, len(items))
    return written


def visits_drain(
    *, batch_size: int = BATCH_SIZE, max_batches: int = MAX_BATCHES_PER_RUN, now: float | None = None
) -> int:
    """Write buffered visits, batch by batch, after recovering the batches of
    drains that died; returns how many visits were written. Safe to run in
    several workers at once."""
    client = _client()
    if client is None:
        return 0
    now = now or time.time()
    written = _stale_batches_recover(client, now)
    for _ in range(max_batches):
        batch_id, items = visits_claim(batch_size=batch_size, now=now)
        if not items:
            break
        written += visits_store(batch_id=batch_id, items=items)
        visits_release(batch_id=batch_id)
        if len(items) < batch_size:
            break
    return written


def visits_buffered() -> int:
    """How many visits wait in the buffer (not yet claimed)."""
    client = _client()
    return client.llen(_key(QUEUE_KEY)) if client is not None else 0


def visits_prune(*, days: int) -> int:
    """Forget visits older than ``days`` (the roll-ups keep their figures)."""
    cutoff = timezone.localdate() - timedelta(days=days)
    deleted, _ = Visit.objects.filter(day__lt=cutoff).delete()
    return deleted
