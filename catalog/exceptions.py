from django.utils.translation import gettext_lazy as _

from socialshop.errors import Conflict, DomainError, PermissionDenied


class InvalidPriceBounds(DomainError):
    code = "invalid_price_bounds"
    default_message = _("Prices must satisfy: cost ≤ lowest resale price ≤ list price ≤ highest resale price.")


class InvalidProductTransition(Conflict):
    code = "invalid_transition"
    default_message = _("The product cannot move to that status from its current one.")


class ProductIncomplete(Conflict):
    code = "product_incomplete"
    default_message = _("A product needs at least one active SKU before it can go on sale.")


class SkuCodeTaken(DomainError):
    code = "sku_code_taken"
    default_message = _("Another SKU of this product already has this code.")


class StaffOfAnotherSupplier(Conflict):
    code = "staff_of_another_supplier"
    default_message = _("This user already works for another supplier.")


class SupplierNameTaken(DomainError):
    code = "supplier_name_taken"
    default_message = _("A supplier with this name already exists.")


class NegativeStock(DomainError):
    code = "invalid_stock"
    default_message = _("Stock cannot be negative.")


class NotSupplierStaff(PermissionDenied):
    code = "not_supplier_staff"
    default_message = _("Only a supplier's staff can do this.")
