"""Platform-wide tasks."""

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_CACHE_KEY = "celery:heartbeat"


@shared_task
def ping_task(value: str) -> str:
    """Answers with what it was given: proves the broker and a worker work."""
    return f"pong:{value}"


@shared_task
def heartbeat_task() -> str:
    """Run by beat every minute; /healthz reports when it last ran."""
    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_CACHE_KEY, now, timeout=None)
    return now
