from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Telling people what happened: the platform's durable events become
    messages in the in-site inbox, by SMS, WeChat and e-mail
    (docs/notifications.md)."""

    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from . import consumers

        consumers.register()  # events → messages and deliveries
