from django.db import models
from django.utils.translation import gettext_lazy as _


class ProductStatus(models.TextChoices):
    """Operators review products: draft → on sale → off sale (and back)."""

    DRAFT = "draft", _("Draft")
    ON_SALE = "on_sale", _("On sale")
    OFF_SALE = "off_sale", _("Off sale")


PRODUCT_TRANSITIONS: dict[str, set[str]] = {
    ProductStatus.DRAFT: {ProductStatus.ON_SALE},
    ProductStatus.ON_SALE: {ProductStatus.OFF_SALE},
    ProductStatus.OFF_SALE: {ProductStatus.ON_SALE, ProductStatus.DRAFT},
}
