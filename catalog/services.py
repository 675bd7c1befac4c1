"""The only writers of suppliers, products, SKUs and their images."""

import uuid
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import transaction

from accounts.choices import Role
from accounts.models import User
from accounts.services import user_promote

from .choices import PRODUCT_TRANSITIONS
from .exceptions import InvalidPriceBounds, InvalidProductTransition
from .images import image_process
from .models import Category, Product, ProductImage, Sku, Supplier, SupplierMembership


@dataclass(frozen=True)
class SkuInput:
    code: str
    cost_amount: int
    list_price_amount: int
    min_resale_amount: int
    max_resale_amount: int
    stock: int = 0
    spec: dict = field(default_factory=dict)


def sku_check_price_bounds(*, cost: int, min_resale: int, list_price: int, max_resale: int) -> None:
    """cost ≤ lowest resale ≤ list ≤ highest resale, all non-negative. The same
    rule is a CHECK constraint on the table; this gives a clear error first."""
    if not (0 <= cost <= min_resale <= list_price <= max_resale):
        raise InvalidPriceBounds(
            fields={
                "cost_amount": cost,
                "min_resale_amount": min_resale,
                "list_price_amount": list_price,
                "max_resale_amount": max_resale,
            }
        )


def supplier_create(*, name: str, contact_name: str = "", contact_phone: str = "") -> Supplier:
    return Supplier.objects.create(name=name, contact_name=contact_name, contact_phone=contact_phone)


@transaction.atomic
def supplier_staff_add(*, supplier: Supplier, user: User) -> SupplierMembership:
    """Make a customer the staff of one supplier (its role changes with it)."""
    user_promote(user=user, role=Role.SUPPLIER_STAFF)
    membership, _ = SupplierMembership.objects.get_or_create(user=user, defaults={"supplier": supplier})
    return membership


@transaction.atomic
def product_create(
    *, supplier: Supplier, category: Category, title: str, description: str = "", skus: list[SkuInput]
) -> Product:
    """A new product in draft, with its SKUs. Nothing is saved if any SKU's
    prices break the bounds rule."""
    for sku in skus:
        sku_check_price_bounds(
            cost=sku.cost_amount,
            min_resale=sku.min_resale_amount,
            list_price=sku.list_price_amount,
            max_resale=sku.max_resale_amount,
        )
    product = Product.objects.create(supplier=supplier, category=category, title=title, description=description)
    Sku.objects.bulk_create(
        Sku(
            product=product,
            code=sku.code,
            spec=sku.spec,
            cost_amount=sku.cost_amount,
            list_price_amount=sku.list_price_amount,
            min_resale_amount=sku.min_resale_amount,
            max_resale_amount=sku.max_resale_amount,
            stock=sku.stock,
        )
        for sku in skus
    )
    return product


def product_image_add(*, product: Product, data: bytes, position: int = 0) -> ProductImage:
    """Validate (catalog.images) and store an image with its thumbnail."""
    processed = image_process(data)
    stem = uuid.uuid4().hex
    image = ProductImage(product=product, position=position)
    image.image.save(f"{stem}.{processed.extension}", ContentFile(processed.image), save=False)
    image.thumbnail.save(f"{stem}.{processed.extension}", ContentFile(processed.thumbnail), save=False)
    image.save()
    return image


@transaction.atomic
def product_set_status(*, product: Product, status: str) -> Product:
    """Move a product along draft → on sale → off sale. Locks the row."""
    locked = Product.objects.select_for_update().get(pk=product.pk)
    if status == locked.status:
        return locked
    if status not in PRODUCT_TRANSITIONS.get(locked.status, set()):
        raise InvalidProductTransition(current_state=locked.status, requested_state=status)
    locked.status = status
    locked.save(update_fields=["status", "updated_at"])
    product.status = status
    return locked
