from django.core.management.base import BaseCommand

from demo.world import demo_world_build


class Command(BaseCommand):
    help = "Build the demo world (operator, suppliers, products, resellers with shops, customers). Safe to run again."

    def handle(self, *args, **options):
        summary = demo_world_build()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {len(summary.shops)} shops."))
        self.stdout.write("Demo log-ins (mobile number / password):")
        for who, phone, password in summary.logins:
            self.stdout.write(f"  {phone} / {password}   {who}")
