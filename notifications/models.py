"""The inbox (站内信), what each person chose, and one delivery row per
event, person, channel and kind (the exactly-once key)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import Channel, DeliveryStatus


class Message(models.Model):
    """One message in a person's inbox. ``source_event_id`` is the outbox
    event it came from (a plain id: events are pruned after retention, the
    inbox keeps its messages)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=30)
    source_event_id = models.BigIntegerField(_("event"))
    title = models.CharField(_("title"), max_length=120)
    body = models.CharField(_("text"), max_length=500)
    link = models.CharField(_("link"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbox message")
        verbose_name_plural = _("inbox messages")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source_event_id", "recipient", "kind"], name="message_once_per_event")
        ]
        indexes = [
            # the unread badge: one index-only count per page
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="message_unread"),
            models.Index(fields=["recipient", "-created_at", "-id"], name="message_inbox"),
        ]

    def __str__(self):
        return self.title


class Delivery(models.Model):
    """One message to send through one outside channel (SMS, WeChat,
    e-mail): ``pending → sent | failed``, through the kernel. The unique key
    is what makes it once per event, person, channel and kind, however many
    consumers race; ``address`` is the number, openid or e-mail it goes to,
    read when it was made."""

    source_event_id = models.BigIntegerField(_("event"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("recipient")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=30)
    address = models.CharField(_("sent to"), max_length=254)
    title = models.CharField(_("title"), max_length=120)
    body = models.CharField(_("text"), max_length=500)
    link = models.CharField(_("link"), max_length=200, blank=True)
    params = models.JSONField(_("parameters"), default=dict)  # the kind's named values (SMS templates take them)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # not before: a retry's backoff, or the end of SMS quiet hours
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    provider_reference = models.CharField(_("provider's reference"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["source_event_id", "recipient", "channel", "kind"], name="delivery_once_per_event_channel"
            )
        ]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="delivery_pending"),
        ]

    def __str__(self):
        return f"{self.channel} #{self.source_event_id} → {self.recipient_id}"

    @property
    def idempotency_key(self) -> str:
        """Given to providers that take one (the e-mail's Message-ID)."""
        return f"notification-{self.source_event_id}-{self.recipient_id}-{self.channel}-{self.kind}"


class Preference(models.Model):
    """The channels a person chose for one kind; no row means the kind's defaults."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=30)
    channels = models.JSONField(_("channels"), default=list)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="preference_one_per_kind")]

    def __str__(self):
        return f"{self.user_id} {self.kind}: {', '.join(self.channels)}"


class BindingExpiryNotice(models.Model):
    """A binding whose reseller was told it is about to end, for the touch
    it had then: a new visit renews the binding, and its next end is told again."""

    binding_id = models.BigIntegerField()
    touched_at = models.DateTimeField()
    event_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["binding_id", "touched_at"], name="binding_expiry_told_once"),
        ]

    def __str__(self):
        return f"binding {self.binding_id} ({self.touched_at:%Y-%m-%d})"


class ShipmentToDigest(models.Model):
    """A parcel paid and waiting for its supplier, until the next digest
    (a beat task) tells the supplier's staff about it with the others."""

    supplier_id = models.BigIntegerField()
    fulfilment_group_id = models.BigIntegerField(unique=True)
    order_number = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)
    digest_event_id = models.BigIntegerField(null=True, blank=True)  # the digest's event, once sent

    class Meta:
        indexes = [
            models.Index(fields=["supplier_id"], condition=Q(digest_event_id__isnull=True), name="ship_undigested")
        ]

    def __str__(self):
        return f"{self.order_number} → supplier {self.supplier_id}"
