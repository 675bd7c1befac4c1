"""Readers of the catalogue: what is on sale, and what a supplier's staff may see."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from accounts.models import User
from socialshop.errors import NotFound

from .models import Category, Product, ProductImage, Sku, Supplier


def product_images_prefetch(to_attr: str = "ordered_images") -> Prefetch:
    return Prefetch("images", queryset=ProductImage.objects.order_by("position", "id"), to_attr=to_attr)


def active_skus_prefetch(to_attr: str = "active_skus") -> Prefetch:
    return Prefetch("skus", queryset=Sku.objects.active().order_by("id"), to_attr=to_attr)


def product_search_filter(query: str, prefix: str = "") -> Q:
    """Matches a product whose title or description contains ``query``."""
    return Q(**{f"{prefix}title__icontains": query}) | Q(**{f"{prefix}description__icontains": query})


def product_list_on_sale(*, category_slug: str | None = None, query: str | None = None) -> QuerySet[Product]:
    """Products on sale (reviewed, supplier active), newest first, with their
    category, ordered images (``ordered_images``) and active SKUs
    (``active_skus``) loaded in a constant number of queries."""
    products = (
        Product.objects.on_sale()
        .filter(Exists(Sku.objects.active().filter(product=OuterRef("pk"))))
        .select_related("category", "supplier")
        .prefetch_related(product_images_prefetch(), active_skus_prefetch())
        .order_by("-created_at", "-id")
    )
    if category_slug:
        products = products.filter(category__slug=category_slug)
    if query:
        products = products.filter(product_search_filter(query))
    return products


def product_get_on_sale(*, product_id: int) -> Product:
    product = product_list_on_sale().filter(pk=product_id).first()
    if product is None:
        raise NotFound()
    return product


def category_list() -> QuerySet[Category]:
    return Category.objects.order_by("position", "name")


def supplier_for_user(*, user: User) -> Supplier | None:
    """The supplier a staff user acts for (None for anyone else)."""
    if not user.is_authenticated or not user.is_supplier_staff:
        return None
    return Supplier.objects.filter(memberships__user=user).first()


def product_list_for_supplier(*, supplier: Supplier) -> QuerySet[Product]:
    return (
        Product.objects.filter(supplier=supplier)
        .select_related("category")
        .prefetch_related(product_images_prefetch(), Prefetch("skus", queryset=Sku.objects.order_by("id")))
        .order_by("-updated_at", "-id")
    )


def product_get_for_supplier(*, supplier: Supplier, product_id: int) -> Product:
    """One of the supplier's products; another supplier's answers NotFound."""
    product = product_list_for_supplier(supplier=supplier).filter(pk=product_id).first()
    if product is None:
        raise NotFound()
    return product
