import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.choices import Role
from accounts.tests.factories import OperatorFactory, UserFactory
from catalog.choices import OPERATOR, PRODUCT_TRANSITIONS, SUPPLIER, ProductStatus
from catalog.exceptions import (
    InvalidPriceBounds,
    InvalidProductTransition,
    ProductIncomplete,
    SkuCodeTaken,
    StaffOfAnotherSupplier,
    SupplierNameTaken,
)
from catalog.models import Product, ProductImage, Sku, SupplierMembership
from catalog.services import (
    SkuInput,
    product_create,
    product_image_add,
    product_set_status,
    sku_create,
    sku_update,
    supplier_onboard,
    supplier_staff_add,
)

from .factories import CategoryFactory, ProductFactory, SkuFactory, SupplierFactory, SupplierStaffFactory, image_bytes

pytestmark = pytest.mark.django_db


def sku_input(**overrides) -> SkuInput:
    values = dict(
        code="A-1", cost_amount=5000, min_resale_amount=6000, list_price_amount=10000, max_resale_amount=20000
    )
    return SkuInput(**{**values, **overrides})


def test_a_new_product_is_a_draft_with_its_skus():
    product = product_create(
        supplier=SupplierFactory(), category=CategoryFactory(), title="蜂蜜", skus=[sku_input(), sku_input(code="A-2")]
    )

    assert product.status == ProductStatus.DRAFT
    assert product.skus.count() == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"min_resale_amount": 4000}, "min_resale_amount"),  # below cost
        ({"list_price_amount": 5500}, "list_price_amount"),  # below lowest resale
        ({"max_resale_amount": 9000}, "max_resale_amount"),  # below list
        ({"cost_amount": -1}, "cost_amount"),
    ],
)
def test_prices_out_of_order_save_nothing(overrides, field):
    with pytest.raises(InvalidPriceBounds) as refused:
        product_create(
            supplier=SupplierFactory(),
            category=CategoryFactory(),
            title="蜂蜜",
            skus=[sku_input(code="ok"), sku_input(**overrides)],
        )

    assert field in refused.value.fields
    assert not Product.objects.exists()


def test_the_database_refuses_prices_out_of_order_too():
    sku = SkuFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Sku.objects.filter(pk=sku.pk).update(list_price_amount=sku.max_resale_amount + 1)


def test_two_skus_of_a_product_cannot_share_a_code():
    sku = SkuFactory()

    with pytest.raises(SkuCodeTaken):
        sku_create(product=sku.product, sku=sku_input(code=sku.code))


def test_a_supplier_updates_a_skus_prices_and_stock():
    sku = SkuFactory()

    sku_update(sku=sku, data=sku_input(code=sku.code, list_price_amount=12000, stock=7, is_active=False))

    sku.refresh_from_db()
    assert (sku.list_price_amount, sku.stock, sku.is_active) == (12000, 7, False)


def test_an_update_breaking_the_bounds_changes_nothing():
    sku = SkuFactory()

    with pytest.raises(InvalidPriceBounds):
        sku_update(sku=sku, data=sku_input(code=sku.code, cost_amount=7000))

    sku.refresh_from_db()
    assert sku.cost_amount == 5000


TRANSITIONS = [(current, wanted) for current in ProductStatus.values for wanted in ProductStatus.values]


def _mover(who: str, product):
    """The user behind an actor kind: an operator, the product's supplier's staff, or a script (None)."""
    if who == SUPPLIER:
        return SupplierStaffFactory(supplier=product.supplier).user
    return OperatorFactory() if who == OPERATOR else None


@pytest.mark.parametrize(("current", "wanted"), TRANSITIONS)
@pytest.mark.parametrize("who", [OPERATOR, SUPPLIER, "script"])
def test_products_move_only_along_the_review_states(current, wanted, who):
    product = ProductFactory(status=current)
    SkuFactory(product=product)
    by = _mover(who, product)
    kind = OPERATOR if who == "script" else who  # the platform's scripts act for the operators
    allowed = wanted == current or kind in PRODUCT_TRANSITIONS.get((current, wanted), ())

    if allowed:
        product_set_status(product=product, status=wanted, by=by)
        assert Product.objects.get(pk=product.pk).status == product.status == wanted
        changes = list(product.status_changes.values_list("from_status", "to_status", "changed_by"))
        assert changes == ([] if wanted == current else [(current, wanted, by and by.pk)])
    else:
        with pytest.raises(InvalidProductTransition) as refused:
            product_set_status(product=product, status=wanted, by=by)
        assert refused.value.extra["current_state"] == current
        assert Product.objects.get(pk=product.pk).status == current
        assert not product.status_changes.exists()


def test_the_review_records_who_approved():
    product = ProductFactory(status=ProductStatus.DRAFT)
    SkuFactory(product=product)
    operator = OperatorFactory()

    product_set_status(product=product, status=ProductStatus.ON_SALE, by=operator)

    change = product.status_changes.get()
    assert (change.from_status, change.to_status, change.changed_by) == ("draft", "on_sale", operator)


def test_a_product_without_an_active_sku_cannot_go_on_sale():
    product = ProductFactory(status=ProductStatus.DRAFT)
    SkuFactory(product=product, is_active=False)

    with pytest.raises(ProductIncomplete):
        product_set_status(product=product, status=ProductStatus.ON_SALE)


def test_onboarding_makes_the_supplier_and_its_staff_log_in():
    supplier = supplier_onboard(name="新供应商", staff_phone="13912345678", staff_password="a long pass 123")

    membership = SupplierMembership.objects.get(supplier=supplier)
    assert membership.user.role == Role.SUPPLIER_STAFF
    assert membership.user.check_password("a long pass 123")


def test_onboarding_promotes_an_existing_customer():
    customer = UserFactory()

    supplier = supplier_onboard(name="新供应商", staff_phone=customer.phone)

    customer.refresh_from_db()
    assert customer.role == Role.SUPPLIER_STAFF
    assert customer.supplier_membership.supplier == supplier


def test_onboarding_a_taken_name_saves_nothing():
    SupplierFactory(name="重名")

    with pytest.raises(SupplierNameTaken):
        supplier_onboard(name="重名", staff_phone="13912345678", staff_password="x")

    assert not SupplierMembership.objects.exists()


def test_staff_of_one_supplier_cannot_join_another():
    staff = UserFactory()
    supplier_staff_add(supplier=SupplierFactory(), user=staff)

    with pytest.raises(StaffOfAnotherSupplier):
        supplier_staff_add(supplier=SupplierFactory(), user=staff)


def test_an_image_is_stored_with_its_thumbnail_after_the_others():
    product = ProductFactory()
    product_image_add(product=product, data=image_bytes())

    second = product_image_add(product=product, data=image_bytes(color=(0, 0, 255)))

    assert second.position == 1
    assert second.thumbnail.name and second.image.name.endswith(".jpg")


def test_a_bad_image_stores_nothing():
    product = ProductFactory()

    with pytest.raises(ValidationError):
        product_image_add(product=product, data=b"not an image at all")

    assert not ProductImage.objects.exists()
