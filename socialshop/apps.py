from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocialshopConfig(AppConfig):
    """The project package as an app: platform-wide tasks, template tags and
    the ``seed_demo`` command that spans every domain."""

    name = "socialshop"
    verbose_name = _("Platform")
