from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo world (``seed_demo``): built through every domain's services,
    so it sits above them all and nothing imports it."""

    name = "demo"
    verbose_name = _("Demo data")
