from django.utils.translation import gettext_lazy as _

from socialshop.errors import Conflict, DomainError


class CouponUnavailable(Conflict):
    """The coupon cannot be used on this order now: not the buyer's, used
    (also by a checkout a moment ago), expired, or not reaching the lines."""

    code = "coupon_unavailable"
    default_message = _("This coupon cannot be used on this order.")


class CouponsDoNotCombine(DomainError):
    code = "coupons_do_not_combine"
    default_message = _("One coupon per order (or one platform and one supplier coupon, where allowed).")


class CouponNotClaimable(Conflict):
    code = "coupon_not_claimable"
    default_message = _("This coupon cannot be claimed now.")


class CouponLimitReached(Conflict):
    code = "coupon_limit_reached"
    default_message = _("You already hold as many of this coupon as allowed, or none are left.")


class PromoCodeUnknown(DomainError):
    code = "promo_code_unknown"
    default_message = _("No coupon has this promo code.")


class OwnPromoCodeRefused(DomainError):
    code = "own_promo_code_refused"
    default_message = _("A reseller cannot use its own promo code or its team's on its own orders.")


class PromoCodeInvalid(DomainError):
    """A promo code or an own coupon that cannot be created as asked."""

    code = "coupon_invalid"
    default_message = _("A promo code is 4 to 20 letters and digits.")


class PromoCodeStopped(Conflict):
    """The code's reseller (or an operator) stopped it: no new buyer gets
    its discount; coupons already claimed with it stay usable."""

    code = "promo_code_stopped"
    default_message = _("This promo code has been stopped and no longer gives a discount.")
