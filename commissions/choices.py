from django.db import models
from django.utils.translation import gettext_lazy as _

from .calculations import CommissionBase as Base


class CommissionBase(models.TextChoices):
    MARGIN = Base.MARGIN, _("Margin (paid − cost − shop markup)")
    PAID = Base.PAID, _("Amount paid (less the shop markup)")


THREE_TIER_WARNING = _(
    "Three tiers: Chinese criminal law (Art. 224-1, 组织、领导传销活动罪) treats schemes of three or more levels "
    "with 30 or more participants, entry fees, pay per recruit or pay on a whole team's sales as pyramid selling "
    "(传销), and WeChat's platform rules allow two levels of distribution. This platform charges no entry fee and "
    "pays nobody for recruiting, but check with counsel before turning on a third tier."
)


class WithdrawalStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved, awaiting payout")
    PAYING = "paying", _("Being paid")
    PAID = "paid", _("Paid")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Payout failed, money returned")


# The declared state machine: a withdrawal moves only along these edges,
# each recorded with who, when and why (WithdrawalStatusChange).
WITHDRAWAL_TRANSITIONS: dict[str, set[str]] = {
    WithdrawalStatus.REQUESTED: {WithdrawalStatus.APPROVED, WithdrawalStatus.REJECTED},
    WithdrawalStatus.APPROVED: {WithdrawalStatus.PAYING, WithdrawalStatus.REJECTED},
    WithdrawalStatus.PAYING: {WithdrawalStatus.PAID, WithdrawalStatus.FAILED},
    WithdrawalStatus.PAID: set(),
    WithdrawalStatus.REJECTED: set(),
    WithdrawalStatus.FAILED: set(),
}


class PayoutBatchStatus(models.TextChoices):
    OPEN = "open", _("Being paid")
    DONE = "done", _("Done")


class CommissionKind(models.TextChoices):
    TIER = "tier", _("Tier commission")
    MARKUP = "markup", _("Shop markup")


class CommissionState(models.TextChoices):
    """frozen (冻结) → settled (可提现), or → cancelled when a refund takes all of it first."""

    FROZEN = "frozen", _("Frozen")
    SETTLED = "settled", _("Settled")
    CANCELLED = "cancelled", _("Cancelled")
