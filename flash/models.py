"""Flash-sale campaigns (秒杀), their SKUs and the buyers admitted to them.

A campaign is one time slot (starting on a slot hour, Beijing time: 10:00,
14:00, 20:00 by default, ``FLASH_SLOT_HOURS``) with its rules: the
per-person limit, how long an admission holds a unit before it goes back
(``hold_minutes``), whether coupons apply, and what flash lines earn
resellers. Each ``FlashItem`` is one SKU at a flash price with its own flash
stock, taken from the SKU when the slot opens and given back when it closes.

PostgreSQL holds the truth the Redis gate is rebuilt from (docs/flash-sales.md):
per item ``flash_stock`` (units taken from the SKU at the opening), ``taken``
(admissions holding a unit: admitted or ordered) and ``sold`` (of those, the
units handed to orders); CHECK ``0 ≤ sold ≤ taken ≤ flash_stock`` backs it.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Sku
from orders.models import Order
from socialshop.money import BASIS_POINTS

from .choices import AdmissionStatus, CommissionMode


class FlashCampaign(models.Model):
    title = models.CharField(_("title"), max_length=60)
    starts_at = models.DateTimeField(_("slot starts at"), db_index=True)
    ends_at = models.DateTimeField(_("slot ends at"))
    per_person_limit = models.PositiveSmallIntegerField(
        _("per-person limit"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    hold_minutes = models.PositiveSmallIntegerField(
        _("an admission not paid within (minutes) goes back"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    coupons_apply = models.BooleanField(_("coupons apply to flash lines"), default=False)
    commission_mode = models.CharField(
        _("commission on flash lines"), max_length=10, choices=CommissionMode.choices, default=CommissionMode.FULL
    )
    commission_share_bps = models.PositiveSmallIntegerField(
        _("lower rate: share of the usual commission (basis points)"),
        default=5_000,
        validators=[MaxValueValidator(BASIS_POINTS)],
        help_text=_("5000 = half of what the plan pays; used with 'a lower rate' only."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("flash-sale campaign")
        verbose_name_plural = _("flash-sale campaigns")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="flash_campaign_ends_after_start"),
            models.CheckConstraint(
                condition=Q(per_person_limit__gte=1, hold_minutes__gte=1, commission_share_bps__lte=BASIS_POINTS),
                name="flash_campaign_rules_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.title} {timezone.localtime(self.starts_at):%m-%d %H:%M}"

    def clean(self):
        if self.starts_at:
            local = timezone.localtime(self.starts_at)
            if local.hour not in settings.FLASH_SLOT_HOURS or local.minute or local.second:
                hours = "、".join(f"{hour}:00" for hour in settings.FLASH_SLOT_HOURS)
                raise ValidationError({"starts_at": _("A slot starts on the hour, at %(hours)s.") % {"hours": hours}})
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The slot must end after it starts.")})

    @property
    def commission_share(self) -> int:
        """The share of the plan's commission a flash line earns (basis points)."""
        if self.commission_mode == CommissionMode.NONE:
            return 0
        if self.commission_mode == CommissionMode.REDUCED:
            return self.commission_share_bps
        return BASIS_POINTS

    @property
    def hold(self) -> timedelta:
        return timedelta(minutes=self.hold_minutes)


class FlashItem(models.Model):
    campaign = models.ForeignKey(
        FlashCampaign, on_delete=models.CASCADE, related_name="items", verbose_name=_("flash-sale campaign")
    )
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="+", verbose_name=_("SKU"))
    flash_price_amount = models.BigIntegerField(_("flash price (fen)"), validators=[MinValueValidator(1)])
    planned_stock = models.PositiveIntegerField(_("flash stock to take when the slot opens"))
    # the counts the gate is rebuilt from (written by flash.services only)
    flash_stock = models.PositiveIntegerField(_("flash stock taken"), default=0, editable=False)
    taken = models.PositiveIntegerField(_("units held by admissions"), default=0, editable=False)
    sold = models.PositiveIntegerField(_("units handed to orders"), default=0, editable=False)
    opened_at = models.DateTimeField(_("stock taken at"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("stock returned at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("flash-sale item")
        verbose_name_plural = _("flash-sale items")
        ordering = ["campaign", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "sku"], name="flash_item_once_per_campaign"),
            models.CheckConstraint(
                condition=Q(sold__gte=0, sold__lte=F("taken"), taken__lte=F("flash_stock")),
                name="flash_item_counts_consistent",
            ),
            models.CheckConstraint(condition=Q(flash_price_amount__gt=0), name="flash_item_price_positive"),
        ]

    def __str__(self):
        return f"{self.campaign}: {self.sku}"

    @property
    def left(self) -> int:
        """Units still to be had (what the gate should hold)."""
        return self.flash_stock - self.taken


class FlashAdmission(models.Model):
    """A buyer let through the gate: it holds one unit until ordered and
    paid, or released (not ordered or not paid in time, order cancelled,
    slot ended). ``status`` moves only through ``flash.services``."""

    item = models.ForeignKey(
        FlashItem, on_delete=models.PROTECT, related_name="admissions", verbose_name=_("flash-sale item")
    )
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("buyer")
    )
    token = models.CharField(_("admission token"), max_length=32, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=AdmissionStatus.choices, default=AdmissionStatus.ADMITTED
    )
    order = models.OneToOneField(
        Order, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("order")
    )
    created_at = models.DateTimeField(_("admitted at"), default=timezone.now)
    expires_at = models.DateTimeField(_("held until"))
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)

    class Meta:
        verbose_name = _("flash-sale admission")
        verbose_name_plural = _("flash-sale admissions")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["item", "buyer", "status"], name="flash_admission_by_buyer"),
            models.Index(fields=["status", "expires_at"], name="flash_admission_due"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=AdmissionStatus.values), name="flash_admission_status"),
            models.CheckConstraint(
                condition=~Q(status=AdmissionStatus.ORDERED) | Q(order__isnull=False),
                name="flash_admission_ordered_has_order",
            ),
        ]

    def __str__(self):
        return f"{self.item_id}/{self.buyer_id}: {self.status}"
