from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.services import api_token_create


class Command(BaseCommand):
    help = "Create an API token for a user (e.g. a partner system's account) and print it once."

    def add_arguments(self, parser):
        parser.add_argument("phone", help="the user's mobile number")
        parser.add_argument("--name", default="created from the command line")

    def handle(self, *args, phone, name, **options):
        user = User.objects.filter(phone=phone).first()
        if user is None:
            raise CommandError(f"no user with mobile number {phone}")
        _row, token = api_token_create(user=user, name=name)
        self.stdout.write(token)
