from django.db import models
from django.utils.translation import gettext_lazy as _


class ResellerStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    ACTIVE = "active", _("Active")
    FROZEN = "frozen", _("Frozen")


class ResellerEventKind(models.TextChoices):
    """What the audit trail of a reseller records."""

    CREATED_ROOT = "created_root", _("Created as a root reseller")
    JOINED = "joined", _("Joined with an invite code")
    APPROVED = "approved", _("Approved")
    MOVED = "moved", _("Moved to another inviter")
    FROZEN = "frozen", _("Frozen")
    UNFROZEN = "unfrozen", _("Unfrozen")


class BindingRule(models.TextChoices):
    """Which touch wins when a bound customer arrives through another
    reseller's link (锁粉规则)."""

    FIRST_TOUCH = "first_touch", _("First touch: the binding holds until its lifetime ends")
    LAST_TOUCH = "last_touch", _("Last touch: every new link rebinds")


class BindingAfterLifetime(models.TextChoices):
    """What a binding older than its lifetime does."""

    REPLACEABLE = "replaceable", _("Still counts, until another reseller's link replaces it")
    ENDS = "ends", _("Ends: the customer is bound to nobody until the next link")


class BindingSource(models.TextChoices):
    LINK = "link", _("Shared link or QR code")
    INVITE_CODE = "invite_code", _("Invite code")
