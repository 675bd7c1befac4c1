from django.db import models
from django.utils.translation import gettext_lazy as _


class ProductStatus(models.TextChoices):
    """Operators review products: draft → on sale → off sale (and back)."""

    DRAFT = "draft", _("Draft")
    ON_SALE = "on_sale", _("On sale")
    OFF_SALE = "off_sale", _("Off sale")


# who moves a product (decision 14): operators review it; its supplier's staff may only take it off sale
OPERATOR = "operator"  # also the platform's own scripts (seed_demo), which act for the operators
SUPPLIER = "supplier"

# (from, to) → the kinds of actor that may make that move (the transition kernel's shape)
PRODUCT_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (ProductStatus.DRAFT, ProductStatus.ON_SALE): frozenset({OPERATOR}),
    (ProductStatus.ON_SALE, ProductStatus.OFF_SALE): frozenset({OPERATOR, SUPPLIER}),
    (ProductStatus.OFF_SALE, ProductStatus.ON_SALE): frozenset({OPERATOR}),
    (ProductStatus.OFF_SALE, ProductStatus.DRAFT): frozenset({OPERATOR}),
}
