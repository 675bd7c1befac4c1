from django.utils.translation import gettext_lazy as _

from socialshop.errors import Conflict, DomainError


class PriceOutOfBounds(DomainError):
    code = "price_out_of_bounds"
    default_message = _("The price must lie between the SKU's lowest and highest resale price.")


class ProductNotOnSale(Conflict):
    code = "product_not_on_sale"
    default_message = _("Only products on sale can be picked.")


class ShopAlreadyOpen(Conflict):
    code = "shop_already_open"
    default_message = _("This reseller already has a shop.")
