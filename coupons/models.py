"""Coupons (docs/coupons.md): a ``Coupon`` is what an operator, a supplier
or a reseller offers (kind, scope, validity, limits, who funds it); a
``ClaimedCoupon`` is one in a user's hands, unused, used by one order, or
expired. Money is integer fen.

``coupons`` sits below ``orders`` (orders place with a coupon and call this
app), so a claimed coupon names its order by id (``order_id``), not by a
foreign key; the order's side (``orders.OrderDiscount``) holds each line's
share with a real key.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Category, Product, Supplier
from distribution.models import Reseller
from socialshop.money import BASIS_POINTS

from .choices import ClaimSource, ClaimStatus, CouponFunder, CouponKind, CouponScope

SINGLETON_ID = 1


class CouponSettings(models.Model):
    """The platform's coupon rules (one row)."""

    id = models.PositiveSmallIntegerField(_("ID"), primary_key=True, default=SINGLETON_ID, editable=False)
    stacking_allowed = models.BooleanField(
        _("allow a platform and a supplier coupon on one order"),
        default=False,
        help_text=_("Off: one coupon per order."),
    )
    reseller_code_coupon = models.ForeignKey(
        "Coupon",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("what a reseller's personal promo code gives"),
        help_text=_("A platform-funded coupon; a buyer who enters a reseller's invite code as a promo code gets it."),
    )

    class Meta:
        verbose_name = _("coupon settings")
        verbose_name_plural = _("coupon settings")

    def __str__(self):
        return str(_("Coupon settings"))


class Coupon(models.Model):
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=20, choices=CouponKind.choices)
    threshold_amount = models.BigIntegerField(
        _("threshold (fen)"), default=0, help_text=_("The eligible items must come to at least this much.")
    )
    off_amount = models.BigIntegerField(_("amount off (fen)"), default=0)
    percent_off_bps = models.PositiveIntegerField(
        _("percentage off (basis points)"), default=0, help_text=_("1500 = 8.5折 (15 percent off).")
    )
    cap_amount = models.BigIntegerField(_("at most off (fen)"), default=0)
    scope = models.CharField(_("applies to"), max_length=20, choices=CouponScope.choices, default=CouponScope.ALL)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("category")
    )
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("supplier")
    )
    products = models.ManyToManyField(Product, blank=True, related_name="+", verbose_name=_("products"))
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    valid_days = models.PositiveIntegerField(
        _("valid for days after claiming"), null=True, blank=True, help_text=_("Empty: the fixed window above.")
    )
    total_limit = models.PositiveIntegerField(_("at most issued"), null=True, blank=True)
    issued_count = models.PositiveIntegerField(_("issued"), default=0, editable=False)
    per_person_limit = models.PositiveIntegerField(_("at most per person"), default=1)
    combines_with_flash = models.BooleanField(_("applies to flash-sale prices"), default=False)
    funder = models.CharField(_("funded by"), max_length=20, choices=CouponFunder.choices)
    funder_supplier = models.ForeignKey(
        Supplier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funded_coupons",
        verbose_name=_("funding supplier"),
    )
    funder_reseller = models.ForeignKey(
        Reseller,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funded_coupons",
        verbose_name=_("funding reseller"),
    )
    code = models.CharField(_("promo code"), max_length=20, null=True, blank=True, unique=True)
    in_centre = models.BooleanField(_("shown in the coupon centre and on product pages"), default=True)
    on_sign_up = models.BooleanField(_("given on sign-up"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(threshold_amount__gte=0, off_amount__gte=0, cap_amount__gte=0),
                name="coupon_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(kind=CouponKind.PERCENT_OFF)
                | Q(percent_off_bps__gt=0, percent_off_bps__lt=BASIS_POINTS, cap_amount__gt=0),
                name="coupon_percent_has_rate_and_cap",
            ),
            models.CheckConstraint(
                condition=Q(kind=CouponKind.PERCENT_OFF) | Q(off_amount__gt=0), name="coupon_amount_off_positive"
            ),
            models.CheckConstraint(
                condition=~Q(kind=CouponKind.AMOUNT_OFF) | Q(threshold_amount__gt=F("off_amount")),
                name="coupon_threshold_above_amount_off",
            ),
            models.CheckConstraint(
                condition=~Q(kind=CouponKind.NO_THRESHOLD) | Q(threshold_amount=0),
                name="coupon_no_threshold_has_none",
            ),
            models.CheckConstraint(
                condition=~Q(funder=CouponFunder.SUPPLIER) | Q(funder_supplier__isnull=False),
                name="coupon_supplier_funder_named",
            ),
            models.CheckConstraint(
                condition=~Q(funder=CouponFunder.RESELLER) | Q(funder_reseller__isnull=False),
                name="coupon_reseller_funder_named",
            ),
            models.CheckConstraint(
                condition=Q(valid_days__isnull=False) | Q(valid_until__isnull=False), name="coupon_validity_given"
            ),
            models.CheckConstraint(
                condition=Q(total_limit__isnull=True) | Q(issued_count__lte=F("total_limit")),
                name="coupon_issued_within_limit",
            ),
            models.CheckConstraint(condition=Q(per_person_limit__gte=1), name="coupon_per_person_positive"),
        ]

    def __str__(self):
        return self.name

    @property
    def funder_id(self) -> int | None:
        """Who pays: the supplier's or reseller's id, None for the platform."""
        if self.funder == CouponFunder.SUPPLIER:
            return self.funder_supplier_id
        if self.funder == CouponFunder.RESELLER:
            return self.funder_reseller_id
        return None


class ClaimedCoupon(models.Model):
    coupon = models.ForeignKey(Coupon, on_delete=models.PROTECT, related_name="claims", verbose_name=_("coupon"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coupons", verbose_name=_("user")
    )
    status = models.CharField(_("status"), max_length=20, choices=ClaimStatus.choices, default=ClaimStatus.UNUSED)
    source = models.CharField(_("how it was got"), max_length=20, choices=ClaimSource.choices)
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    claimed_at = models.DateTimeField(_("claimed at"), auto_now_add=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    # the order it is used by (orders sits above coupons: an id, not a key; orders.OrderDiscount has the key)
    order_id = models.BigIntegerField(_("used by order"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("claimed coupon")
        verbose_name_plural = _("claimed coupons")
        indexes = [models.Index(fields=["user", "status", "valid_until"], name="claimed_coupon_wallet")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=ClaimStatus.USED) | Q(order_id__isnull=False), name="claimed_coupon_used_by_order"
            ),
            models.CheckConstraint(condition=Q(valid_until__gt=F("valid_from")), name="claimed_coupon_window"),
        ]

    def __str__(self):
        return f"{self.coupon} · {self.user_id}"
