import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from catalog.choices import ProductStatus
from catalog.models import ProductImage
from distribution.tests.factories import ResellerFactory

from .factories import CategoryFactory, ProductFactory, SkuFactory, SupplierStaffFactory, image_bytes
from .test_images import png_claiming

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/catalog/products/"


@pytest.fixture
def api():
    return APIClient()


def on_sale(**kwargs):
    product = ProductFactory(**kwargs)
    SkuFactory(product=product)
    return product


def test_anyone_lists_the_products_on_sale_only(api):
    listed = on_sale(title="蜂蜜")
    on_sale(status=ProductStatus.DRAFT)
    on_sale(status=ProductStatus.OFF_SALE)
    on_sale(supplier__is_active=False)
    ProductFactory()  # on sale but without any SKU

    body = api.get(PRODUCTS).json()

    assert [item["id"] for item in body["results"]] == [listed.pk]
    sku = body["results"][0]["skus"][0]
    assert sku["list_price_amount"] == "100.00"
    assert "cost_amount" not in sku


def test_filter_by_category_and_search(api):
    tea = CategoryFactory(slug="tea")
    wanted = on_sale(category=tea, title="普洱茶饼")
    on_sale(category=tea, title="红茶")
    on_sale(title="普洱茶杯")

    body = api.get(PRODUCTS, {"category": "tea", "q": "普洱"}).json()

    assert [item["id"] for item in body["results"]] == [wanted.pk]


def test_pages(api):
    for _ in range(5):
        on_sale()

    body = api.get(PRODUCTS, {"page_size": 2, "page": 3}).json()

    assert body["count"] == 5 and len(body["results"]) == 1 and body["next"] is None


def test_resellers_see_the_resale_bounds_others_do_not(api):
    on_sale()

    assert api.get(PRODUCTS).json()["results"][0]["skus"][0]["resale_bounds"] is None
    api.force_authenticate(ResellerFactory().user)
    bounds = api.get(PRODUCTS).json()["results"][0]["skus"][0]["resale_bounds"]
    assert bounds == {"min_amount": "60.00", "max_amount": "200.00"}


def test_a_draft_is_not_found(api):
    draft = on_sale(status=ProductStatus.DRAFT)

    response = api.get(f"{PRODUCTS}{draft.pk}/")

    assert response.status_code == 404 and response.json()["code"] == "not_found"


def upload(api, product, data, name="photo.jpg"):
    return api.post(
        f"/api/v1/catalog/supplier/products/{product.pk}/images/",
        {"image": SimpleUploadedFile(name, data, content_type="image/jpeg")},
        format="multipart",
    )


def test_staff_upload_a_picture_through_the_api(api):
    staff = SupplierStaffFactory()
    product = ProductFactory(supplier=staff.supplier)
    api.force_authenticate(staff.user)

    response = upload(api, product, image_bytes())

    assert response.status_code == 201
    assert response.json()["thumbnail_url"].startswith("http://testserver/media/products/thumbs/")


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"plain text pretending to be a jpeg", "不是"), (png_claiming(30_000, 30_000), "像素")],
    ids=["not-an-image-named-jpg", "decompression-bomb"],
)
def test_a_bad_picture_is_a_400_on_the_field_and_nothing_is_saved(api, data, message):
    staff = SupplierStaffFactory()
    product = ProductFactory(supplier=staff.supplier)
    api.force_authenticate(staff.user)

    response = upload(api, product, data)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error" and message in body["fields"]["image"][0]
    assert not ProductImage.objects.exists()


def test_another_suppliers_product_is_not_found(api):
    staff = SupplierStaffFactory()
    api.force_authenticate(staff.user)

    assert upload(api, ProductFactory(), image_bytes()).status_code == 404


@pytest.mark.parametrize("count", [2, 25])
def test_the_catalogue_costs_the_same_queries_whatever_its_size(api, django_assert_max_num_queries, count):
    for _ in range(count):
        on_sale()

    # count, products with category and supplier, images, SKUs
    with django_assert_max_num_queries(4):
        response = api.get(PRODUCTS, {"page_size": 100})

    assert len(response.json()["results"]) == count
