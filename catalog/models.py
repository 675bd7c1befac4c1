from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .choices import ProductStatus


class Supplier(models.Model):
    """A company that lists products and drop-ships the orders for them."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    contact_name = models.CharField(_("contact name"), max_length=40, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["name"]

    def __str__(self):
        return self.name


class SupplierMembership(models.Model):
    """Ties a supplier-staff user to the one supplier it acts for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supplier_membership", verbose_name=_("user")
    )
    supplier = models.ForeignKey(
        Supplier, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("supplier")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("supplier staff")
        verbose_name_plural = _("supplier staff")

    def __str__(self):
        return f"{self.user} @ {self.supplier}"


class Category(models.Model):
    name = models.CharField(_("name"), max_length=40, unique=True)
    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


def _on_sale(product: str = "") -> Q:
    """A product on sale: put on sale (reviewed), its supplier active;
    reached through ``product`` (a lookup prefix). ``Product.is_on_sale`` is
    the same rule on a loaded row."""
    return Q(**{f"{product}status": ProductStatus.ON_SALE, f"{product}supplier__is_active": True})


class ProductQuerySet(models.QuerySet):
    def on_sale(self):
        return self.filter(_on_sale())


class Product(models.Model):
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="products", verbose_name=_("supplier")
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="products", verbose_name=_("category")
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ProductStatus.choices, default=ProductStatus.DRAFT, db_index=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ProductStatus.values), name="product_status_known"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_on_sale(self) -> bool:
        """``ProductQuerySet.on_sale`` on a row already loaded with its
        supplier (no query)."""
        return self.status == ProductStatus.ON_SALE and self.supplier.is_active


class ProductStatusChange(models.Model):
    """Who moved a product along its review states, and when (audit, append-only)."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("product")
    )
    from_status = models.CharField(_("from"), max_length=20, choices=ProductStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=ProductStatus.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("product status change")
        verbose_name_plural = _("product status changes")
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"{self.product_id}: {self.get_from_status_display() or '—'} → {self.get_to_status_display()}"


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images", verbose_name=_("product"))
    image = models.ImageField(_("image"), upload_to="products/%Y/%m/")
    thumbnail = models.ImageField(_("thumbnail"), upload_to="products/thumbs/%Y/%m/", blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("product image")
        verbose_name_plural = _("product images")
        ordering = ["position", "id"]

    def __str__(self):
        return self.image.name


class SkuQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def buyable(self):
        """SKUs a buyer can buy: active, the product on sale, its supplier
        active. The one definition of buyable, with ``Sku.is_buyable`` (the
        same rule on a loaded row); ``catalog/tests/test_buyable.py`` holds
        the two to the same rows."""
        return self.filter(_on_sale("product__"), is_active=True)


class Sku(models.Model):
    """One buyable variant of a product (e.g. 红色 / M), with its money bounds.

    Amounts are integer fen. The rule ``cost ≤ lowest resale ≤ list ≤ highest
    resale`` holds in the database, and ``stock`` never goes below zero.
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="skus", verbose_name=_("product"))
    spec = models.JSONField(_("specification"), default=dict, blank=True)  # {"颜色": "红色", "尺码": "M"}
    code = models.CharField(_("SKU code"), max_length=40)
    cost_amount = models.BigIntegerField(_("supplier cost (fen)"))
    list_price_amount = models.BigIntegerField(_("list price (fen)"))
    min_resale_amount = models.BigIntegerField(_("lowest resale price (fen)"))
    max_resale_amount = models.BigIntegerField(_("highest resale price (fen)"))
    stock = models.IntegerField(_("stock"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    objects = SkuQuerySet.as_manager()

    class Meta:
        verbose_name = _("SKU")
        verbose_name_plural = _("SKUs")
        ordering = ["product_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "code"], name="sku_code_unique_per_product"),
            models.CheckConstraint(condition=Q(stock__gte=0), name="sku_stock_not_negative"),
            models.CheckConstraint(condition=Q(cost_amount__gte=0), name="sku_cost_not_negative"),
            models.CheckConstraint(
                condition=Q(cost_amount__lte=F("min_resale_amount"))
                & Q(min_resale_amount__lte=F("list_price_amount"))
                & Q(list_price_amount__lte=F("max_resale_amount")),
                name="sku_price_bounds_ordered",
            ),
            # nothing is sold for free: a shop's price is positive, and it lies within these bounds
            models.CheckConstraint(condition=Q(min_resale_amount__gte=1), name="sku_min_resale_positive"),
        ]

    def __str__(self):
        return f"{self.product.title} {self.spec_label}".strip()

    @property
    def is_buyable(self) -> bool:
        """``SkuQuerySet.buyable`` on a row already loaded with its product
        and supplier (no query): what pricing a cart or an order asks."""
        return self.is_active and self.product.is_on_sale

    @property
    def spec_label(self) -> str:
        return " / ".join(str(value) for value in self.spec.values())

    @property
    def spec_text(self) -> str:
        """The spec as the supplier portal's form takes it: ``颜色:红色, 尺码:M``."""
        return ", ".join(f"{key}:{value}" for key, value in self.spec.items())
