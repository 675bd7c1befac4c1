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


OPERATOR = "operator"  # the only kind of actor that changes a reseller's status

# (from, to) → the kinds of actor that may make that move (the transition kernel's shape)
RESELLER_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (ResellerStatus.PENDING, ResellerStatus.ACTIVE): frozenset({OPERATOR}),
    (ResellerStatus.PENDING, ResellerStatus.FROZEN): frozenset({OPERATOR}),
    (ResellerStatus.ACTIVE, ResellerStatus.FROZEN): frozenset({OPERATOR}),
    (ResellerStatus.FROZEN, ResellerStatus.ACTIVE): frozenset({OPERATOR}),
}

# what each move is (its ResellerEvent's kind): approving and unfreezing both end active, so an
# approval of a frozen reseller or an unfreezing of a pending one is refused, not made as the other
RESELLER_MOVE_KINDS: dict[tuple[str, str], str] = {
    (ResellerStatus.PENDING, ResellerStatus.ACTIVE): ResellerEventKind.APPROVED,
    (ResellerStatus.PENDING, ResellerStatus.FROZEN): ResellerEventKind.FROZEN,
    (ResellerStatus.ACTIVE, ResellerStatus.FROZEN): ResellerEventKind.FROZEN,
    (ResellerStatus.FROZEN, ResellerStatus.ACTIVE): ResellerEventKind.UNFROZEN,
}


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
    POSTER = "poster", _("Poster QR code")  # the link in a share poster's QR code (``?ch=poster``)
