from django.db import models
from django.utils.translation import gettext_lazy as _


class ResellerStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    ACTIVE = "active", _("Active")
    FROZEN = "frozen", _("Frozen")
