from django.db import models
from django.utils.translation import gettext_lazy as _


class CouponKind(models.TextChoices):
    AMOUNT_OFF = "amount_off", _("Amount off above a threshold (满减)")
    PERCENT_OFF = "percent_off", _("Percentage off with a cap (折扣)")
    NO_THRESHOLD = "no_threshold", _("Amount off, no threshold (无门槛)")


class CouponScope(models.TextChoices):
    ALL = "all", _("Everything")
    CATEGORY = "category", _("A category")
    SUPPLIER = "supplier", _("A supplier's products")
    PRODUCTS = "products", _("Chosen products")


class CouponFunder(models.TextChoices):
    PLATFORM = "platform", _("Platform")
    SUPPLIER = "supplier", _("Supplier")
    RESELLER = "reseller", _("Reseller")


class ClaimStatus(models.TextChoices):
    UNUSED = "unused", _("Unused")
    USED = "used", _("Used")
    EXPIRED = "expired", _("Expired")


class ClaimSource(models.TextChoices):
    CENTRE = "centre", _("Coupon centre")
    PRODUCT = "product", _("Product page")
    SHARE = "share", _("Share link")
    SIGN_UP = "sign_up", _("Sign-up gift")
    ISSUED = "issued", _("Issued by an operator or supplier")
    CODE = "code", _("Promo code")


BUYER, SYSTEM = "buyer", "system"

# (from, to) → who may move a claimed coupon (socialshop/states.py): the buyer's checkout uses it, the
# system gives it back when its order is cancelled or expires, and expires it when its validity ends
CLAIM_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (ClaimStatus.UNUSED, ClaimStatus.USED): frozenset({BUYER}),
    (ClaimStatus.USED, ClaimStatus.UNUSED): frozenset({SYSTEM}),
    (ClaimStatus.USED, ClaimStatus.EXPIRED): frozenset({SYSTEM}),
    (ClaimStatus.UNUSED, ClaimStatus.EXPIRED): frozenset({SYSTEM}),
}
