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


# (from, to) → the kinds of actor that may make that move (the transition kernel's shape)
SHOP_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (ShopStatus.OPEN, ShopStatus.CLOSED): frozenset({ShopActor.OWNER}),
    (ShopStatus.CLOSED, ShopStatus.OPEN): frozenset({ShopActor.OWNER}),
    (ShopStatus.OPEN, ShopStatus.SUSPENDED): frozenset({ShopActor.OPERATOR}),
    (ShopStatus.CLOSED, ShopStatus.SUSPENDED): frozenset({ShopActor.OPERATOR}),
    (ShopStatus.SUSPENDED, ShopStatus.OPEN): frozenset({ShopActor.OPERATOR}),
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
