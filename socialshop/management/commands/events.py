"""Operators' tools for the outbox (docs/events.md): status, retry, replay."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from socialshop.events import event_consumers, event_consumers_lag, event_receipts_retry, events_replay
from socialshop.models import EventReceipt, ReceiptStatus


class Command(BaseCommand):
    help = "The event outbox: what waits per consumer, retry parked events, replay a consumer from a time."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("status", help="waiting, parked and the oldest waiting event per consumer")
        retry = sub.add_parser("retry", help="hand parked events to their consumers again")
        retry.add_argument("consumer", nargs="?", help="only this consumer's")
        replay = sub.add_parser("replay", help="hand a consumer every event since a time again")
        replay.add_argument("consumer")
        replay.add_argument("--since", required=True, help="ISO time, e.g. 2026-12-01T00:00+08:00")

    def handle(self, *args, action, **options):
        if action == "status":
            now = timezone.now()
            for lag in event_consumers_lag(now=now):
                self.stdout.write(
                    f"{lag.consumer}: {lag.waiting} waiting, {lag.parked} parked, "
                    f"oldest waiting {lag.lag(now).total_seconds():.0f} s"
                )
            return
        consumer = options.get("consumer")
        if consumer and consumer not in event_consumers():
            raise CommandError(f"no consumer {consumer!r}; there are: {', '.join(sorted(event_consumers()))}")
        if action == "retry":
            parked = EventReceipt.objects.filter(status=ReceiptStatus.PARKED)
            if consumer:
                parked = parked.filter(consumer=consumer)
            moved = event_receipts_retry(receipt_ids=list(parked.values_list("pk", flat=True)))
            self.stdout.write(f"{moved} parked events handed back to their consumers")
            return
        since = parse_datetime(options["since"])
        if since is None or timezone.is_naive(since):
            raise CommandError("--since needs an ISO time with its offset, e.g. 2026-12-01T00:00+08:00")
        reopened = events_replay(consumer=consumer, since=since)
        self.stdout.write(f"{consumer}: {reopened} events since {since.isoformat()} will be handled again")
