from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocialshopConfig(AppConfig):
    """The project package as an app: the shared kernel's tables (the
    outbox, idempotency keys), platform-wide tasks, template tags and the
    ``events`` command."""

    name = "socialshop"
    verbose_name = _("Platform")
