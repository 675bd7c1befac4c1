"""The shared kernel's tables: the transactional outbox (docs/events.md):
what happened, written in the same transaction as the change, and which
consumer has handled it; and the idempotency keys clients send
(``socialshop.idempotency``)."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    """Something another part of the platform acts on (an order paid, a
    refund made …). Written by ``socialshop.events.event_emit`` inside the
    transaction of the change it records; never changed afterwards."""

    id = models.BigAutoField(_("ID"), primary_key=True)
    type = models.CharField(_("type"), max_length=64)
    aggregate_type = models.CharField(_("about"), max_length=32)  # "order", "withdrawal" …
    aggregate_id = models.BigIntegerField(_("about id"))
    payload = models.JSONField(_("payload"), default=dict)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            models.Index(fields=["type", "id"], name="event_type_id"),
            models.Index(fields=["aggregate_type", "aggregate_id"], name="event_aggregate"),
            models.Index(fields=["created_at"], name="event_created_at"),
        ]

    def __str__(self):
        return f"{self.type} #{self.pk} ({self.aggregate_type} {self.aggregate_id})"


class ReceiptStatus(models.TextChoices):
    PENDING = "pending", _("Being handled")
    RETRYING = "retrying", _("Failed, will retry")
    HANDLED = "handled", _("Handled")
    PARKED = "parked", _("Parked: needs an operator")


class EventReceipt(models.Model):
    """One consumer's handling of one event. ``handled`` commits in the same
    transaction as the consumer's effects, so an event is handled exactly
    once per consumer; failures count ``attempts`` and wait with backoff,
    then park."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="receipts", verbose_name=_("event"))
    consumer = models.CharField(_("consumer"), max_length=64)
    status = models.CharField(_("status"), max_length=16, choices=ReceiptStatus.choices, default=ReceiptStatus.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("event receipt")
        verbose_name_plural = _("event receipts")
        constraints = [
            models.UniqueConstraint(fields=["event", "consumer"], name="event_receipt_once_per_consumer"),
        ]
        indexes = [models.Index(fields=["consumer", "status"], name="event_receipt_consumer_status")]

    def __str__(self):
        return f"{self.consumer}: event {self.event_id} {self.status}"


class EventCursor(models.Model):
    """Where a consumer's search for work starts: every event of its types
    with a smaller id is handled or parked, and older than the safety
    margin (a transaction still open when a later event committed keeps
    its smaller id; the margin lets it commit before the cursor passes it).
    Only an optimisation: without it the consumer scans from the start."""

    consumer = models.CharField(_("consumer"), max_length=64, primary_key=True)
    handled_below = models.BigIntegerField(_("handled below"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("event cursor")
        verbose_name_plural = _("event cursors")

    def __str__(self):
        return f"{self.consumer}: handled below {self.handled_below}"


class IdempotencyKey(models.Model):
    """An ``Idempotency-Key`` a client sent with a request that creates
    something, and what it answered: the same key again (for this user) gets
    that answer and creates nothing (``socialshop.idempotency``). Kept
    ``RETENTION``."""

    RETENTION = timedelta(hours=24)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    request_digest = models.CharField(max_length=64)  # SHA-256 of the method, path and body
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.TextField(null=True)  # the JSON answered, as text: a replay sends the same bytes
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once")]

    def __str__(self):
        return self.key
