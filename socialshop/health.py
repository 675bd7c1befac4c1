"""``/healthz``: is this process able to serve? 200 when the database and the
Celery broker answer, 503 when either does not. Load balancers and the
compose file's health checks poll it, so it stays cheap and never raises."""

import logging

from django.core.cache import cache
from django.db import DatabaseError, connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from redis.exceptions import RedisError

from .celery import app as celery_app
from .tasks import HEARTBEAT_CACHE_KEY

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 2


def database_state() -> dict:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        logger.warning("health: database unavailable: %s", error)
        return {"ok": False, "error": error.__class__.__name__}
    return {"ok": True, "vendor": connections["default"].vendor}


def broker_state() -> dict:
    if celery_app.conf.task_always_eager:
        return {"ok": True, "mode": "in-process"}
    try:
        with celery_app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
            connection.default_channel.client.ping()  # a real round trip to the broker
    except Exception as error:  # noqa: BLE001 - kombu and redis raise many kinds; all mean "down"
        logger.warning("health: broker unavailable: %s", error)
        return {"ok": False, "mode": "broker", "error": error.__class__.__name__}
    return {"ok": True, "mode": "broker", "transport": celery_app.conf.broker_url.split(":", 1)[0]}


def beat_last_seen() -> str | None:
    try:
        return cache.get(HEARTBEAT_CACHE_KEY)
    except (RedisError, OSError) as error:  # the cache is Redis: down with the broker, reported there
        logger.warning("health: cache unavailable: %s", error)
        return None


@never_cache
@require_GET
def healthz(request):
    checks = {"database": database_state(), "broker": broker_state()}
    healthy = all(check["ok"] for check in checks.values())
    body = {
        "status": "ok" if healthy else "unavailable",
        "checks": checks,
        # informational: when beat last ran the heartbeat task (None before it first ran)
        "beat_last_seen": beat_last_seen(),
    }
    return JsonResponse(body, status=200 if healthy else 503)
