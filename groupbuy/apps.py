from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupbuyConfig(AppConfig):
    """Group buying (拼团): campaigns, groups that fill or fail, their members
    (docs/group-buying.md)."""

    name = "groupbuy"
    verbose_name = _("Group buying")

    def ready(self):
        from . import consumers

        consumers.register()
