from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BargainConfig(AppConfig):
    """Bargaining (砍价): campaigns, bargains and friends' helps (docs/bargaining.md)."""

    name = "bargain"
    verbose_name = _("Bargaining")

    def ready(self):
        from . import consumers

        consumers.register()
