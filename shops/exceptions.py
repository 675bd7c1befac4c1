from django.utils.translation import gettext_lazy as _

from socialshop.errors import Conflict, DomainError, PermissionDenied


class PriceOutOfBounds(DomainError):
    code = "price_out_of_bounds"
    default_message = _("The price must lie between the SKU's lowest and highest resale price.")


class ProductNotOnSale(Conflict):
    code = "product_not_on_sale"
    default_message = _("Only products on sale can be picked.")


class ShopAlreadyOpen(Conflict):
    code = "shop_already_open"
    default_message = _("This reseller already has a shop.")


class ShopSlugInvalid(DomainError):
    code = "shop_slug_invalid"
    default_message = _("Use 3 to 40 lower-case letters, digits or hyphens, starting with a letter or digit.")


class ShopSlugTaken(DomainError):
    code = "shop_slug_taken"
    default_message = _("This address is taken; try another.")


class ResellerNotActive(Conflict):
    code = "reseller_not_active"
    default_message = _("Only an active reseller can run a shop.")


class InvalidShopTransition(Conflict):
    code = "invalid_transition"
    default_message = _("The shop cannot move to that status from its current one.")


class ShopTransitionNotAllowed(PermissionDenied):
    code = "shop_transition_not_allowed"
    default_message = _("Only the platform's operators can suspend a shop or lift a suspension.")


class SkuNotInProduct(DomainError):
    code = "sku_not_in_product"
    default_message = _("This SKU does not belong to the product.")


class ShopNotOpen(Conflict):
    code = "shop_not_open"
    default_message = _("This shop is closed or suspended.")


class NotReseller(PermissionDenied):
    code = "not_a_reseller"
    default_message = _("Only active resellers can run a shop.")
