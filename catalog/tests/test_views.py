"""The supplier portal, as supplier staff use it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.tests.factories import UserFactory
from catalog.choices import ProductStatus
from catalog.models import Product, ProductImage, Sku

from .factories import CategoryFactory, ProductFactory, SkuFactory, SupplierStaffFactory, image_bytes
from .test_images import png_claiming

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    membership = SupplierStaffFactory()
    client.force_login(membership.user)
    return membership


def sku_form(**overrides):
    values = {
        "code": "RED-M",
        "spec": "颜色：红色，尺码：M",
        "cost_amount": "50",
        "min_resale_amount": "60.00",
        "list_price_amount": "99.90",
        "max_resale_amount": "199",
        "stock": "10",
        "is_active": "on",
    }
    return {**values, **overrides}


def test_staff_see_their_own_products_only(client, staff):
    ours = ProductFactory(supplier=staff.supplier, title="我们的蜂蜜")
    ProductFactory(title="别人的茶")

    page = client.get(reverse("catalog:product_list")).content.decode()

    assert ours.title in page and "别人的茶" not in page


def test_another_suppliers_product_is_not_found(client, staff):
    theirs = ProductFactory()

    assert client.get(reverse("catalog:product_detail", args=[theirs.pk])).status_code == 404


def test_a_customer_cannot_enter_the_portal(client):
    client.force_login(UserFactory())

    assert client.get(reverse("catalog:product_list")).status_code == 403


def test_a_visitor_is_sent_to_log_in(client):
    response = client.get(reverse("catalog:product_list"))

    assert response.status_code == 302 and "/accounts/log-in/" in response["Location"]


def test_staff_create_a_draft_then_add_a_sku(client, staff):
    category = CategoryFactory()

    response = client.post(
        reverse("catalog:product_new"), {"title": "香薰蜡烛", "category": category.pk, "description": "白茶"}
    )
    product = Product.objects.get(title="香薰蜡烛")
    assert response.status_code == 302 and product.status == ProductStatus.DRAFT

    response = client.post(reverse("catalog:sku_new", args=[product.pk]), sku_form())

    assert response.status_code == 302
    sku = product.skus.get()
    assert sku.spec == {"颜色": "红色", "尺码": "M"}
    assert (sku.cost_amount, sku.min_resale_amount, sku.list_price_amount, sku.max_resale_amount) == (
        5000,
        6000,
        9990,
        19900,
    )


def test_prices_out_of_order_show_an_error_on_the_field_and_save_nothing(client, staff):
    product = ProductFactory(supplier=staff.supplier)

    response = client.post(reverse("catalog:sku_new", args=[product.pk]), sku_form(min_resale_amount="40"))

    assert response.status_code == 400
    assert "最低售价不能低于成本" in response.content.decode()
    assert response.context["form"].errors["min_resale_amount"]
    assert not Sku.objects.exists()


def test_a_third_decimal_is_a_clear_error(client, staff):
    product = ProductFactory(supplier=staff.supplier)

    response = client.post(reverse("catalog:sku_new", args=[product.pk]), sku_form(list_price_amount="99.999"))

    assert response.status_code == 400 and "list_price_amount" in response.context["form"].errors


def test_staff_edit_stock_and_switch_a_sku_off(client, staff):
    sku = SkuFactory(product=ProductFactory(supplier=staff.supplier))

    client.post(
        reverse("catalog:sku_edit", args=[sku.product.pk, sku.pk]),
        sku_form(code=sku.code, stock="3", is_active=""),
    )

    sku.refresh_from_db()
    assert (sku.stock, sku.is_active) == (3, False)


def test_staff_upload_a_picture(client, staff):
    product = ProductFactory(supplier=staff.supplier)

    response = client.post(
        reverse("catalog:product_image_upload", args=[product.pk]),
        {"image": SimpleUploadedFile("photo.png", image_bytes(fmt="PNG"), content_type="image/png")},
    )

    assert response.status_code == 302
    assert product.images.get().thumbnail


@pytest.mark.parametrize(
    "data",
    [b"MZ\x90\x00 an executable, not a photo", png_claiming(30_000, 30_000)],
    ids=["not-an-image-named-jpg", "decompression-bomb"],
)
def test_a_bad_picture_is_a_form_error_and_nothing_is_saved(client, staff, data):
    product = ProductFactory(supplier=staff.supplier)

    response = client.post(
        reverse("catalog:product_image_upload", args=[product.pk]),
        {"image": SimpleUploadedFile("photo.jpg", data, content_type="image/jpeg")},
    )

    assert response.status_code == 400
    assert response.context["image_form"].errors["image"]
    assert not ProductImage.objects.exists()


def test_staff_can_take_their_product_off_sale(client, staff):
    product = ProductFactory(supplier=staff.supplier, status=ProductStatus.ON_SALE)
    SkuFactory(product=product)

    client.post(reverse("catalog:product_take_off_sale", args=[product.pk]))

    product.refresh_from_db()
    assert product.status == ProductStatus.OFF_SALE
