"""Reading coupons: what a user may claim, what it holds, what its cart may use."""

from datetime import datetime

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from catalog.models import Product

from .calculations import CouponRule
from .choices import ClaimStatus, CouponScope
from .models import SINGLETON_ID, ClaimedCoupon, Coupon, CouponSettings


def coupon_settings_get() -> CouponSettings:
    return CouponSettings.objects.filter(pk=SINGLETON_ID).first() or CouponSettings()


def coupon_rule(coupon: Coupon) -> CouponRule:
    """The arithmetic's view of a coupon (its products prefetched when its
    scope is chosen products)."""
    return CouponRule(
        kind=coupon.kind,
        scope=coupon.scope,
        threshold_amount=coupon.threshold_amount,
        off_amount=coupon.off_amount,
        percent_off_bps=coupon.percent_off_bps,
        cap_amount=coupon.cap_amount,
        category_id=coupon.category_id,
        supplier_id=coupon.supplier_id,
        product_ids=frozenset(product.pk for product in coupon.products.all())
        if coupon.scope == CouponScope.PRODUCTS
        else frozenset(),
        combines_with_flash=coupon.combines_with_flash,
        funder=coupon.funder,
        funder_supplier_id=coupon.funder_supplier_id,
    )


def _window_open(now: datetime) -> Q:
    return Q(valid_until__isnull=True) | Q(valid_until__gt=now)


def coupons_claimable(*, now: datetime | None = None, product: Product | None = None) -> QuerySet[Coupon]:
    """Coupons shown in the coupon centre (or, with ``product``, those
    reaching that product, for its page): active, in the centre, still
    claimable (window not over, some left). One query."""
    now = now or timezone.now()
    coupons = (
        Coupon.objects.filter(is_active=True, in_centre=True, code__isnull=True)
        .filter(_window_open(now))
        .filter(Q(total_limit__isnull=True) | Q(issued_count__lt=F("total_limit")))
        .order_by("-created_at", "-pk")
    )
    if product is None:
        return coupons
    reaching = coupons.filter(
        Q(scope=CouponScope.ALL)
        | Q(scope=CouponScope.CATEGORY, category_id=product.category_id)
        | Q(scope=CouponScope.SUPPLIER, supplier_id=product.supplier_id)
        | Q(scope=CouponScope.PRODUCTS, products=product.pk)
    )
    # a supplier's coupon only ever reaches its own products
    return reaching.filter(Q(funder_supplier__isnull=True) | Q(funder_supplier_id=product.supplier_id)).distinct()


def claimed_counts(*, user: User, coupon_ids: list[int]) -> dict[int, int]:
    """How many of each coupon the user holds (any status): against the per-person limit."""
    if not user.is_authenticated or not coupon_ids:
        return {}
    return dict(
        ClaimedCoupon.objects.filter(user=user, coupon_id__in=coupon_ids)
        .values("coupon_id")
        .annotate(held=Count("pk"))
        .values_list("coupon_id", "held")
    )


def coupons_with_held(coupons, *, user: User) -> list[tuple[Coupon, bool]]:
    """Each coupon and whether ``user`` already holds as many as it may (the
    领取 button becomes 已领取), in one query."""
    coupons = list(coupons)
    held = claimed_counts(user=user, coupon_ids=[coupon.pk for coupon in coupons])
    return [(coupon, held.get(coupon.pk, 0) >= coupon.per_person_limit) for coupon in coupons]


def claimed_coupons_of(*, user: User, status: str, now: datetime | None = None) -> QuerySet[ClaimedCoupon]:
    """The user's coupons in one tab of 我的优惠券: unused (still valid),
    used, or expired (including unused ones whose window ended and that the
    sweep has not moved yet)."""
    now = now or timezone.now()
    claims = ClaimedCoupon.objects.filter(user=user).select_related("coupon")
    if status == ClaimStatus.UNUSED:
        claims = claims.filter(status=ClaimStatus.UNUSED, valid_until__gt=now).order_by("valid_until", "pk")
    elif status == ClaimStatus.USED:
        claims = claims.filter(status=ClaimStatus.USED).order_by("-used_at", "-pk")
    else:
        claims = claims.filter(
            Q(status=ClaimStatus.EXPIRED) | Q(status=ClaimStatus.UNUSED, valid_until__lte=now)
        ).order_by("-valid_until", "-pk")
    return claims


def claims_usable(*, user: User, now: datetime | None = None, ids: list[int] | None = None) -> list[ClaimedCoupon]:
    """The user's unused coupons valid now (``ids``: only those), with their
    coupon and its products: what checkout may apply."""
    now = now or timezone.now()
    claims = ClaimedCoupon.objects.filter(
        user=user, status=ClaimStatus.UNUSED, valid_from__lte=now, valid_until__gt=now
    ).select_related("coupon")
    if ids is not None:
        claims = claims.filter(pk__in=ids)
    return list(claims.prefetch_related("coupon__products").order_by("valid_until", "pk"))


def coupons_with_usage(coupons: QuerySet[Coupon]) -> QuerySet[Coupon]:
    """Each coupon with its usage figures (the admin's and the supplier
    portal's): ``used_count`` and ``expired_count`` beside ``issued_count``,
    in the list's own query."""
    return coupons.annotate(
        used_count=Count("claims", filter=Q(claims__status=ClaimStatus.USED)),
        expired_count=Count("claims", filter=Q(claims__status=ClaimStatus.EXPIRED)),
    )


def reseller_codes_of(*, reseller) -> QuerySet[Coupon]:
    """A reseller's own promo codes (newest first), each with its usage
    figures (``coupons_with_usage``), in one query."""
    return coupons_with_usage(Coupon.objects.filter(funder_reseller=reseller, code__isnull=False)).order_by(
        "-created_at", "-pk"
    )
