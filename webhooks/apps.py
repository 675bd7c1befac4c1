from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    """Partners' webhooks: REST clients register URLs and receive signed order
    events, delivered by Celery with retries (docs/webhooks.md)."""

    name = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self):
        from . import consumers

        consumers.register()  # order events → partners' webhooks
