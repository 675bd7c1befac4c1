from django.db import models
from django.utils.translation import gettext_lazy as _


class ShopStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed by its owner")
    SUSPENDED = "suspended", _("Suspended by the platform")


class ShopStatusReason(models.TextChoices):
    """Reasons the admin's actions write (the value is stored, the label is read)."""

    SUSPENDED = "suspended by an operator", _("Suspended by an operator")
    SUSPENSION_LIFTED = "suspension lifted by an operator", _("Suspension lifted by an operator")


class ShopActor(models.TextChoices):
    """Who may move a shop: its owner opens and closes it; only operators
    suspend it or lift a suspension."""

    OWNER = "owner", _("Owner")
    OPERATOR = "operator", _("Operator")


# (from, to) → who may make that move
SHOP_TRANSITIONS: dict[tuple[str, str], str] = {
    (ShopStatus.OPEN, ShopStatus.CLOSED): ShopActor.OWNER,
    (ShopStatus.CLOSED, ShopStatus.OPEN): ShopActor.OWNER,
    (ShopStatus.OPEN, ShopStatus.SUSPENDED): ShopActor.OPERATOR,
    (ShopStatus.CLOSED, ShopStatus.SUSPENDED): ShopActor.OPERATOR,
    (ShopStatus.SUSPENDED, ShopStatus.OPEN): ShopActor.OPERATOR,
}

# Addresses a shop may not take: they read like the platform's own pages.
RESERVED_SLUGS = frozenset(
    {
        "admin",
        "api",
        "mine",
        "my-shop",
        "new",
        "static",
        "media",
        "s",
        "shop",
        "shops",
        "supplier",
        "accounts",
        "help",
        "about",
        "official",
        "platform",
        "support",
        "www",
    }
)
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{2,39}$"
