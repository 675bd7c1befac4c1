"""Group buying (拼团): a campaign sells SKUs at a group price; a group of
its buyers fills when N of them have paid, or fails when its time runs out
and every member is refunded (docs/group-buying.md)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .choices import GROUP_SIZE_MAX, GROUP_SIZE_MIN, CampaignStatus, CommissionMode, GroupStatus, MemberStatus


class Campaign(models.Model):
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="group_campaigns", verbose_name=_("product")
    )
    title = models.CharField(_("title"), max_length=60)
    status = models.CharField(_("status"), max_length=16, choices=CampaignStatus.choices, db_index=True)
    group_size = models.PositiveSmallIntegerField(_("group size"))
    fill_within = models.DurationField(_("time to fill a group"))
    per_person_limit = models.PositiveSmallIntegerField(_("units per member at most"), default=1)
    coupons_apply = models.BooleanField(_("coupons apply"), default=False)
    commission_mode = models.CharField(
        _("commission"), max_length=8, choices=CommissionMode.choices, default=CommissionMode.NONE
    )
    commission_bps = models.PositiveIntegerField(_("share of the commission (reduced, basis points)"), default=0)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    # set when a supplier proposes the campaign for its own product (an operator approves it)
    supplier = models.ForeignKey(
        "catalog.Supplier", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("supplier")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("group-buying campaign")
        verbose_name_plural = _("group-buying campaigns")
        constraints = [
            models.CheckConstraint(
                condition=Q(group_size__gte=GROUP_SIZE_MIN, group_size__lte=GROUP_SIZE_MAX),
                name="groupbuy_campaign_size_2_to_50",
            ),
            models.CheckConstraint(condition=Q(per_person_limit__gte=1), name="groupbuy_campaign_limit_positive"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="groupbuy_campaign_ends_after_start"),
            models.CheckConstraint(
                condition=Q(commission_mode=CommissionMode.REDUCED, commission_bps__gte=1, commission_bps__lte=9999)
                | (~Q(commission_mode=CommissionMode.REDUCED) & Q(commission_bps=0)),
                name="groupbuy_campaign_reduced_rate_between",
            ),
        ]

    def __str__(self):
        return self.title


class CampaignSku(models.Model):
    """A SKU of the campaign at its group price, and the leader's (团长价), if any."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="skus", verbose_name=_("group-buying campaign")
    )
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+", verbose_name=_("SKU"))
    group_price_amount = models.BigIntegerField(_("group price (fen)"))
    leader_price_amount = models.BigIntegerField(_("leader's price (fen)"), null=True, blank=True)

    class Meta:
        verbose_name = _("group price")
        verbose_name_plural = _("group prices")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "sku"], name="groupbuy_one_price_per_sku"),
            models.CheckConstraint(condition=Q(group_price_amount__gt=0), name="groupbuy_group_price_positive"),
            models.CheckConstraint(
                condition=Q(leader_price_amount__isnull=True)
                | Q(leader_price_amount__gt=0, leader_price_amount__lte=F("group_price_amount")),
                name="groupbuy_leader_price_within",
            ),
        ]

    def __str__(self):
        return f"{self.campaign_id}:{self.sku_id}"


class Group(models.Model):
    """One group of buyers (一个团). ``seats_taken`` counts members holding a
    seat (awaiting payment or paid): a join takes one with a conditional
    UPDATE, and the CHECK keeps it ≤ ``size`` whatever races."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="groups", verbose_name=_("group-buying campaign")
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("leader")
    )
    status = models.CharField(_("status"), max_length=16, choices=GroupStatus.choices, default=GroupStatus.OPEN)
    size = models.PositiveSmallIntegerField(_("group size"))
    seats_taken = models.PositiveSmallIntegerField(_("seats taken"), default=0)
    expires_at = models.DateTimeField(_("fill by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("buying group")
        verbose_name_plural = _("buying groups")
        indexes = [models.Index(fields=["status", "expires_at"], name="groupbuy_group_due")]
        constraints = [
            models.CheckConstraint(condition=Q(seats_taken__lte=F("size")), name="groupbuy_group_never_over_size"),
        ]

    def __str__(self):
        return _("group %(id)s") % {"id": self.pk}


class Member(models.Model):
    """A buyer in a group, with the order it pays. ``holds_open_seat`` is
    true while its group is open and it holds a seat: a buyer holds at most
    one such seat per campaign (the partial unique constraint)."""

    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="members", verbose_name=_("buying group"))
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="+", verbose_name=_("group-buying campaign")
    )
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="group_memberships", verbose_name=_("buyer")
    )
    order = models.OneToOneField(
        "orders.Order", on_delete=models.PROTECT, related_name="group_member", verbose_name=_("order")
    )
    is_leader = models.BooleanField(_("is the leader"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=MemberStatus.choices, default=MemberStatus.PENDING_PAYMENT
    )
    holds_open_seat = models.BooleanField(_("holds a seat in an open group"), default=True)
    seat_held_until = models.DateTimeField(_("seat held until"))
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    class Meta:
        verbose_name = _("group member")
        verbose_name_plural = _("group members")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "buyer"],
                condition=Q(holds_open_seat=True),
                name="groupbuy_one_open_seat_per_campaign",
            ),
        ]
        indexes = [models.Index(fields=["status", "seat_held_until"], name="groupbuy_member_hold")]

    def __str__(self):
        return _("member %(id)s of group %(group)s") % {"id": self.pk, "group": self.group_id}


class StatusChange(models.Model):
    """Audit of every move of a campaign, group or member: who, when, why."""

    subject = models.CharField(_("subject"), max_length=16)  # campaign | group | member
    object_id = models.BigIntegerField(_("subject id"))
    from_status = models.CharField(_("from status"), max_length=16)
    to_status = models.CharField(_("to status"), max_length=16)
    actor_kind = models.CharField(_("actor kind"), max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("actor")
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("group-buying status change")
        verbose_name_plural = _("group-buying status changes")
        indexes = [models.Index(fields=["subject", "object_id"], name="groupbuy_audit_subject")]

    def __str__(self):
        return f"{self.subject} {self.object_id}: {self.from_status} → {self.to_status}"
