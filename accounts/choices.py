from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a user is on the platform. Anyone may buy; a reseller also sells,
    supplier staff act for one supplier, operators run the platform (and are
    the only staff of the Django admin)."""

    CUSTOMER = "customer", _("Customer")
    RESELLER = "reseller", _("Reseller")
    SUPPLIER_STAFF = "supplier_staff", _("Supplier staff")
    OPERATOR = "operator", _("Operator")
