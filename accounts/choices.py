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


class SmsPurpose(models.TextChoices):
    """What an SMS code was sent for: a code sent to log in cannot bind a
    phone to another account, and the other way round."""

    LOG_IN = "log_in", _("Log in or sign up")
    BIND_PHONE = "bind_phone", _("Add a mobile number")


class WechatApp(models.TextChoices):
    """Which WeChat application authorised a log-in: the official account
    (公众号, inside WeChat's browser) or the open platform's website app
    (QR log-in on a desktop). Each has its own app id, so its own openid."""

    OFFICIAL_ACCOUNT = "mp", _("WeChat official account")
    WEBSITE = "open", _("WeChat QR log-in")
