"""Operators onboard suppliers and review products in the admin."""

import pytest
from django.urls import reverse

from accounts.choices import Role
from accounts.models import User
from accounts.tests.factories import OperatorFactory
from catalog.choices import ProductStatus
from catalog.models import Supplier

from .factories import ProductFactory, ProductImageFactory, SkuFactory, SupplierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client):
    user = OperatorFactory()
    client.force_login(user)
    return user


def test_an_operator_onboards_a_supplier_with_a_staff_log_in(client, operator):
    response = client.post(
        reverse("admin:catalog_supplier_onboard"),
        {
            "name": "宁波好物",
            "contact_name": "王经理",
            "contact_phone": "0574-12345678",
            "staff_phone": "+86 139 1234 5678",
            "staff_nickname": "小王",
            "staff_password": "a long pass 123",
        },
    )

    supplier = Supplier.objects.get(name="宁波好物")
    assert response.status_code == 302
    staff = User.objects.get(phone="13912345678")
    assert staff.role == Role.SUPPLIER_STAFF and staff.supplier_membership.supplier == supplier


def test_a_new_staff_number_needs_a_password(client, operator):
    response = client.post(
        reverse("admin:catalog_supplier_onboard"), {"name": "宁波好物", "staff_phone": "13912345678"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["staff_password"]
    assert not Supplier.objects.exists()


def test_an_operator_adds_staff_to_a_supplier(client, operator):
    supplier = SupplierFactory()

    client.post(
        reverse("admin:catalog_supplier_staff", args=[supplier.pk]),
        {"staff_phone": "13912345679", "staff_password": "a long pass 123"},
    )

    assert supplier.memberships.get().user.phone == "13912345679"


def test_operators_approve_drafts_with_an_action(client, operator):
    ready = ProductFactory(status=ProductStatus.DRAFT)
    SkuFactory(product=ready)
    empty = ProductFactory(status=ProductStatus.DRAFT)

    client.post(
        reverse("admin:catalog_product_changelist"),
        {"action": "make_on_sale", "_selected_action": [ready.pk, empty.pk]},
    )

    ready.refresh_from_db()
    empty.refresh_from_db()
    assert ready.status == ProductStatus.ON_SALE
    assert empty.status == ProductStatus.DRAFT  # no active SKU: refused with a warning
    assert ready.status_changes.get().changed_by == operator


def test_operators_see_a_product_with_its_skus_pictures_and_review_history(client, operator):
    product = ProductFactory(status=ProductStatus.DRAFT)
    SkuFactory(product=product)
    ProductImageFactory(product=product)

    for url in (
        reverse("admin:catalog_product_change", args=[product.pk]),
        reverse("admin:catalog_supplier_change", args=[product.supplier.pk]),
        reverse("admin:catalog_supplier_changelist"),
    ):
        assert client.get(url).status_code == 200
