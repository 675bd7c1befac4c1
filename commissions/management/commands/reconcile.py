from django.core.management.base import BaseCommand

from commissions.reconciliation import reconcile


class Command(BaseCommand):
    help = "Prove the books: ledger balanced, cached balances true, commissions and withdrawals match the ledger."

    def handle(self, *args, **options):
        results = reconcile()
        for result in results:
            mark = self.style.SUCCESS("ok  ") if result.ok else self.style.ERROR("BREAK")
            self.stdout.write(f"{mark} {result.name}")
            for line in result.breaks[:50]:
                self.stdout.write(f"      {line}")
            if len(result.breaks) > 50:
                self.stdout.write(f"      … and {len(result.breaks) - 50} more")
        broken = sum(len(result.breaks) for result in results)
        if broken:
            self.stderr.write(self.style.ERROR(f"reconciliation found {broken} break(s)"))
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS("reconciliation passed"))
