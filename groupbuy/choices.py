"""Statuses and transition tables of group buying (拼团), as data for the
project's transition kernel (``socialshop/states.py``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from socialshop.states import SYSTEM


class CampaignStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    ACTIVE = "active", _("Running")
    REJECTED = "rejected", _("Rejected")
    ENDED = "ended", _("Ended")


class CommissionMode(models.TextChoices):
    """Whether group orders earn commissions once the group fills (CRMEB pays none by default)."""

    NONE = "none", _("No commission")
    FULL = "full", _("Full commission")
    REDUCED = "reduced", _("Reduced commission")


class GroupStatus(models.TextChoices):
    OPEN = "open", _("Waiting for members")
    SUCCEEDED = "succeeded", _("Group filled")
    FAILED = "failed", _("Group failed, refunded")


class MemberStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("Seat held, awaiting payment")
    PAID = "paid", _("Paid")
    REFUNDED = "refunded", _("Refunded")
    RELEASED = "released", _("Seat released, not paid")


OPERATOR, SUPPLIER, BUYER = "operator", "supplier", "buyer"

CAMPAIGN_TRANSITIONS = {
    (CampaignStatus.PENDING, CampaignStatus.ACTIVE): frozenset({OPERATOR}),
    (CampaignStatus.PENDING, CampaignStatus.REJECTED): frozenset({OPERATOR}),
    (CampaignStatus.ACTIVE, CampaignStatus.ENDED): frozenset({OPERATOR, SUPPLIER}),
}

GROUP_TRANSITIONS = {
    (GroupStatus.OPEN, GroupStatus.SUCCEEDED): frozenset({SYSTEM}),  # the N-th payment committed
    (GroupStatus.OPEN, GroupStatus.FAILED): frozenset({SYSTEM}),  # the time ran out (beat's sweep)
}

MEMBER_TRANSITIONS = {
    (MemberStatus.PENDING_PAYMENT, MemberStatus.PAID): frozenset({SYSTEM}),  # the payment committed
    (MemberStatus.PENDING_PAYMENT, MemberStatus.RELEASED): frozenset({SYSTEM}),  # not paid while the seat was held
    (MemberStatus.PAID, MemberStatus.REFUNDED): frozenset({SYSTEM}),  # the provider refunded the order in full
}

GROUP_SIZE_MIN, GROUP_SIZE_MAX = 2, 50
