from django.db import models
from django.utils.translation import gettext_lazy as _

from socialshop.states import SYSTEM


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


OWNER = "owner"  # the endpoint's owner, who replays a delivery (the other kind is the kernel's SYSTEM: workers)

# (from, to) → the kinds of actor that may make that move (the transition kernel's shape)
DELIVERY_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (DeliveryStatus.PENDING, DeliveryStatus.SENDING): frozenset({SYSTEM}),  # claimed for an attempt
    (DeliveryStatus.SENDING, DeliveryStatus.SENDING): frozenset({SYSTEM}),  # a dead worker's lapsed claim
    (DeliveryStatus.SENDING, DeliveryStatus.SUCCEEDED): frozenset({SYSTEM}),
    (DeliveryStatus.SENDING, DeliveryStatus.PENDING): frozenset({SYSTEM, OWNER}),  # to retry; OWNER: lease lapsed
    (DeliveryStatus.SENDING, DeliveryStatus.FAILED): frozenset({SYSTEM}),  # MAX_ATTEMPTS failures in a row
    # a replay: the same event again, with a fresh series of retries
    (DeliveryStatus.PENDING, DeliveryStatus.PENDING): frozenset({OWNER}),
    (DeliveryStatus.SUCCEEDED, DeliveryStatus.PENDING): frozenset({OWNER}),
    (DeliveryStatus.FAILED, DeliveryStatus.PENDING): frozenset({OWNER}),
}
