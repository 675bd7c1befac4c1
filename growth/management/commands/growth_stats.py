from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from growth.stats import stats_recompute
from growth.visits import visits_drain


class Command(BaseCommand):
    help = "Recompute the daily roll-ups (funnel figures) of a range of Beijing days from the raw records."

    def add_arguments(self, parser):
        parser.add_argument("--since", type=date.fromisoformat, help="first day (YYYY-MM-DD); default yesterday")
        parser.add_argument("--until", type=date.fromisoformat, help="last day (YYYY-MM-DD); default today")
        parser.add_argument("--drain", action="store_true", help="write the buffered visits first")

    def handle(self, *args, since=None, until=None, drain=False, **options):
        today = timezone.localdate()
        until = until or today
        since = since or today - timedelta(days=1)
        if since > until:
            raise CommandError("--since comes after --until")
        if drain:
            self.stdout.write(f"visits written from the buffer: {visits_drain()}")
        rows = stats_recompute(first=since, last=until)
        self.stdout.write(self.style.SUCCESS(f"{since} – {until}: {rows} roll-up rows"))
