"""Statuses and the transition tables: the state machines as data, in the
kernel's shape (``socialshop/states.py``): ``(from, to)`` → the kinds of
actor that may make the move. The services declare a ``StateMachine`` over
each table and move rows only through the kernel."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from socialshop.states import SYSTEM

from .calculations import CommissionBase as Base
from .calculations import WithholdingRule as Rule

OPERATOR = "operator"  # the actor kind of an operator's decision (the other is the kernel's SYSTEM)


class CommissionBase(models.TextChoices):
    MARGIN = Base.MARGIN, _("Margin (paid − cost − shop markup)")
    PAID = Base.PAID, _("Amount paid (less the shop markup)")


THREE_TIER_WARNING = _(
    "Three tiers: Chinese criminal law (Art. 224-1, 组织、领导传销活动罪) treats schemes of three or more levels "
    "with 30 or more participants, entry fees, pay per recruit or pay on a whole team's sales as pyramid selling "
    "(传销), and WeChat's platform rules allow two levels of distribution. This platform charges no entry fee and "
    "pays nobody for recruiting, but check with counsel before turning on a third tier."
)


class WithholdingRule(models.TextChoices):
    OFF = Rule.OFF, _("No withholding")
    FLAT = Rule.FLAT, _("Flat rate")
    LABOUR = Rule.LABOUR, _("Remuneration for services (monthly table)")


class WithdrawalStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved, awaiting payout")
    PAYING = "paying", _("Being paid")
    PAID = "paid", _("Paid")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Payout failed, money returned")


# A withdrawal moves only along these edges, each recorded with who, when
# and why (WithdrawalStatusChange).
WITHDRAWAL_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (WithdrawalStatus.REQUESTED, WithdrawalStatus.APPROVED): frozenset({OPERATOR}),
    (WithdrawalStatus.REQUESTED, WithdrawalStatus.REJECTED): frozenset({OPERATOR}),
    (WithdrawalStatus.APPROVED, WithdrawalStatus.PAYING): frozenset({OPERATOR}),  # put in a payout batch
    (WithdrawalStatus.APPROVED, WithdrawalStatus.REJECTED): frozenset({OPERATOR}),
    # the payout provider's answer; for a bank card, the operator who paid it by hand
    (WithdrawalStatus.PAYING, WithdrawalStatus.PAID): frozenset({SYSTEM, OPERATOR}),
    (WithdrawalStatus.PAYING, WithdrawalStatus.FAILED): frozenset({SYSTEM}),
}

# the decisions a reseller hears of (the ``withdrawal.decided`` event)
WITHDRAWAL_DECIDED = (
    WithdrawalStatus.APPROVED,
    WithdrawalStatus.REJECTED,
    WithdrawalStatus.PAID,
    WithdrawalStatus.FAILED,
)


class PayoutBatchStatus(models.TextChoices):
    OPEN = "open", _("Being paid")
    DONE = "done", _("Done")


# a batch is done once every item has the provider's answer
PAYOUT_BATCH_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (PayoutBatchStatus.OPEN, PayoutBatchStatus.DONE): frozenset({SYSTEM}),
}


class PayoutItemOutcome:
    """``PayoutItem.outcome``, its state: empty until the provider answers.
    Plain constants, not the field's choices, which would add a migration
    that changes nothing in the schema."""

    UNSENT = ""
    PENDING = "pending"  # sent; the provider has not finished (a WeChat transfer awaiting the payee, a bank card)
    PAID = "paid"
    FAILED = "failed"


PAYOUT_ITEM_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (PayoutItemOutcome.UNSENT, PayoutItemOutcome.PENDING): frozenset({SYSTEM}),
    (PayoutItemOutcome.UNSENT, PayoutItemOutcome.PAID): frozenset({SYSTEM}),
    (PayoutItemOutcome.UNSENT, PayoutItemOutcome.FAILED): frozenset({SYSTEM}),
    # the provider's notification or the sweep's query; a bank card: an operator marks it paid
    (PayoutItemOutcome.PENDING, PayoutItemOutcome.PAID): frozenset({SYSTEM, OPERATOR}),
    (PayoutItemOutcome.PENDING, PayoutItemOutcome.FAILED): frozenset({SYSTEM, OPERATOR}),
}


class PayoutAccountKind(models.TextChoices):
    """Where a reseller is paid: WeChat change (零钱, by the openid of the
    official account), an Alipay account, or a bank card (paid by hand)."""

    WECHAT = "wechat", _("WeChat Pay balance")
    ALIPAY = "alipay", _("Alipay account")
    BANK = "bank", _("Bank card")


class CommissionKind(models.TextChoices):
    TIER = "tier", _("Tier commission")
    MARKUP = "markup", _("Shop markup")


class CommissionState(models.TextChoices):
    """frozen (冻结) → settled (可提现), or → cancelled when a refund takes all of it first."""

    FROZEN = "frozen", _("Frozen")
    SETTLED = "settled", _("Settled")
    CANCELLED = "cancelled", _("Cancelled")


COMMISSION_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (CommissionState.FROZEN, CommissionState.SETTLED): frozenset({SYSTEM}),  # the settlement sweep
    (CommissionState.FROZEN, CommissionState.CANCELLED): frozenset({SYSTEM}),  # a refund took all of it
}


# --- reseller grades (分销等级) ---------------------------------------------------------------


class GradeConditionKind(models.TextChoices):
    """What a grade's promotion may look at: the reseller's OWN results, and
    nothing else. There is deliberately no kind for people recruited, team
    size or a team's (downline's) sales: paying for recruitment or for a
    team's turnover is what 禁止传销条例 art. 7 forbids (DESIGN §5 rule 13).
    Input naming one of ``FORBIDDEN_CONDITION_KINDS`` is refused with
    ``GRADE_CONDITION_FORBIDDEN`` (``commissions.services.grades``)."""

    SALES = "sales_amount", _("Own sales paid (through its shop and links)")
    COMPLETED_ORDERS = "completed_orders", _("Own completed orders")
    BUYING_CUSTOMERS = "buying_customers", _("Own customers who bought")


# what someone may try to type or post as a condition, refused with the explanation below
FORBIDDEN_CONDITION_KINDS = frozenset(
    {
        "recruits",
        "recruited",
        "invitees",
        "invited",
        "team_size",
        "team_members",
        "downline",
        "downline_size",
        "downline_sales",
        "team_sales",
        "team_sales_amount",
        "team_orders",
    }
)

GRADE_CONDITION_FORBIDDEN = _(
    "A grade may depend only on the reseller's own results (its own sales, completed orders and customers who "
    "bought). Conditions on the number of people recruited or on a team's sales are refused: paying for "
    "recruitment or for a team's turnover is pyramid selling under the Regulations on Prohibiting Pyramid Selling "
    "(禁止传销条例, art. 7)."
)


class GradeChangeKind(models.TextChoices):
    PROMOTED = "promoted", _("Promoted")
    DEMOTED = "demoted", _("Demoted")
    MANUAL = "manual", _("Set by an operator")
