from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """How a visitor came: the shared link, the QR code on a poster, or an
    invite code typed in (binding's own source)."""

    LINK = "link", _("Shared link")
    POSTER = "poster", _("Poster QR code")
    CODE = "code", _("Invite code")


class CustomerFilter(models.TextChoices):
    ALL = "", _("All")
    NEW = "new", _("New this week")
    EXPIRING = "expiring", _("Binding expiring")
    LAPSED = "lapsed", _("Lapsed buyers")
    TOP = "top", _("Top spenders")


class TotalKind(models.TextChoices):
    RESELLER = "reseller", _("Reseller")
    PRODUCT = "product", _("Product")
    SUPPLIER = "supplier", _("Supplier")


class RankMeasure(models.TextChoices):
    SALES = "sales_amount", _("Sales")
    NEW_BINDINGS = "new_bindings", _("New customers")
    ACTIVITY = "activity", _("Activity")  # visits + new customers + orders: who counts as active (the dashboard)
