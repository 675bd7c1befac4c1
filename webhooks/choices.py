from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    ORDER_PAID = "order.paid", _("Order paid")
    ORDER_SHIPPED = "order.shipped", _("Order shipped")
    ORDER_COMPLETED = "order.completed", _("Order completed")
    ORDER_REFUNDED = "order.refunded", _("Order refunded")
    PING = "ping", _("Test event")


SUBSCRIBABLE_EVENTS = [event for event in EventType.values if event != EventType.PING]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SUCCEEDED = "succeeded", _("Delivered")
    FAILED = "failed", _("Gave up")
