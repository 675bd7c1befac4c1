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
    CHANGE_PHONE_OLD = "change_phone_old", _("Change number: the current number")
    CHANGE_PHONE_NEW = "change_phone_new", _("Change number: the new number")


class SecurityEventKind(models.TextChoices):
    """What happened to an account's security, kept for the person and for
    operators (``accounts.models.SecurityEvent``)."""

    PHONE_CHANGED = "phone_changed", _("Mobile number changed")
    SESSION_ENDED = "session_ended", _("A device logged out")
    OTHER_SESSIONS_ENDED = "other_sessions_ended", _("Other devices logged out")
    TOTP_ENROLLED = "totp_enrolled", _("Authenticator app added")
    RECOVERY_CODE_USED = "recovery_code_used", _("Recovery code used")


class WechatApp(models.TextChoices):
    """Which WeChat application authorised a log-in: the official account
    (公众号, inside WeChat's browser) or the open platform's website app
    (QR log-in on a desktop). Each has its own app id, so its own openid."""

    OFFICIAL_ACCOUNT = "mp", _("WeChat official account")
    WEBSITE = "open", _("WeChat QR log-in")
