import re

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Category, Product
from socialshop.money import BASIS_POINTS, format_yuan

from .choices import (
    CommissionBase,
    CommissionKind,
    CommissionState,
    GradeChangeKind,
    GradeConditionKind,
    PayoutAccountKind,
    PayoutBatchStatus,
    WithdrawalStatus,
    WithholdingRule,
)

share_validators = [MinValueValidator(0), MaxValueValidator(BASIS_POINTS)]
# a withdrawal's move to paying stores the batch it went out in
PAYING_REASON = "batch #{batch}"
PAYING_REASON_PATTERN = re.compile(r"batch #(\d+)")


class CommissionPlanQuerySet(models.QuerySet):
    def in_effect_at(self, moment):
        return self.filter(effective_from__lte=moment).order_by("-effective_from", "-id")


class CommissionPlan(models.Model):
    """One version of the platform's commission plan.

    Versions are never edited: a change is a new version, effective from
    the moment it is published (never backdated), and a payment confirmed
    at time *t* is paid by the version in effect at *t*. Shares are basis
    points of the commission base (10000 = 100%)."""

    effective_from = models.DateTimeField(_("effective from"), default=timezone.now, db_index=True)
    tier_count = models.PositiveSmallIntegerField(
        _("tiers that earn"), default=2, validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    three_tiers_confirmed = models.BooleanField(_("I have read the warning about three tiers"), default=False)
    tier1_share_bps = models.PositiveIntegerField(_("tier 1 share (bp)"), default=3000, validators=share_validators)
    tier2_share_bps = models.PositiveIntegerField(_("tier 2 share (bp)"), default=1000, validators=share_validators)
    tier3_share_bps = models.PositiveIntegerField(_("tier 3 share (bp)"), default=0, validators=share_validators)
    base = models.CharField(_("commission base"), max_length=10, choices=CommissionBase.choices, default="margin")
    self_purchase_earns = models.BooleanField(_("a reseller buying for itself earns tier 1 (自购返佣)"), default=False)
    min_withdrawal_amount = models.BigIntegerField(_("minimum withdrawal (fen)"), default=1000)
    withdrawal_fee_amount = models.BigIntegerField(_("withdrawal fee, fixed (fen)"), default=0)
    withdrawal_fee_bps = models.PositiveIntegerField(
        _("withdrawal fee, share (bp)"), default=0, validators=share_validators
    )
    note = models.CharField(_("what changed"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CommissionPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("commission plan")
        verbose_name_plural = _("commission plans")
        ordering = ["-effective_from", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(tier_count__gte=1, tier_count__lte=3), name="plan_one_to_three_tiers"),
            models.CheckConstraint(
                condition=Q(tier_count__lt=3) | Q(three_tiers_confirmed=True), name="plan_three_tiers_confirmed"
            ),
            models.CheckConstraint(
                condition=Q(
                    tier1_share_bps__lte=BASIS_POINTS - F("tier2_share_bps") - F("tier3_share_bps"),
                ),
                name="plan_shares_at_most_100_percent",
            ),
            models.CheckConstraint(condition=Q(base__in=CommissionBase.values), name="plan_base_known"),
            models.CheckConstraint(condition=Q(min_withdrawal_amount__gte=1), name="plan_min_withdrawal_positive"),
            models.CheckConstraint(condition=Q(withdrawal_fee_amount__gte=0), name="plan_fee_not_negative"),
        ]

    def __str__(self):
        return f"v{self.pk} ({timezone.localtime(self.effective_from):%Y-%m-%d %H:%M})"

    def tier_shares(self) -> list[int]:
        """Basis points of the tiers that earn, tier 1 first."""
        return [self.tier1_share_bps, self.tier2_share_bps, self.tier3_share_bps][: self.tier_count]


class CommissionOverride(models.Model):
    """Different shares for one category or one product, within one plan
    version (a product's override wins over its category's)."""

    plan = models.ForeignKey(
        CommissionPlan, on_delete=models.CASCADE, related_name="overrides", verbose_name=_("commission plan")
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("category")
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("product")
    )
    tier1_share_bps = models.PositiveIntegerField(_("tier 1 share (bp)"), validators=share_validators)
    tier2_share_bps = models.PositiveIntegerField(_("tier 2 share (bp)"), default=0, validators=share_validators)
    tier3_share_bps = models.PositiveIntegerField(_("tier 3 share (bp)"), default=0, validators=share_validators)

    class Meta:
        verbose_name = _("commission override")
        verbose_name_plural = _("commission overrides")
        constraints = [
            models.CheckConstraint(
                condition=(Q(category__isnull=False) & Q(product__isnull=True))
                | (Q(category__isnull=True) & Q(product__isnull=False)),
                name="override_for_category_or_product",
            ),
            models.CheckConstraint(
                condition=Q(tier1_share_bps__lte=BASIS_POINTS - F("tier2_share_bps") - F("tier3_share_bps")),
                name="override_shares_at_most_100_percent",
            ),
            models.UniqueConstraint(fields=["plan", "category"], name="override_once_per_category"),
            models.UniqueConstraint(fields=["plan", "product"], name="override_once_per_product"),
        ]

    def __str__(self):
        return f"{self.product or self.category}: {self.tier1_share_bps}/{self.tier2_share_bps}/{self.tier3_share_bps}"

    def tier_shares(self, tier_count: int) -> list[int]:
        return [self.tier1_share_bps, self.tier2_share_bps, self.tier3_share_bps][:tier_count]


class PayoutAccount(models.Model):
    """Where a reseller's withdrawals are paid (收款账户), added before its
    first withdrawal. WeChat: the openid its log-in through the official
    account stored (``accounts.selectors.user_wechat_openid``), copied here
    when the account is added. Alipay: the account (phone or e-mail) and the
    real name Alipay checks against it. A bank card: number, bank and name,
    paid by hand. The real name goes to WeChat for a transfer of ¥2,000 or
    more (encrypted with its public key) and always to Alipay."""

    reseller = models.ForeignKey(
        "distribution.Reseller", on_delete=models.PROTECT, related_name="payout_accounts", verbose_name=_("reseller")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=PayoutAccountKind.choices)
    account = models.CharField(_("account"), max_length=100)  # the openid, the Alipay log-in, the card number
    real_name = models.CharField(_("real name"), max_length=50, blank=True)
    bank_name = models.CharField(_("bank"), max_length=50, blank=True)
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("payout account")
        verbose_name_plural = _("payout accounts")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=PayoutAccountKind.values), name="payout_account_kind_known"),
            models.UniqueConstraint(
                fields=["reseller", "kind", "account"],
                condition=Q(removed_at__isnull=True),
                name="payout_account_once",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.masked}".strip()

    @property
    def masked(self) -> str:
        """What a page shows: the ends of the account, never all of it (WeChat's: the name's first character)."""
        if self.kind == PayoutAccountKind.WECHAT:
            return f"{self.real_name[:1]}{'*' * (len(self.real_name) - 1)}" if self.real_name else ""
        if self.kind == PayoutAccountKind.BANK:
            return f"{self.bank_name} **** {self.account[-4:]}"
        if "@" in self.account:
            name, _, domain = self.account.partition("@")
            return f"{name[:2]}***@{domain}"
        return f"{self.account[:3]}****{self.account[-4:]}" if len(self.account) > 7 else self.account


class Withdrawal(models.Model):
    """A reseller's request to be paid (提现). The amount leaves its
    withdrawable balance the moment it is asked for (ledger: withdrawable →
    withdrawal pending) and either reaches the reseller (paid) or comes back
    (rejected, payout failed)."""

    reseller = models.ForeignKey(
        "distribution.Reseller", on_delete=models.PROTECT, related_name="withdrawals", verbose_name=_("reseller")
    )
    amount = models.BigIntegerField(_("amount (fen)"))
    fee_amount = models.BigIntegerField(_("fee (fen)"), default=0)
    # income tax withheld (预扣个税), computed once when requested (docs/compliance.md)
    tax_amount = models.BigIntegerField(_("income tax withheld (fen)"), default=0)
    tax_rule = models.CharField(
        _("withholding rule"), max_length=10, choices=WithholdingRule.choices, default=WithholdingRule.OFF
    )
    tax_period = models.DateField(_("tax month"), null=True, blank=True)  # the first day of its Beijing month
    status = models.CharField(
        _("status"), max_length=20, choices=WithdrawalStatus.choices, default=WithdrawalStatus.REQUESTED
    )
    failure_reason = models.CharField(_("why it failed or was rejected"), max_length=200, blank=True)
    payout_account = models.ForeignKey(  # where it is paid; empty only with the sandbox, which needs none
        PayoutAccount,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="withdrawals",
        verbose_name=_("payout account"),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    class Meta:
        verbose_name = _("withdrawal")
        verbose_name_plural = _("withdrawals")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="withdrawal_amount_positive"),
            models.CheckConstraint(
                condition=Q(fee_amount__gte=0, fee_amount__lte=F("amount")), name="withdrawal_fee_within_amount"
            ),
            models.CheckConstraint(
                condition=Q(tax_amount__gte=0, tax_amount__lte=F("amount") - F("fee_amount")),
                name="withdrawal_tax_within_amount",
            ),
            models.CheckConstraint(condition=Q(status__in=WithdrawalStatus.values), name="withdrawal_status_known"),
        ]
        indexes = [
            models.Index(fields=["status", "requested_at"], name="withdrawal_by_status"),
            models.Index(fields=["tax_period", "reseller"], name="withdrawal_by_tax_period"),
        ]

    def __str__(self):
        return f"#{self.pk} · {format_yuan(self.amount)} · {self.get_status_display()}"

    @property
    def net_amount(self) -> int:
        """What the payout sends: the amount less the fee and the tax withheld."""
        return self.amount - self.fee_amount - self.tax_amount


class WithdrawalStatusChange(models.Model):
    """The audit trail of a withdrawal: every move, who made it, when, why."""

    withdrawal = models.ForeignKey(
        Withdrawal, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("withdrawal")
    )
    from_status = models.CharField(_("from status"), max_length=20, blank=True, choices=WithdrawalStatus.choices)
    to_status = models.CharField(_("to status"), max_length=20, choices=WithdrawalStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("withdrawal status change")
        verbose_name_plural = _("withdrawal status changes")
        ordering = ["changed_at", "id"]

    def __str__(self):
        return f"{self.withdrawal_id}: {self.get_from_status_display() or '—'} → {self.get_to_status_display()}"

    @property
    def reason_label(self) -> str:
        """Why, as people read it: the batch a withdrawal went out in (stored
        as ``batch #<id>``) in their language, anything typed as typed."""
        batch = PAYING_REASON_PATTERN.fullmatch(self.reason)
        return _("payout batch #%(id)s") % {"id": batch[1]} if batch else self.reason


class PayoutBatch(models.Model):
    """Approved withdrawals sent to the payout provider together."""

    status = models.CharField(
        _("status"), max_length=10, choices=PayoutBatchStatus.choices, default=PayoutBatchStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("payout batch")
        verbose_name_plural = _("payout batches")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return _("payout batch #%(id)s") % {"id": self.pk}


class PayoutItem(models.Model):
    """One withdrawal in one batch. A withdrawal is paid at most once: it
    has at most one item (unique), the provider is asked with the item's
    reference as its idempotency key, and the ledger posting is keyed by the
    withdrawal."""

    batch = models.ForeignKey(
        PayoutBatch, on_delete=models.PROTECT, related_name="items", verbose_name=_("payout batch")
    )
    withdrawal = models.OneToOneField(
        Withdrawal, on_delete=models.PROTECT, related_name="payout", verbose_name=_("withdrawal")
    )
    amount = models.BigIntegerField(_("amount sent (fen)"))  # what is sent: the withdrawal less its fee
    reference = models.CharField(_("payout reference"), max_length=40, unique=True)
    provider_reference = models.CharField(_("provider's reference"), max_length=80, blank=True)
    outcome = models.CharField(  # "" until the provider answers
        _("outcome"),
        max_length=10,
        blank=True,
        choices=[("pending", _("Sent, not finished")), ("paid", _("Paid")), ("failed", _("Failed"))],
    )
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    # a WeChat transfer waiting for the payee to accept it in WeChat (WAIT_USER_CONFIRM): what the
    # reseller's page hands to WeChat to accept it, and when we cancel it if nobody did
    package_info = models.CharField(_("confirmation package"), max_length=1000, blank=True)
    confirm_until = models.DateTimeField(_("to be accepted by"), null=True, blank=True)

    class Meta:
        verbose_name = _("payout item")
        verbose_name_plural = _("payout items")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payout_amount_positive")]

    def __str__(self):
        return self.reference


class ReconciliationRun(models.Model):
    """What the periodic reconciliation found; the admin's front page shows
    the latest one, in red when something broke."""

    ran_at = models.DateTimeField(auto_now_add=True, db_index=True)
    ok = models.BooleanField()
    breaks = models.JSONField(default=dict)  # check name → list of breaks

    class Meta:
        verbose_name = _("reconciliation run")
        verbose_name_plural = _("reconciliation runs")
        ordering = ["-ran_at", "-id"]

    def __str__(self):
        return f"{timezone.localtime(self.ran_at):%Y-%m-%d %H:%M} {'ok' if self.ok else 'BROKEN'}"


class CommissionQuerySet(models.QuerySet):
    def matured(self, *, now):
        """Frozen and past their maturity (the order completed and its
        after-sales window over)."""
        return self.filter(state=CommissionState.FROZEN, matures_at__lte=now)


class CommissionDecision(models.Model):
    """Who earns on a paid order was decided, once: how many commissions the
    engine made, or why none (no line attributed to a reseller, nobody
    active in the upline …). Written with the commissions, in their
    transaction; reconcile reports a paid order without one."""

    order = models.OneToOneField(
        "orders.Order", on_delete=models.PROTECT, primary_key=True, related_name="commission_decision"
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)
    commissions_count = models.PositiveIntegerField(_("commissions made"))
    reason = models.CharField(_("why none"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("commission decision")
        verbose_name_plural = _("commission decisions")

    def __str__(self):
        return f"order {self.order_id}: {self.commissions_count} commissions {self.reason}".strip()


class Commission(models.Model):
    """What one reseller earns on one order line, fixed when the payment was
    confirmed: beneficiary, kind, tier, rate, base and amount are a snapshot
    that later changes to the tree or the plan never rewrite.

    ``amount`` is what was earned; a refund shrinks the commission in
    proportion: before settlement as ``reversed_amount`` (frozen money
    released), after it as ``clawed_back_amount`` (扣回, taken from the
    withdrawable balance). What the reseller keeps is ``net_amount``. The
    ledger holds the money; each posting is keyed by the commission."""

    order_line = models.ForeignKey(
        "orders.OrderLine", on_delete=models.PROTECT, related_name="commissions", verbose_name=_("order line")
    )
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="commissions", verbose_name=_("order")
    )
    beneficiary = models.ForeignKey(
        "distribution.Reseller", on_delete=models.PROTECT, related_name="commissions", verbose_name=_("beneficiary")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=CommissionKind.choices)
    tier = models.PositiveSmallIntegerField(_("tier"))  # 1–3; 1 for the shop markup
    rate_bps = models.PositiveIntegerField(_("rate (bp)"), default=0)  # 0 for the markup
    base_amount = models.BigIntegerField(_("base (fen)"))
    amount = models.BigIntegerField(_("earned (fen)"))
    reversed_amount = models.BigIntegerField(_("reversed before settlement (fen)"), default=0)
    clawed_back_amount = models.BigIntegerField(_("clawed back after settlement (fen)"), default=0)
    state = models.CharField(_("state"), max_length=10, choices=CommissionState.choices, default=CommissionState.FROZEN)
    plan = models.ForeignKey(
        CommissionPlan, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("commission plan")
    )
    # the beneficiary's grade as the payment committed (its rate is ``rate_bps``); empty: the plan's rate
    grade = models.ForeignKey(
        "commissions.Grade", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("grade")
    )
    grade_name = models.CharField(_("grade name"), max_length=30, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    matures_at = models.DateTimeField(_("matures at"), null=True, blank=True)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)

    objects = CommissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("commission")
        verbose_name_plural = _("commissions")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order_line", "beneficiary", "kind"], name="commission_once_per_line_beneficiary_kind"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="commission_amount_positive"),
            models.CheckConstraint(
                condition=Q(reversed_amount__gte=0, clawed_back_amount__gte=0)
                & Q(amount__gte=F("reversed_amount") + F("clawed_back_amount")),
                name="commission_adjustments_within_amount",
            ),
            models.CheckConstraint(condition=Q(tier__gte=1, tier__lte=3), name="commission_tier_1_to_3"),
            models.CheckConstraint(condition=Q(kind__in=CommissionKind.values), name="commission_kind_known"),
            models.CheckConstraint(condition=Q(state__in=CommissionState.values), name="commission_state_known"),
            models.CheckConstraint(
                condition=~Q(state=CommissionState.SETTLED) | Q(settled_at__isnull=False),
                name="commission_settled_has_a_time",
            ),
        ]
        indexes = [
            # the settlement sweep: frozen ones in maturity order, so a batch reads only what it takes
            models.Index(
                fields=["matures_at", "id"], condition=Q(state="frozen"), name="commission_frozen_by_maturity"
            ),
            models.Index(fields=["beneficiary", "-created_at"], name="commission_by_beneficiary"),
        ]

    def __str__(self):
        return _("%(kind)s, tier %(tier)s, reseller #%(reseller)s: %(amount)s") % {
            "kind": self.get_kind_display(),
            "tier": self.tier,
            "reseller": self.beneficiary_id,
            "amount": format_yuan(self.amount),
        }

    @property
    def net_amount(self) -> int:
        return self.amount - self.reversed_amount - self.clawed_back_amount


class SupplierPayable(models.Model):
    """A line whose cost became payable to its supplier (its after-sales
    window over): the amount posted to the supplier's payable account."""

    order_line = models.OneToOneField("orders.OrderLine", on_delete=models.PROTECT, related_name="supplier_payable")
    supplier = models.ForeignKey("catalog.Supplier", on_delete=models.PROTECT, related_name="payables")
    amount = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("supplier payable")
        verbose_name_plural = _("supplier payables")
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="supplier_payable_not_negative")]

    def __str__(self):
        return f"line {self.order_line_id} → supplier {self.supplier_id}: {format_yuan(self.amount)}"


# --- reseller grades (分销等级, docs/growth.md "Grades") ------------------------------------------

grade_colour_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("A colour like #c8a04a."))


class Grade(models.Model):
    """A grade operators define (普通店主 / 银牌 / 金牌 …): a badge, a rank
    (higher is better), the rate each tier earns for a reseller who holds it
    (empty: the plan's; a product's or category's override still wins), the
    conditions over the reseller's own results that reach it, and how long
    it is kept before a demotion may apply. Rates are checked against the
    plan and the other grades when saved (``grade_rates_error``); an order
    records the rates its earners' grades had when its payment committed."""

    name = models.CharField(_("name"), max_length=30, unique=True)
    # a character or two in a coloured circle (金, 银, ★): text renders on every phone, where emoji fonts vary
    badge = models.CharField(_("badge (a character or two, e.g. 金)"), max_length=2, default="★")
    colour = models.CharField(_("badge colour"), max_length=7, default="#c8a04a", validators=[grade_colour_validator])
    rank = models.PositiveSmallIntegerField(_("rank (higher is better)"), unique=True)
    tier1_share_bps = models.PositiveIntegerField(
        _("tier 1 share (bp)"), null=True, blank=True, validators=share_validators
    )
    tier2_share_bps = models.PositiveIntegerField(
        _("tier 2 share (bp)"), null=True, blank=True, validators=share_validators
    )
    tier3_share_bps = models.PositiveIntegerField(
        _("tier 3 share (bp)"), null=True, blank=True, validators=share_validators
    )
    hold_days = models.PositiveSmallIntegerField(
        _("kept at least (days) before a demotion"), default=0, validators=[MaxValueValidator(3650)]
    )
    is_active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reseller grade")
        verbose_name_plural = _("reseller grades")
        ordering = ["rank"]
        constraints = [
            models.CheckConstraint(
                condition=Q(tier1_share_bps__isnull=True) | Q(tier1_share_bps__lte=BASIS_POINTS),
                name="grade_tier1_within_100_percent",
            ),
            models.CheckConstraint(
                condition=Q(tier2_share_bps__isnull=True) | Q(tier2_share_bps__lte=BASIS_POINTS),
                name="grade_tier2_within_100_percent",
            ),
            models.CheckConstraint(
                condition=Q(tier3_share_bps__isnull=True) | Q(tier3_share_bps__lte=BASIS_POINTS),
                name="grade_tier3_within_100_percent",
            ),
        ]

    def __str__(self):
        return f"{self.badge} {self.name}".strip()

    def tier_rates(self) -> list[int | None]:
        """Per tier, tier 1 first: this grade's rate (bp), None for the plan's."""
        return [self.tier1_share_bps, self.tier2_share_bps, self.tier3_share_bps]


class GradeCondition(models.Model):
    """One condition of a grade: the reseller's own figure of ``kind`` over
    the last ``window_days`` days reaches ``threshold`` (fen for sales, a
    count otherwise). The kinds hold no recruiting and no team figure, by
    design (``GradeConditionKind``); the database refuses any other kind."""

    grade = models.ForeignKey(Grade, on_delete=models.CASCADE, related_name="conditions", verbose_name=_("grade"))
    kind = models.CharField(_("condition"), max_length=20, choices=GradeConditionKind.choices)
    threshold = models.BigIntegerField(_("threshold"))
    window_days = models.PositiveSmallIntegerField(
        _("over the last (days)"), default=30, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )

    class Meta:
        verbose_name = _("promotion condition")
        verbose_name_plural = _("promotion conditions")
        ordering = ["grade", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=GradeConditionKind.values), name="grade_condition_own_results_only"
            ),
            models.CheckConstraint(condition=Q(threshold__gte=0), name="grade_condition_threshold_not_negative"),
            models.CheckConstraint(
                condition=Q(window_days__gte=1, window_days__lte=365), name="grade_condition_window_1_to_365"
            ),
            models.UniqueConstraint(fields=["grade", "kind", "window_days"], name="grade_condition_once"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ≥ {self.threshold} / {self.window_days}d"


class ResellerGrade(models.Model):
    """The grade a reseller holds now (none: the plan's rates), written only
    by ``commissions.services.grades`` under this row's lock. ``manual``: an
    operator set it by hand, and the automatic rule leaves it until an
    operator gives it back; ``held_until``: no demotion before."""

    reseller = models.OneToOneField(
        "distribution.Reseller",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="grade_held",
        verbose_name=_("reseller"),
    )
    grade = models.ForeignKey(
        Grade, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("grade")
    )
    manual = models.BooleanField(_("set by hand (the automatic rule leaves it)"), default=False)
    held_until = models.DateTimeField(_("no demotion before"), null=True, blank=True)
    since = models.DateTimeField(_("holds it since"), null=True, blank=True)
    evaluated_at = models.DateTimeField(_("last evaluated"), null=True, blank=True)

    class Meta:
        verbose_name = _("reseller's grade")
        verbose_name_plural = _("resellers' grades")
        indexes = [models.Index(fields=["grade"], name="reseller_grade_by_grade")]

    def __str__(self):
        return f"#{self.reseller_id}: {self.grade or '—'}"


class GradeChange(models.Model):
    """Every change of a reseller's grade, with the figures that justified it
    (window → kind → figure) and who made it (empty: the automatic rule)."""

    reseller = models.ForeignKey(
        "distribution.Reseller", on_delete=models.PROTECT, related_name="grade_changes", verbose_name=_("reseller")
    )
    from_grade = models.ForeignKey(
        Grade, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("from grade")
    )
    to_grade = models.ForeignKey(
        Grade, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("to grade")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=GradeChangeKind.choices)
    figures = models.JSONField(_("figures"), default=dict)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("grade change")
        verbose_name_plural = _("grade changes")
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["reseller", "-changed_at"], name="grade_change_by_reseller")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=GradeChangeKind.values), name="grade_change_kind_known"),
            models.CheckConstraint(
                condition=~Q(kind=GradeChangeKind.MANUAL) | Q(actor__isnull=False), name="grade_change_manual_has_actor"
            ),
        ]

    def __str__(self):
        return f"#{self.reseller_id}: {self.from_grade or '—'} → {self.to_grade or '—'}"
