"""The sandbox providers' own memory: what a real gateway or payout
provider keeps on its side, never the platform's books."""

from django.db import models
from django.db.models import F, Q


class SandboxCharge(models.Model):
    """What the sandbox gateway keeps on its side about a payment it was
    asked to collect (a real gateway's order)."""

    reference = models.CharField(max_length=40, unique=True)  # the merchant's reference
    transaction_id = models.CharField(max_length=40, unique=True)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    subject = models.CharField(max_length=120)
    notify_url = models.URLField(max_length=500)
    return_url = models.URLField(max_length=500)
    status = models.CharField(max_length=10, default="pending")  # pending, paid, failed, closed
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    refunded_amount = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0, refunded_amount__lte=F("amount")),
                name="sandbox_refunds_within_charge",
            )
        ]

    def __str__(self):
        return self.reference


class SandboxRefund(models.Model):
    """The sandbox gateway's refunds, by the merchant's refund reference."""

    charge = models.ForeignKey(SandboxCharge, on_delete=models.PROTECT, related_name="refunds")
    reference = models.CharField(max_length=40, unique=True)
    amount = models.BigIntegerField()
    succeeded = models.BooleanField()
    provider_reference = models.CharField(max_length=40)
    failure_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.reference


class SandboxPayoutRecord(models.Model):
    """The sandbox payout provider's own memory (what a real provider keeps
    on its side): one row per reference it was asked to pay."""

    reference = models.CharField(max_length=40, unique=True)
    reseller_id = models.BigIntegerField()
    amount = models.BigIntegerField()
    succeeded = models.BooleanField()
    provider_reference = models.CharField(max_length=80)
    failure_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.reference
