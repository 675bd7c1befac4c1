from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from socialshop.money import format_yuan

from .choices import BindingAfterLifetime, BindingRule, BindingSource, ResellerEventKind, ResellerStatus

TIER_LIMIT_MAX = 3  # DESIGN §5.3: never more than 3 tiers, whatever a plan says


class DistributionSettings(models.Model):
    """The platform's rules for joining and binding, edited by operators in
    the admin. A single row (id 1); ``selectors.distribution_settings_get``
    reads it and falls back to these defaults when the row is missing. (How
    many tiers earn is the commission plan's ``tier_count``.)"""

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(_("ID"), primary_key=True, default=SINGLETON_ID, editable=False)
    reseller_approval_required = models.BooleanField(
        _("new resellers need approval"),
        default=False,
        help_text=_("New resellers wait for an operator's approval before they can sell and invite."),
    )
    binding_rule = models.CharField(
        _("binding rule"), max_length=20, choices=BindingRule.choices, default=BindingRule.FIRST_TOUCH
    )
    binding_lifetime_days = models.PositiveIntegerField(
        _("binding lifetime (days)"),
        null=True,
        blank=True,
        default=30,
        help_text=_("Days since the last visit through the bound reseller's link; empty means permanent."),
    )
    binding_after_lifetime = models.CharField(
        _("after its lifetime, a binding"),
        max_length=20,
        choices=BindingAfterLifetime.choices,
        default=BindingAfterLifetime.REPLACEABLE,
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("distribution settings")
        verbose_name_plural = _("distribution settings")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="distribution_settings_single_row"),
            models.CheckConstraint(
                condition=Q(binding_lifetime_days__isnull=True) | Q(binding_lifetime_days__gt=0),
                name="distribution_binding_lifetime_positive",
            ),
            models.CheckConstraint(condition=Q(binding_rule__in=BindingRule.values), name="distribution_rule_known"),
            models.CheckConstraint(
                condition=Q(binding_after_lifetime__in=BindingAfterLifetime.values),
                name="distribution_after_lifetime_known",
            ),
        ]

    def __str__(self):
        return str(_("Distribution settings"))

    @property
    def binding_lifetime(self) -> timedelta | None:
        return None if self.binding_lifetime_days is None else timedelta(days=self.binding_lifetime_days)


class ResellerQuerySet(models.QuerySet):
    def active(self):
        """Resellers who may sell, invite and earn (not pending, not frozen)."""
        return self.filter(status=ResellerStatus.ACTIVE)


class Reseller(models.Model):
    """A user who sells: owns a shop, earns commissions, invites others.

    ``inviter`` is the upline (上级); a reseller has at most one, and the
    invite tree has no cycles (distribution.services is its only writer, see
    docs/invite-tree.md). ``inviter_2`` and ``inviter_3`` copy the next two
    links up, so the first three levels of a team are index ranges. ``invite_code`` is also the referral code carried by
    every link the reseller shares. Only an ``active`` reseller sells, invites
    and earns: a frozen one's shop is closed and it earns no new commission.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reseller", verbose_name=_("user")
    )
    inviter = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="downline",
        verbose_name=_("inviter"),
        db_index=False,  # the reseller_downline index starts with it
    )
    # The inviter's inviter and the next one up: the bounded path that makes
    # "level 2 / level 3 of my team" an index range (kept by the tree services).
    inviter_2 = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("second-level upline"),
        db_index=False,  # reseller_level_2 starts with it
    )
    inviter_3 = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("third-level upline"),
        db_index=False,  # reseller_level_3 starts with it
    )
    invite_code = models.CharField(_("invite code"), max_length=12, unique=True)
    status = models.CharField(_("status"), max_length=20, choices=ResellerStatus.choices, default=ResellerStatus.ACTIVE)
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    objects = ResellerQuerySet.as_manager()

    UPLINE_FIELDS = {1: "inviter", 2: "inviter_2", 3: "inviter_3"}  # level below them → field

    class Meta:
        verbose_name = _("reseller")
        verbose_name_plural = _("resellers")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ResellerStatus.values), name="reseller_status_known"),
            models.CheckConstraint(condition=~Q(inviter=models.F("id")), name="reseller_not_own_inviter"),
            # the bounded path follows the inviter link: no inviter_2 without an inviter, and so on
            models.CheckConstraint(
                condition=Q(inviter_2__isnull=True) | Q(inviter__isnull=False), name="reseller_inviter_2_needs_inviter"
            ),
            models.CheckConstraint(
                condition=Q(inviter_3__isnull=True) | Q(inviter_2__isnull=False), name="reseller_inviter_3_needs_2"
            ),
        ]
        indexes = [
            # a page of someone's team at level 1, 2 or 3, newest first; "joined this week" per level
            models.Index(fields=["inviter", "joined_at", "id"], name="reseller_downline"),
            models.Index(fields=["inviter_2", "joined_at", "id"], name="reseller_level_2"),
            models.Index(fields=["inviter_3", "joined_at", "id"], name="reseller_level_3"),
        ]

    def __str__(self):
        return f"{self.user} ({self.invite_code})"

    @property
    def is_active(self) -> bool:
        return self.status == ResellerStatus.ACTIVE


class ResellerTotals(models.Model):
    """The totals of a reseller's team, i.e. its whole subtree with itself
    left out, kept current by the tree services so that a team of a million
    answers from one row (docs/invite-tree.md). ``level_N_size`` counts the
    members N levels below. Sales are those the orders app reported
    (``ResellerSale``) and the roll-up has folded in."""

    reseller = models.OneToOneField(Reseller, on_delete=models.CASCADE, primary_key=True, related_name="totals")
    team_size = models.BigIntegerField(_("team size"), default=0)
    level_1_size = models.BigIntegerField(_("direct downline"), default=0)
    level_2_size = models.BigIntegerField(_("second level"), default=0)
    level_3_size = models.BigIntegerField(_("third level"), default=0)
    team_sales_amount = models.BigIntegerField(_("team sales (fen)"), default=0)
    own_sales_amount = models.BigIntegerField(_("own sales (fen)"), default=0)

    class Meta:
        verbose_name = _("team totals")
        verbose_name_plural = _("team totals")
        constraints = [
            models.CheckConstraint(
                condition=Q(level_1_size__gte=0, level_2_size__gte=0, level_3_size__gte=0),
                name="reseller_totals_levels_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(team_size__gte=F("level_1_size") + F("level_2_size") + F("level_3_size")),
                name="reseller_totals_levels_within_team",
            ),
        ]

    def __str__(self):
        return f"{self.reseller_id}: {self.team_size}"

    def level_size(self, level: int) -> int:
        return getattr(self, f"level_{level}_size")


class ResellerSale(models.Model):
    """An amount sold by a reseller, as the orders app reports it
    (``services.reseller_sale_record``): positive when a payment is confirmed,
    negative for a refund, once per ``key``. The team-sales roll-up folds the
    rows into ``ResellerTotals`` and stamps ``rolled_up_at``."""

    reseller = models.ForeignKey(Reseller, on_delete=models.PROTECT, related_name="sales", verbose_name=_("reseller"))
    amount = models.BigIntegerField(_("amount (fen)"))
    key = models.CharField(_("idempotency key"), max_length=100, unique=True)
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)
    rolled_up_at = models.DateTimeField(_("rolled up at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reseller sale")
        verbose_name_plural = _("reseller sales")
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="reseller_sale_not_zero")]
        indexes = [
            models.Index(fields=["id"], condition=Q(rolled_up_at__isnull=True), name="reseller_sale_pending"),
        ]

    def __str__(self):
        return format_yuan(self.amount)


class Binding(models.Model):
    """A customer's tie to a reseller (锁粉). A customer has at most one
    current binding (``ended_at`` empty); a replaced one keeps its row, with
    the time it ended, so the history says who was bound when. Orders keep
    their own snapshot of whom they were attributed to: a later binding never
    changes who earned on a past order."""

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bindings", verbose_name=_("customer")
    )
    reseller = models.ForeignKey(
        Reseller, on_delete=models.PROTECT, related_name="bindings", verbose_name=_("reseller")
    )
    source = models.CharField(_("source"), max_length=20, choices=BindingSource.choices)
    bound_at = models.DateTimeField(_("bound at"))
    touched_at = models.DateTimeField(
        _("last visit"), help_text=_("The last visit through this reseller's link; the lifetime counts from it.")
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("binding")
        verbose_name_plural = _("bindings")
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=Q(ended_at__isnull=True), name="binding_one_current_per_customer"
            ),
            models.CheckConstraint(condition=Q(source__in=BindingSource.values), name="binding_source_known"),
            models.CheckConstraint(condition=Q(touched_at__gte=F("bound_at")), name="binding_touched_after_bound"),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("bound_at")), name="binding_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["reseller", "bound_at"], name="binding_by_reseller")]

    def __str__(self):
        return f"{self.customer_id} → {self.reseller_id}"


class ResellerEvent(models.Model):
    """The audit trail of a reseller's place and status in the tree: who did
    what, when, from which inviter to which, and why. Append-only."""

    reseller = models.ForeignKey(Reseller, on_delete=models.PROTECT, related_name="events", verbose_name=_("reseller"))
    kind = models.CharField(_("what"), max_length=20, choices=ResellerEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    previous_inviter = models.ForeignKey(
        Reseller, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("from")
    )
    new_inviter = models.ForeignKey(
        Reseller, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("to")
    )
    reason = models.TextField(_("why"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("reseller event")
        verbose_name_plural = _("reseller events")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ResellerEventKind.values), name="reseller_event_kind_known"),
            models.CheckConstraint(
                condition=~Q(kind__in=[ResellerEventKind.MOVED, ResellerEventKind.FROZEN, ResellerEventKind.UNFROZEN])
                | ~Q(reason=""),
                name="reseller_event_reason_given",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"
