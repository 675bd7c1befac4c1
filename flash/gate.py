"""The admission gate in Redis: one Lua script answers each 立即抢购 tap
atomically (Redis runs a script alone), before any PostgreSQL write.

Per flash item, three keys (under ``FLASH_KEY_PREFIX``):

- ``item:<id>`` a hash: ``left`` (units still to be had), ``limit`` (per
  person), ``opens`` / ``closes`` (the slot, epoch ms), ``ready`` (1 once the
  slot's stock was taken in PostgreSQL);
- ``item:<id>:buyers`` a hash: buyer id → units that buyer holds;
- ``item:<id>:held`` a set: the tokens of the admissions holding a unit, so
  a release is counted once however often it is sent.

PostgreSQL stays the truth: ``gate_rebuild`` writes the three keys from the
counts ``flash.services`` keeps there (one MULTI, so nobody sees half of
it); a Redis that lost them (restart, FLUSHDB) answers ``rebuild`` and the
caller rebuilds. The gate only filters: whoever it admits is then written
to PostgreSQL by a conditional UPDATE that can still refuse.
"""

from dataclasses import dataclass
from functools import cache

import redis
from django.conf import settings

ADMITTED = "admitted"
SOLD_OUT = "sold_out"
LIMIT_REACHED = "limit_reached"
NOT_STARTED = "not_started"
ENDED = "ended"
REBUILD = "rebuild"  # the gate has no keys for the item, or its slot opened and PostgreSQL has not taken the stock

_ADMIT = """
-- KEYS: item hash, buyers hash, held set; ARGV: buyer id, token, now (epoch ms)
local item = redis.call('HMGET', KEYS[1], 'left', 'limit', 'opens', 'closes', 'ready')
if not item[1] then return 'rebuild' end
local now = tonumber(ARGV[3])
if now < tonumber(item[3]) then return 'not_started' end
if now >= tonumber(item[4]) then return 'ended' end
if item[5] ~= '1' then return 'rebuild' end
local mine = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if mine >= tonumber(item[2]) then return 'limit_reached' end
if tonumber(item[1]) <= 0 then return 'sold_out' end
redis.call('HINCRBY', KEYS[1], 'left', -1)
redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
redis.call('SADD', KEYS[3], ARGV[2])
return 'admitted'
"""

_RELEASE = """
-- KEYS: item hash, buyers hash, held set; ARGV: buyer id, token. Counted once per token.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('SREM', KEYS[3], ARGV[2]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[1], 'left', 1)
if tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0') > 0 then
  redis.call('HINCRBY', KEYS[2], ARGV[1], -1)
end
return 1
"""


@cache
def _client() -> redis.Redis:
    if not settings.FLASH_REDIS_URL:
        raise redis.exceptions.ConnectionError("FLASH_REDIS_URL (or REDIS_URL) is not set")
    return redis.Redis.from_url(settings.FLASH_REDIS_URL, socket_timeout=2, socket_connect_timeout=2)


@cache
def _scripts():
    client = _client()
    return client.register_script(_ADMIT), client.register_script(_RELEASE)


def _keys(item_id: int) -> list[str]:
    base = f"{settings.FLASH_KEY_PREFIX}item:{item_id}"
    return [base, f"{base}:buyers", f"{base}:held"]


def gate_admit(*, item_id: int, buyer_id: int, token: str, now_ms: int) -> str:
    """One tap: ADMITTED (a unit is held under ``token``), SOLD_OUT,
    LIMIT_REACHED, NOT_STARTED, ENDED, or REBUILD (rebuild, then ask again)."""
    admit, _release = _scripts()
    return admit(keys=_keys(item_id), args=[buyer_id, token, now_ms]).decode()


def gate_release(*, item_id: int, buyer_id: int, token: str) -> bool:
    """Give the unit ``token`` holds back to the gate (once; False when it
    held none, or the gate is gone and will be rebuilt from PostgreSQL)."""
    _admit, release = _scripts()
    return bool(release(keys=_keys(item_id), args=[buyer_id, token]))


@dataclass(frozen=True)
class GateState:
    """What the gate holds for an item, as PostgreSQL counts it."""

    left: int
    limit: int
    opens_ms: int
    closes_ms: int
    ready: bool
    buyers: dict[int, int]  # buyer id → units held
    tokens: list[str]  # the admissions holding them


def gate_rebuild(*, item_id: int, state: GateState, ttl_seconds: int) -> None:
    """Replace the item's keys with ``state`` in one MULTI/EXEC."""
    item, buyers, held = _keys(item_id)
    pipe = _client().pipeline(transaction=True)
    pipe.delete(item, buyers, held)
    pipe.hset(
        item,
        mapping={
            "left": state.left,
            "limit": state.limit,
            "opens": state.opens_ms,
            "closes": state.closes_ms,
            "ready": 1 if state.ready else 0,
        },
    )
    if state.buyers:
        pipe.hset(buyers, mapping={str(buyer): count for buyer, count in state.buyers.items()})
    if state.tokens:
        pipe.sadd(held, *state.tokens)
    for key in (item, buyers, held):
        pipe.expire(key, max(ttl_seconds, 60))
    pipe.execute()


def gate_read(*, item_id: int) -> dict | None:
    """The item's gate as Redis holds it now (None when it has no keys): for
    tests, the admin and ``reconcile``-style checks."""
    client = _client()
    item, buyers, held = _keys(item_id)
    fields = client.hgetall(item)
    if not fields:
        return None
    return {
        "left": int(fields[b"left"]),
        "ready": fields.get(b"ready") == b"1",
        "buyers": {int(key): int(value) for key, value in client.hgetall(buyers).items()},
        "tokens": sorted(token.decode() for token in client.smembers(held)),
    }


def gate_lock(*, item_id: int, seconds: int = 10) -> bool:
    """Whether this caller may rebuild the item's gate now (one at a time)."""
    return bool(_client().set(f"{_keys(item_id)[0]}:rebuilding", 1, nx=True, ex=seconds))


def gate_unlock(*, item_id: int) -> None:
    _client().delete(f"{_keys(item_id)[0]}:rebuilding")
