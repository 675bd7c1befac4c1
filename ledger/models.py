from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import AccountKind, NormalSide, OwnerKind


class LedgerAccount(models.Model):
    """One account: the platform's own (``owner_id`` empty) or one reseller's
    or supplier's (``owner_id`` their id). ``balance_amount`` is a cache of
    the sum of its entries, shown on its normal side, updated in the same
    transaction as every entry and proven by ``reconcile``."""

    owner_kind = models.CharField(max_length=20, choices=OwnerKind.choices)
    owner_id = models.BigIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=40, choices=AccountKind.choices)
    normal_side = models.CharField(max_length=6, choices=NormalSide.choices)
    balance_amount = models.BigIntegerField(_("balance (fen)"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        constraints = [
            models.UniqueConstraint(fields=["kind", "owner_id"], name="ledger_account_once_per_owner"),
            models.UniqueConstraint(
                fields=["kind"], condition=Q(owner_id__isnull=True), name="ledger_platform_account_once"
            ),
            models.CheckConstraint(
                condition=Q(owner_kind=OwnerKind.PLATFORM, owner_id__isnull=True)
                | (~Q(owner_kind=OwnerKind.PLATFORM) & Q(owner_id__isnull=False)),
                name="ledger_account_owner_matches_kind",
            ),
        ]

    def __str__(self):
        owner = "platform" if self.owner_id is None else f"{self.owner_kind} {self.owner_id}"
        return f"{owner} · {self.get_kind_display()}"


class LedgerTransaction(models.Model):
    """A set of entries that sum to zero, posted once: ``idempotency_key``
    names the business event (``commission-settle:42``), so posting the same
    event twice creates nothing."""

    idempotency_key = models.CharField(max_length=120, unique=True)
    description = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")

    def __str__(self):
        return self.idempotency_key


class LedgerEntry(models.Model):
    """One side of a transaction: ``amount`` is signed, debits positive and
    credits negative, never zero. The database refuses updates and deletes
    and, at commit, any transaction whose entries do not sum to zero."""

    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="entries")
    amount = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="ledger_entry_not_zero")]
        indexes = [models.Index(fields=["account", "id"], name="ledger_entry_by_account")]

    def __str__(self):
        return f"{self.account}: {self.amount}"
