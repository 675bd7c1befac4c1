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


@shared_task(acks_late=True)
def idempotency_keys_purge_task() -> int:
    """Beat, every hour: forget the Idempotency-Keys older than 24 hours."""
    from .idempotency import idempotency_keys_purge

    return idempotency_keys_purge()


@shared_task(acks_late=True)
def events_consume_task(consumer: str) -> int:
    """The wake-up after an event commits: ``consumer`` handles what is due
    to it. Safe to run twice or at once (see events_consume)."""
    from .events import events_consume

    return events_consume(consumer=consumer)


@shared_task
def events_sweep_task() -> dict:
    """Beat, every 15 s: every consumer handles what a lost wake-up left."""
    from .events import events_sweep

    return events_sweep()


@shared_task
def events_prune_task() -> int:
    """Beat, daily: forget events every consumer handled, past retention."""
    from .events import events_prune

    return events_prune()
