import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from catalog.choices import ProductStatus
from catalog.tests.factories import SkuFactory, image_bytes
from catalog.tests.test_images import png_claiming
from distribution.choices import ResellerStatus
from distribution.tests.factories import ResellerFactory
from shops.choices import ShopStatus
from shops.models import Shop, ShopProduct, ShopSkuPrice
from shops.services import shop_pick_set_prices

from .factories import ShopFactory, ShopProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def owner(api):
    shop = ShopFactory()
    api.force_authenticate(shop.owner.user)
    return shop


# --- public -----------------------------------------------------------------------


def test_a_shop_and_its_products_at_its_prices(api):
    shop = ShopFactory(name="小美的好物")
    pick = ShopProductFactory(shop=shop, product__title="真丝连衣裙")
    sku = pick.product.skus.get()
    shop_pick_set_prices(pick=pick, prices={sku.pk: 12800})
    ShopProductFactory(shop=shop, is_hidden=True)

    shop_body = api.get(f"/api/v1/shops/{shop.slug}/").json()
    products = api.get(f"/api/v1/shops/{shop.slug}/products/").json()

    assert shop_body["name"] == "小美的好物" and shop_body["is_open"] is True
    assert shop_body["share_url"] == f"http://testserver/s/{shop.slug}/?ref={shop.owner.invite_code}"
    assert products["count"] == 1
    product = products["results"][0]
    assert product["title"] == "真丝连衣裙" and product["min_price_amount"] == "128.00"
    assert product["skus"] == [
        {
            "sku_id": sku.pk,
            "code": sku.code,
            "spec": sku.spec,
            "spec_label": "标准",
            "price_amount": "128.00",
            "stock": 100,
        }
    ]
    assert product["share_url"].endswith(f"/s/{shop.slug}/p/{pick.product_id}/?ref={shop.owner.invite_code}")


def test_filter_search_and_one_product(api):
    shop = ShopFactory()
    tea = ShopProductFactory(shop=shop, product__title="古树普洱", product__category__slug="tea")
    ShopProductFactory(shop=shop, product__title="蜂蜜", product__category__slug="food")

    by_category = api.get(f"/api/v1/shops/{shop.slug}/products/", {"category": "tea"}).json()
    by_words = api.get(f"/api/v1/shops/{shop.slug}/products/", {"q": "蜂蜜"}).json()
    one = api.get(f"/api/v1/shops/{shop.slug}/products/{tea.product_id}/").json()

    assert [item["title"] for item in by_category["results"]] == ["古树普洱"]
    assert [item["title"] for item in by_words["results"]] == ["蜂蜜"]
    assert one["product_id"] == tea.product_id


@pytest.mark.parametrize("status", [ShopStatus.CLOSED, ShopStatus.SUSPENDED])
def test_a_shop_that_is_not_open_says_so(api, status):
    shop = ShopFactory(status=status)
    ShopProductFactory(shop=shop)

    assert api.get(f"/api/v1/shops/{shop.slug}/").json()["is_open"] is False
    response = api.get(f"/api/v1/shops/{shop.slug}/products/")
    assert response.status_code == 409 and response.json()["code"] == "shop_not_open"


def test_an_unknown_shop_or_product_is_404(api):
    shop = ShopFactory()

    assert api.get("/api/v1/shops/nobody/").status_code == 404
    assert api.get(f"/api/v1/shops/{shop.slug}/products/999999/").json()["code"] == "not_found"


# --- my shop ----------------------------------------------------------------------


def test_a_reseller_opens_its_shop_with_an_avatar(api):
    reseller = ResellerFactory()
    api.force_authenticate(reseller.user)

    response = api.post(
        "/api/v1/shops/mine/",
        {"name": "阿杰的茶", "slug": "ajie", "avatar": SimpleUploadedFile("a.png", image_bytes(fmt="PNG"))},
        format="multipart",
    )

    assert response.status_code == 201
    assert response.json()["avatar_url"].startswith("http://testserver/media/shops/avatars/")
    assert Shop.objects.get(owner=reseller).slug == "ajie"


@pytest.mark.parametrize(
    "data", [b"text named .jpg", png_claiming(30_000, 30_000)], ids=["not-an-image", "decompression-bomb"]
)
def test_a_bad_avatar_is_a_400_and_opens_nothing(api, data):
    api.force_authenticate(ResellerFactory().user)

    response = api.post(
        "/api/v1/shops/mine/",
        {"name": "店", "slug": "bad-avatar", "avatar": SimpleUploadedFile("a.jpg", data)},
        format="multipart",
    )

    assert response.status_code == 400 and "avatar" in response.json()["fields"]
    assert not Shop.objects.exists()


def test_a_taken_slug_is_a_field_error(api):
    ShopFactory(slug="taken")
    api.force_authenticate(ResellerFactory().user)

    body = api.post("/api/v1/shops/mine/", {"name": "店", "slug": "taken"}, format="json").json()

    assert body["code"] == "shop_slug_taken" and "slug" in body["fields"]


def test_a_second_shop_is_a_conflict(api, owner):
    response = api.post("/api/v1/shops/mine/", {"name": "店", "slug": "second"}, format="json")

    assert response.status_code == 409 and response.json()["code"] == "shop_already_open"


@pytest.mark.parametrize("who", ["customer", "frozen reseller"])
def test_only_active_resellers_run_shops(api, who):
    user = UserFactory() if who == "customer" else ResellerFactory(status=ResellerStatus.FROZEN).user
    api.force_authenticate(user)

    response = api.post("/api/v1/shops/mine/", {"name": "店", "slug": "nope"}, format="json")

    assert response.status_code == 403 and response.json()["code"] == "not_a_reseller"


def test_a_visitor_must_log_in(api):
    assert api.get("/api/v1/shops/mine/").json()["code"] == "not_authenticated"


def test_the_owner_renames_and_closes_but_cannot_lift_a_suspension(api, owner):
    body = api.patch("/api/v1/shops/mine/", {"name": "新名字", "status": "closed"}, format="json").json()
    assert (body["name"], body["status"]) == ("新名字", "closed")

    Shop.objects.filter(pk=owner.pk).update(status=ShopStatus.SUSPENDED)
    response = api.patch("/api/v1/shops/mine/", {"status": "open"}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "shop_transition_not_allowed"


def test_the_owner_picks_with_a_price_and_sees_its_markup(api, owner):
    sku = SkuFactory()

    response = api.post(
        "/api/v1/shops/mine/picks/",
        {"product_id": sku.product_id, "prices": [{"sku_id": sku.pk, "price_amount": "118.00"}]},
        format="json",
    )

    assert response.status_code == 201
    offer = response.json()["skus"][0]
    assert (offer["price_amount"], offer["list_price_amount"], offer["markup_amount"]) == ("118.00", "100.00", "18.00")
    assert (offer["min_resale_amount"], offer["max_resale_amount"]) == ("60.00", "200.00")


def test_a_price_outside_the_bounds_is_a_400_and_picks_nothing(api, owner):
    sku = SkuFactory()

    response = api.post(
        "/api/v1/shops/mine/picks/",
        {"product_id": sku.product_id, "prices": [{"sku_id": sku.pk, "price_amount": "250.00"}]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "price_out_of_bounds" and response.json()["sku_ids"] == [sku.pk]
    assert not ShopProduct.objects.exists()


def test_a_float_price_is_refused(api, owner):
    sku = SkuFactory()

    response = api.post(
        "/api/v1/shops/mine/picks/",
        {"product_id": sku.product_id, "prices": [{"sku_id": sku.pk, "price_amount": 118.5}]},
        format="json",
    )

    assert response.status_code == 400 and response.json()["code"] == "validation_error"


@pytest.mark.parametrize(
    "price, sku_id_as, field, field_code",
    [
        ("1.2e2", int, "prices.0.price_amount", "amount_malformed"),
        ("１２０.００", int, "prices.0.price_amount", "amount_malformed"),
        ("120.", int, "prices.0.price_amount", "amount_malformed"),
        ("+120", int, "prices.0.price_amount", "amount_malformed"),
        ("120.00", float, "prices.0.sku_id", "not_an_integer"),
        ("120.00", str, "prices.0.sku_id", "not_an_integer"),
    ],
)
def test_a_price_or_sku_outside_the_grammar_is_refused(api, owner, price, sku_id_as, field, field_code):
    sku = SkuFactory()

    response = api.post(
        "/api/v1/shops/mine/picks/",
        {"product_id": sku.product_id, "prices": [{"sku_id": sku_id_as(sku.pk), "price_amount": price}]},
        format="json",
    )

    assert response.status_code == 400 and response.json()["field_codes"] == {field: [field_code]}
    assert not ShopProduct.objects.exists()


def test_a_draft_cannot_be_picked(api, owner):
    sku = SkuFactory(product__status=ProductStatus.DRAFT)

    response = api.post("/api/v1/shops/mine/picks/", {"product_id": sku.product_id}, format="json")

    assert response.status_code == 409 and response.json()["code"] == "product_not_on_sale"


def test_the_owner_lists_changes_and_removes_picks(api, owner):
    first = ShopProductFactory(shop=owner, position=0)
    second = ShopProductFactory(shop=owner, position=1)
    sku = second.product.skus.get()

    listed = api.get("/api/v1/shops/mine/picks/").json()
    changed = api.patch(
        f"/api/v1/shops/mine/picks/{second.pk}/",
        {"prices": [{"sku_id": sku.pk, "price_amount": "99.00"}], "is_hidden": True, "position": 0},
        format="json",
    ).json()
    back_to_list_price = api.patch(
        f"/api/v1/shops/mine/picks/{second.pk}/", {"prices": [{"sku_id": sku.pk, "price_amount": None}]}, format="json"
    ).json()
    removed = api.delete(f"/api/v1/shops/mine/picks/{first.pk}/")

    assert [item["id"] for item in listed] == [first.pk, second.pk]
    assert (changed["position"], changed["is_hidden"], changed["skus"][0]["markup_amount"]) == (0, True, "-1.00")
    assert back_to_list_price["skus"][0]["has_shop_price"] is False
    assert removed.status_code == 204 and list(owner.picks.values_list("pk", flat=True)) == [second.pk]
    assert not ShopSkuPrice.objects.exists()


def test_another_shops_pick_is_404(api, owner):
    theirs = ShopProductFactory()

    assert api.get(f"/api/v1/shops/mine/picks/{theirs.pk}/").status_code == 404
    assert api.delete(f"/api/v1/shops/mine/picks/{theirs.pk}/").status_code == 404
    assert api.patch(f"/api/v1/shops/mine/picks/{theirs.pk}/", {"is_hidden": True}, format="json").status_code == 404


def test_the_schema_documents_the_shop_api(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()

    for path in (
        "/api/v1/catalog/products/",
        "/api/v1/shops/{slug}/products/",
        "/api/v1/shops/mine/",
        "/api/v1/shops/mine/picks/{pick_id}/",
    ):
        assert path in schema["paths"]
    assert schema["paths"]["/api/v1/shops/mine/picks/"]["post"]["summary"]


@pytest.mark.parametrize("count", [2, 25])
def test_a_shops_product_list_costs_the_same_queries_whatever_its_size(api, django_assert_max_num_queries, count):
    shop = ShopFactory()
    for _ in range(count):
        ShopProductFactory(shop=shop)

    # shop, count, picks, images, SKUs, prices
    with django_assert_max_num_queries(6):
        response = api.get(f"/api/v1/shops/{shop.slug}/products/", {"page_size": 100})

    assert len(response.json()["results"]) == count


def test_a_price_without_its_sku_is_a_field_error_named_by_its_path(api, owner):
    pick = ShopProductFactory(shop=owner)

    response = api.patch(f"/api/v1/shops/mine/picks/{pick.pk}/", {"prices": [{"price_amount": "0.00"}]}, format="json")

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"prices.0.sku_id"}


def test_a_refused_patch_changes_nothing(api, owner):
    # given a suspended shop: its owner may not reopen it
    Shop.objects.filter(pk=owner.pk).update(status=ShopStatus.SUSPENDED)

    response = api.patch("/api/v1/shops/mine/", {"name": "新名字", "status": "open"}, format="json")

    assert response.status_code == 403
    owner.refresh_from_db()
    assert owner.name != "新名字" and owner.status == ShopStatus.SUSPENDED
