"""The only writers of suppliers, products, SKUs and their images."""

import uuid
from dataclasses import asdict, dataclass, field
from functools import partial

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from accounts.phone import normalize_mainland_mobile
from accounts.services import user_create, user_promote
from socialshop.states import StateMachine, state_set

from .calculations import price_bound_errors
from .choices import OPERATOR, PRODUCT_TRANSITIONS, SUPPLIER, ProductStatus
from .exceptions import (
    InvalidPriceBounds,
    InvalidProductTransition,
    NegativeStock,
    ProductIncomplete,
    SkuCodeTaken,
    StaffOfAnotherSupplier,
    SupplierNameTaken,
)
from .images import image_process
from .models import Category, Product, ProductImage, ProductStatusChange, Sku, Supplier, SupplierMembership
from .stock import stock_count_set

PRODUCT_MACHINE = StateMachine(transitions=PRODUCT_TRANSITIONS, error=InvalidProductTransition)


@dataclass(frozen=True)
class SkuInput:
    """A SKU as a supplier enters it; its field names are Sku's."""

    code: str
    cost_amount: int
    list_price_amount: int
    min_resale_amount: int
    max_resale_amount: int
    stock: int = 0
    spec: dict = field(default_factory=dict)
    is_active: bool = True


def sku_check_price_bounds(*, cost: int, min_resale: int, list_price: int, max_resale: int) -> None:
    """cost ≤ lowest resale ≤ list ≤ highest resale, all non-negative. The same
    rule is a CHECK constraint on the table; this gives a clear error first,
    with a message on each field that breaks it."""
    errors = price_bound_errors(cost=cost, min_resale=min_resale, list_price=list_price, max_resale=max_resale)
    if errors:
        raise InvalidPriceBounds(fields=errors)


def _sku_check(sku: SkuInput) -> None:
    sku_check_price_bounds(
        cost=sku.cost_amount,
        min_resale=sku.min_resale_amount,
        list_price=sku.list_price_amount,
        max_resale=sku.max_resale_amount,
    )
    if sku.stock < 0:
        raise NegativeStock(fields={"stock": [str(NegativeStock.default_message)]})


# --- suppliers ------------------------------------------------------------


@transaction.atomic
def supplier_create(*, name: str, contact_name: str = "", contact_phone: str = "") -> Supplier:
    if Supplier.objects.filter(name=name).exists():
        raise SupplierNameTaken(fields={"name": [str(SupplierNameTaken.default_message)]})
    return Supplier.objects.create(name=name, contact_name=contact_name, contact_phone=contact_phone)


@transaction.atomic
def supplier_staff_add(*, supplier: Supplier, user: User) -> SupplierMembership:
    """Make a customer the staff of one supplier (its role changes with it).
    Idempotent for the same supplier; refused for staff of another one."""
    existing = SupplierMembership.objects.filter(user=user).first()
    if existing is not None:
        if existing.supplier_id != supplier.pk:
            raise StaffOfAnotherSupplier()
        return existing
    user_promote(user=user, role=Role.SUPPLIER_STAFF)
    return SupplierMembership.objects.create(user=user, supplier=supplier)


@transaction.atomic
def supplier_staff_invite(
    *, supplier: Supplier, phone: str, nickname: str = "", password: str | None = None
) -> SupplierMembership:
    """An operator gives a supplier a staff log-in: the user with this mobile
    number (a customer, promoted) or a new one with ``password``."""
    user = User.objects.filter(phone=normalize_mainland_mobile(phone)).first()
    if user is None:
        user = user_create(phone=phone, password=password, nickname=nickname)
    return supplier_staff_add(supplier=supplier, user=user)


@transaction.atomic
def supplier_onboard(
    *,
    name: str,
    contact_name: str = "",
    contact_phone: str = "",
    staff_phone: str,
    staff_nickname: str = "",
    staff_password: str | None = None,
) -> Supplier:
    """An operator onboards a supplier and its first staff log-in, all or nothing."""
    supplier = supplier_create(name=name, contact_name=contact_name, contact_phone=contact_phone)
    supplier_staff_invite(supplier=supplier, phone=staff_phone, nickname=staff_nickname, password=staff_password)
    return supplier


# --- products and SKUs ------------------------------------------------------


@transaction.atomic
def product_create(
    *, supplier: Supplier, category: Category, title: str, description: str = "", skus: list[SkuInput] = ()
) -> Product:
    """A new product in draft, with its SKUs. Nothing is saved if any SKU's
    prices break the bounds rule or two SKUs share a code."""
    codes = [sku.code for sku in skus]
    if len(set(codes)) != len(codes):
        raise SkuCodeTaken(fields={"code": [str(SkuCodeTaken.default_message)]})
    for sku in skus:
        _sku_check(sku)
    product = Product.objects.create(supplier=supplier, category=category, title=title, description=description)
    Sku.objects.bulk_create(_sku_new(product, sku) for sku in skus)
    return product


def _sku_new(product: Product, data: SkuInput) -> Sku:
    """A new SKU, not saved yet; its first count is the stock module's to write."""
    sku = Sku(product=product, **{name: value for name, value in asdict(data).items() if name != "stock"})
    stock_count_set(sku=sku, count=data.stock)
    return sku


@transaction.atomic
def product_update(*, product: Product, title: str, description: str, category: Category) -> Product:
    """A supplier edits its product's words and category; its review status
    stays as it is (operators take a product off sale if they must)."""
    product.title = title
    product.description = description
    product.category = category
    product.save(update_fields=["title", "description", "category", "updated_at"])
    return product


def _product_touch(product_id: int) -> None:
    # updated_at marks "something a buyer sees changed" (posters are re-made)
    Product.objects.filter(pk=product_id).update(updated_at=timezone.now())


@transaction.atomic
def sku_create(*, product: Product, sku: SkuInput) -> Sku:
    _sku_check(sku)
    if Sku.objects.filter(product=product, code=sku.code).exists():
        raise SkuCodeTaken(fields={"code": [str(SkuCodeTaken.default_message)]})
    created = _sku_new(product, sku)
    created.save(force_insert=True)
    _product_touch(product.pk)
    return created


@transaction.atomic
def sku_update(*, sku: Sku, data: SkuInput) -> Sku:
    """A supplier changes a SKU's code, spec, prices, stock or active flag.
    Locks the row. Shop prices outside new bounds are not rewritten: the
    shops' selectors clamp them into the bounds when they read them."""
    _sku_check(data)
    locked = Sku.objects.select_for_update().get(pk=sku.pk)
    if data.code != locked.code and Sku.objects.filter(product_id=locked.product_id, code=data.code).exists():
        raise SkuCodeTaken(fields={"code": [str(SkuCodeTaken.default_message)]})
    for name, value in asdict(data).items():
        if name != "stock":
            setattr(locked, name, value)
    stock_count_set(sku=locked, count=data.stock)
    locked.save()
    _product_touch(locked.product_id)
    return locked


def product_image_add(*, product: Product, data: bytes, position: int | None = None) -> ProductImage:
    """Validate (catalog.images) and store an image with its thumbnail; by
    default it goes after the product's other images. Raises ValidationError
    and stores nothing when the file is not an acceptable image."""
    processed = image_process(data)
    if position is None:
        last = product.images.order_by("-position").values_list("position", flat=True).first()
        position = 0 if last is None else last + 1
    stem = uuid.uuid4().hex
    image = ProductImage(product=product, position=position)
    image.image.save(f"{stem}.{processed.extension}", ContentFile(processed.image), save=False)
    image.thumbnail.save(f"{stem}.{processed.extension}", ContentFile(processed.thumbnail), save=False)
    image.save()
    _product_touch(product.pk)
    return image


def product_image_delete(*, image: ProductImage) -> None:
    """Remove an image and its files."""
    product_id = image.product_id
    storage_names = [image.image.name, image.thumbnail.name]
    storage = image.image.storage
    image.delete()
    for name in storage_names:
        if name:
            transaction.on_commit(lambda name=name: storage.delete(name))
    _product_touch(product_id)


@transaction.atomic
def product_set_status(*, product: Product, status: str, by: User | None = None) -> Product:
    """Move a product along draft → on sale → off sale (see PRODUCT_TRANSITIONS):
    operators (and the platform's scripts, ``by=None``) review it, its
    supplier's staff may only take it off sale. Locks the row, records who
    did it; going on sale needs an active SKU. Asking for the status it
    already has is a no-op."""
    locked = Product.objects.select_for_update().get(pk=product.pk)
    if status == locked.status:
        return locked
    actor_kind = SUPPLIER if by is not None and by.is_supplier_staff else OPERATOR
    if not PRODUCT_MACHINE.allows(locked.status, status, actor_kind):
        raise PRODUCT_MACHINE.refuse(locked.status, status)  # before the SKU check: the move itself is refused
    if status == ProductStatus.ON_SALE and not locked.skus.filter(is_active=True).exists():
        raise ProductIncomplete()
    state_set(
        locked,
        status,
        machine=PRODUCT_MACHINE,
        actor_kind=actor_kind,
        audit=partial(_status_audit, by),
        updated_at=timezone.now(),
    )
    product.refresh_from_db(fields=["status", "updated_at"])  # the caller's copy, as the kernel left the row
    return locked


def _status_audit(by: User | None, product: Product, from_status: str, to_status: str) -> ProductStatusChange:
    return ProductStatusChange(product=product, from_status=from_status, to_status=to_status, changed_by=by)
