from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FlashConfig(AppConfig):
    """Flash sales (秒杀): campaigns in time slots, the Redis admission gate,
    flash orders through the normal placing service (docs/flash-sales.md)."""

    name = "flash"
    verbose_name = _("Flash sales")

    def ready(self):
        from .request_log import request_log_filter_install

        request_log_filter_install()
