"""Channels, delivery states and their transition table (the kernel's)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from socialshop.states import SYSTEM, StateMachine


class Channel(models.TextChoices):
    INBOX = "inbox", _("In-site inbox")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat message")
    EMAIL = "email", _("E-mail")


class Audience(models.TextChoices):
    BUYER = "buyer", _("Buyers")
    RESELLER = "reseller", _("Resellers")
    SUPPLIER = "supplier", _("Suppliers")
    OPERATOR = "operator", _("Operators")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


# pending → pending is a failed attempt that will be tried again (attempts and the next try change)
DELIVERY_MACHINE = StateMachine(
    transitions={
        (DeliveryStatus.PENDING, DeliveryStatus.SENT): frozenset({SYSTEM}),
        (DeliveryStatus.PENDING, DeliveryStatus.PENDING): frozenset({SYSTEM}),
        (DeliveryStatus.PENDING, DeliveryStatus.FAILED): frozenset({SYSTEM}),
    }
)
