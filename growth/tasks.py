from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .services import reminders_notify
from .stats import stats_recompute
from .visits import visits_drain, visits_prune


@shared_task
def visits_drain_task() -> int:
    """Beat, every 10 seconds: write the buffered visits in batches (safe in
    several workers at once, see ``visits_drain``)."""
    return visits_drain()


@shared_task
def stats_today_task() -> int:
    """Beat, every 15 minutes: today's roll-up, so the pages show today, and
    the ranking refreshed. In the first hour of a day yesterday's too: the
    dashboard reads closed days from the roll-ups, so yesterday's last
    quarter hour lands before the nightly run."""
    now = timezone.localtime()
    today = now.date()
    first = today - timedelta(days=1) if now.hour == 0 else today
    return stats_recompute(first=first, last=today)


@shared_task
def stats_nightly_task() -> int:
    """Beat, nightly: the two days before today again (late payments and
    commissions land), and visits past retention forgotten."""
    today = timezone.localdate()
    visits_prune(days=settings.GROWTH_VISITS_RETENTION_DAYS)
    return stats_recompute(first=today - timedelta(days=2), last=today - timedelta(days=1))


@shared_task
def reminders_notify_task() -> int:
    """Beat, every 15 minutes: a ``customer.reminder_due`` event for each
    reminder whose day has come (once each)."""
    return reminders_notify()
