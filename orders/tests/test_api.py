"""The orders API: placing with an Idempotency-Key, paying, reading,
cancelling, asking for refunds; resellers' shop orders and suppliers'
parcels, each seeing only its own."""

import json

import pytest
from rest_framework.test import APIClient

from accounts.services import api_token_create
from accounts.tests.factories import UserFactory
from catalog.services import supplier_staff_add
from distribution.choices import BindingSource
from distribution.services import binding_touch
from distribution.tests.factories import ResellerFactory
from orders.api.serializers import OrderOut, order_out_data
from orders.choices import OrderStatus
from orders.exceptions import RefundNotPositive
from orders.models import Order
from orders.selectors import order_get_for_buyer
from orders.services.lifecycle import order_confirm_receipt
from orders.services.placing import placing_in_sql
from orders.services.refunds import refund_request
from shops.tests.factories import ShopFactory
from socialshop.models import IdempotencyKey

from .factories import pay, place, ship, shop_selling

pytestmark = pytest.mark.django_db

ADDRESS = {
    "recipient_name": "张三",
    "phone": "+86 138 0013 8000",
    "province_code": "44",
    "city_code": "4401",
    "district_code": "440106",
    "street": "体育西路 1 号 2 栋 301",
}


def _client(user) -> APIClient:
    client = APIClient()
    _token, secret = api_token_create(user=user, name="test")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def _body(shop, sku, quantity=1):
    return {"lines": [{"sku_id": sku.pk, "quantity": quantity, "shop": shop.slug}], "shipping_address": dict(ADDRESS)}


def test_placing_an_order_answers_it_with_yuan_amounts():
    shop, sku = shop_selling(price=12_000, stock=5)
    buyer = UserFactory()

    response = _client(buyer).post("/api/v1/orders/", _body(shop, sku, 2), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending_payment" and body["total_amount"] == "240.00"
    assert body["lines"][0]["unit_price_amount"] == "120.00" and body["lines"][0]["shop"] == shop.slug
    assert body["shipping_address"]["phone"] == "13800138000"
    assert body["shipping_address"]["region"] == "广东省 广州市 天河区"
    assert body["fulfilments"][0]["status"] == "to_ship" and body["refunds"] == []
    assert Order.objects.get().buyer == buyer


def test_an_account_without_a_mobile_number_is_told_to_add_one_and_nothing_is_reserved():
    """As the checkout page sends a WeChat newcomer to add its number first."""
    shop, sku = shop_selling(stock=5)
    wechat_newcomer = UserFactory(phone=None)

    response = _client(wechat_newcomer).post("/api/v1/orders/", _body(shop, sku), format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "phone_required"
    assert not Order.objects.exists()
    sku.refresh_from_db()
    assert sku.stock == 5


def test_the_same_key_and_body_answer_the_same_and_create_nothing():
    shop, sku = shop_selling(stock=5)
    client = _client(UserFactory())

    first = client.post("/api/v1/orders/", _body(shop, sku), format="json", headers={"Idempotency-Key": "k-1"})
    again = client.post("/api/v1/orders/", _body(shop, sku), format="json", headers={"Idempotency-Key": "k-1"})

    assert first.status_code == again.status_code == 201
    assert first.content == again.content and again["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1
    sku.refresh_from_db()
    assert sku.stock == 4


def test_the_same_key_with_another_body_is_refused():
    shop, sku = shop_selling(stock=5)
    client = _client(UserFactory())
    client.post("/api/v1/orders/", _body(shop, sku, 1), format="json", headers={"Idempotency-Key": "k-1"})

    response = client.post("/api/v1/orders/", _body(shop, sku, 2), format="json", headers={"Idempotency-Key": "k-1"})

    assert response.status_code == 422 and response.json()["code"] == "idempotency_key_reused"
    assert Order.objects.count() == 1


def test_keys_belong_to_their_user():
    shop, sku = shop_selling(stock=5)

    for _ in range(2):
        _client(UserFactory()).post(
            "/api/v1/orders/", _body(shop, sku), format="json", headers={"Idempotency-Key": "same"}
        )

    assert Order.objects.count() == 2 and IdempotencyKey.objects.count() == 2


def test_a_failed_request_keeps_no_key_so_a_retry_runs_again():
    shop, sku = shop_selling(stock=1)
    client = _client(UserFactory())

    refused = client.post("/api/v1/orders/", _body(shop, sku, 2), format="json", headers={"Idempotency-Key": "k"})

    assert refused.status_code == 409 and refused.json()["code"] == "out_of_stock"
    assert (
        refused.json()["fields"] == {"lines.0.quantity": ["仅剩 1 件。"]}
        or "lines.0.quantity" in refused.json()["fields"]
    )
    assert not IdempotencyKey.objects.exists()


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        (lambda body: body["lines"][0].update(quantity=0), "validation_error", "lines.0.quantity"),
        (lambda body: body["lines"][0].update(quantity=1.5), "validation_error", "lines.0.quantity"),
        (lambda body: body.update(lines=[]), "validation_error", "lines"),
        (lambda body: body["lines"][0].update(sku_id=10**9), "not_buyable", "lines.0.sku_id"),
        (lambda body: body["shipping_address"].update(city_code="1101"), "invalid_address", "district_code"),
        (lambda body: body["shipping_address"].update(phone="0101234"), "invalid_address", "phone"),
    ],
)
def test_bad_orders_answer_a_machine_readable_code_and_create_nothing(change, code, field):
    shop, sku = shop_selling()
    body = _body(shop, sku)
    change(body)

    response = _client(UserFactory()).post("/api/v1/orders/", body, format="json")

    assert response.status_code == 400, response.content
    assert response.json()["code"] == code
    assert any(name.startswith(field) for name in response.json()["fields"]), response.json()
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda body: body["lines"][0].update(sku_id=float(body["lines"][0]["sku_id"])), "lines.0.sku_id"),
        (lambda body: body["lines"][0].update(sku_id=str(body["lines"][0]["sku_id"])), "lines.0.sku_id"),
        (lambda body: body["lines"][0].update(sku_id=True), "lines.0.sku_id"),
        (lambda body: body["lines"][0].update(quantity=2.0), "lines.0.quantity"),
        (lambda body: body["lines"][0].update(quantity="2"), "lines.0.quantity"),
        (lambda body: body["lines"][0].update(quantity="２"), "lines.0.quantity"),
        (lambda body: body["lines"][0].update(quantity=True), "lines.0.quantity"),
    ],
)
def test_integers_must_be_json_integers(change, field):
    shop, sku = shop_selling()
    body = _body(shop, sku)
    change(body)

    response = _client(UserFactory()).post("/api/v1/orders/", body, format="json")

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "validation_error"
    assert response.json()["field_codes"] == {field: ["not_an_integer"]}
    assert not Order.objects.exists()


@pytest.fixture
def shipped_line(django_capture_on_commit_callbacks):
    """A buyer's API client and a shipped line of 240.00 it may ask a refund on."""
    shop, sku = shop_selling(price=12_000)
    order = place(shop=shop, sku=sku, quantity=2)
    with django_capture_on_commit_callbacks(execute=True):
        ship(pay(order))
    return _client(order.buyer), order, order.lines.get()


@pytest.mark.parametrize(
    "amount, field_code",
    [
        ("0", "amount_not_positive"),
        ("0.00", "amount_not_positive"),
        ("1e1", "amount_malformed"),
        ("1E1", "amount_malformed"),
        ("+10.00", "amount_malformed"),
        ("10.", "amount_malformed"),
        ("１０.００", "amount_malformed"),
        ("10.001", "amount_too_precise"),
        ("-10.00", "amount_negative"),
        (10, "amount_not_text"),
        (10.0, "amount_not_text"),
    ],
)
def test_a_refund_amount_outside_the_grammar_or_of_nothing_is_a_400_saying_why(shipped_line, amount, field_code):
    client, order, line = shipped_line

    response = client.post(
        f"/api/v1/orders/{order.pk}/refunds/", {"line_id": line.pk, "amount": amount, "reason": "破损"}, format="json"
    )

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "validation_error"
    assert response.json()["field_codes"] == {"amount": [field_code]}
    assert not order.refunds.exists()


def test_a_refund_of_nothing_says_it_must_be_more_than_0(shipped_line):
    client, order, line = shipped_line

    response = client.post(
        f"/api/v1/orders/{order.pk}/refunds/", {"line_id": line.pk, "amount": "0", "reason": "破损"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {"amount": ["金额必须大于 0。"]}


def test_the_refund_service_refuses_nothing_for_any_caller(shipped_line):
    _client, order, line = shipped_line

    with pytest.raises(RefundNotPositive):
        refund_request(order_id=order.pk, line_id=line.pk, buyer=order.buyer, amount=0, reason="破损")


@pytest.mark.parametrize("sent_as", [float, str, bool], ids=["1.0", "text", "true"])
def test_a_refunds_line_id_must_be_a_json_integer(shipped_line, sent_as):
    client, order, line = shipped_line

    response = client.post(
        f"/api/v1/orders/{order.pk}/refunds/",
        {"line_id": sent_as(line.pk), "amount": "1.00", "reason": "破损"},
        format="json",
    )

    assert response.status_code == 400 and response.json()["field_codes"] == {"line_id": ["not_an_integer"]}


@pytest.mark.django_db(transaction=True)  # the request's transaction is the outermost, as in production
def test_placing_through_the_api_costs_at_most_15_queries(django_assert_max_num_queries, django_assert_num_queries):
    shop, sku = shop_selling(stock=5)
    _, other = shop_selling(shop=shop)
    buyer = UserFactory()
    binding_touch(customer=buyer, reseller=ResellerFactory(), source=BindingSource.LINK)
    client = _client(buyer)
    body = _body(shop, sku)
    body["lines"].append({"sku_id": other.pk, "quantity": 1})  # outside the shop: the binding is read too

    # the token and its last use (once a minute), BEGIN, the key, placing (on PostgreSQL two statements, and
    # on a connection's first order the two PREPAREs; the ORM path takes 8), the key's answer, COMMIT
    with django_assert_max_num_queries(15):
        response = client.post("/api/v1/orders/", body, format="json", headers={"Idempotency-Key": "q"})
    assert response.status_code == 201, response.content
    if not placing_in_sql():
        return
    # then, as on a server's persistent connection: the token, BEGIN, the key, two, the answer, COMMIT
    with django_assert_num_queries(7):
        response = client.post("/api/v1/orders/", body, format="json", headers={"Idempotency-Key": "r"})
    assert response.status_code == 201, response.content


def test_order_out_data_is_orderout(django_capture_on_commit_callbacks):
    # given an order just placed (a line in a shop, one outside), and one paid, shipped, completed, with a refund
    shop, sku = shop_selling(price=12_000)
    _, other = shop_selling(shop=shop)
    from orders.services.placing import LineRequest

    placed = place(lines=[LineRequest(sku.pk, 2, shop.slug), LineRequest(other.pk, 1, None)])
    lived = place(shop=shop, sku=sku, quantity=2)
    with django_capture_on_commit_callbacks(execute=True):
        ship(pay(lived))
    refund_request(order_id=lived.pk, line_id=lived.lines.get().pk, buyer=lived.buyer, amount=2050, reason="破损")
    order_confirm_receipt(order_id=lived.pk, buyer=lived.buyer)

    read = order_get_for_buyer(buyer=lived.buyer, order_id=lived.pk)
    assert read.refunds.all() and read.completed_at and read.fulfilments.get().shipped_at

    for order in (placed, order_get_for_buyer(buyer=placed.buyer, order_id=placed.pk), read):
        # then the hand-built answer is OrderOut's: the same values, keys in the same order, the same bytes
        assert order_out_data(order) == OrderOut(order).data
        assert json.dumps(order_out_data(order)) == json.dumps(OrderOut(order).data)


def test_pay_gives_the_sandbox_url_and_the_order_reads_paid_after_the_callback(django_capture_on_commit_callbacks):
    shop, sku = shop_selling()
    buyer = UserFactory()
    order = place(buyer=buyer, shop=shop, sku=sku)
    client = _client(buyer)

    response = client.post(f"/api/v1/orders/{order.pk}/pay/")

    assert response.status_code == 201
    assert "/sandbox/pay/" in response.json()["payment_url"] and response.json()["amount"] == "100.00"
    with django_capture_on_commit_callbacks(execute=True):
        pay(order)
    assert client.get(f"/api/v1/orders/{order.pk}/").json()["status"] == "paid"
    again = client.post(f"/api/v1/orders/{order.pk}/pay/")
    assert again.status_code == 409 and again.json()["current_state"] == "paid"


def test_buyers_list_and_read_only_their_own_orders():
    shop, sku = shop_selling()
    mine = place(shop=shop, sku=sku)
    theirs = place(shop=shop, sku=sku)
    client = _client(mine.buyer)

    listed = client.get("/api/v1/orders/").json()

    assert [order["id"] for order in listed["results"]] == [mine.pk]
    assert client.get(f"/api/v1/orders/{theirs.pk}/").status_code == 404
    assert client.post(f"/api/v1/orders/{theirs.pk}/cancel/", {}, format="json").status_code == 404


def test_cancel_and_an_illegal_second_cancel():
    shop, sku = shop_selling()
    order = place(shop=shop, sku=sku)
    client = _client(order.buyer)

    cancelled = client.post(f"/api/v1/orders/{order.pk}/cancel/", {"reason": "不要了"}, format="json")
    again = client.post(f"/api/v1/orders/{order.pk}/cancel/", {}, format="json")

    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert again.status_code == 409 and again.json() == {
        "code": "invalid_transition",
        "message": again.json()["message"],
        "fields": {},
        "current_state": "cancelled",
        "requested_state": "cancelled",
    }


def test_refund_request_and_confirm_receipt_through_the_api(django_capture_on_commit_callbacks):
    shop, sku = shop_selling(price=12_000)
    order = place(shop=shop, sku=sku, quantity=2)
    with django_capture_on_commit_callbacks(execute=True):
        ship(pay(order))
    client = _client(order.buyer)
    line_id = order.lines.get().pk

    too_much = client.post(
        f"/api/v1/orders/{order.pk}/refunds/", {"line_id": line_id, "amount": "240.01", "reason": "x"}
    )
    asked = client.post(
        f"/api/v1/orders/{order.pk}/refunds/", {"line_id": line_id, "amount": "20.50", "reason": "破损"}
    )
    confirmed = client.post(f"/api/v1/orders/{order.pk}/confirm-receipt/")

    assert too_much.status_code == 400 and too_much.json()["code"] == "refund_exceeds_paid"
    assert asked.status_code == 201 and asked.json()["amount"] == "20.50" and asked.json()["status"] == "requested"
    assert confirmed.status_code == 200 and confirmed.json()["status"] == OrderStatus.COMPLETED
    assert confirmed.json()["lines"][0]["refund_pending_amount"] == "20.50"


def test_a_refund_request_open_when_the_buyer_cancels_shows_as_superseded_and_all_is_refunded(
    django_capture_on_commit_callbacks,
):
    # given a paid order of 118.00 and a request for 50.00 back, through the API
    shop, sku = shop_selling(price=11_800)
    order = place(shop=shop, sku=sku)
    with django_capture_on_commit_callbacks(execute=True):
        pay(order)
    client = _client(order.buyer)
    line_id = order.lines.get().pk
    asked = client.post(
        f"/api/v1/orders/{order.pk}/refunds/", {"line_id": line_id, "amount": "50.00", "reason": "少发了一件"}
    )
    assert asked.status_code == 201

    # when the buyer cancels the order
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = client.post(f"/api/v1/orders/{order.pk}/cancel/", {"reason": "不想要了"})

    # then the order shows 118.00 refunded by the cancellation and the request superseded
    assert cancelled.status_code == 200
    body = client.get(f"/api/v1/orders/{order.pk}/").json()
    assert (body["status"], body["refunded_amount"]) == ("cancelled", "118.00")
    assert sorted((r["kind"], r["amount"], r["status"]) for r in body["refunds"]) == [
        ("after_sales", "50.00", "superseded"),
        ("cancellation", "118.00", "succeeded"),
    ]
    assert (body["lines"][0]["refunded_amount"], body["lines"][0]["refund_pending_amount"]) == ("118.00", "0.00")
    again = client.post(f"/api/v1/orders/{order.pk}/refunds/", {"line_id": line_id, "amount": "1.00", "reason": "x"})
    assert again.status_code == 409 and again.json()["code"] == "refund_not_allowed"


def test_a_reseller_sees_its_shops_orders_with_only_its_lines(django_capture_on_commit_callbacks):
    shop, sku = shop_selling(price=12_000)
    other_shop, other_sku = shop_selling()
    from orders.services.placing import LineRequest

    order = place(lines=[LineRequest(sku.pk, 1, shop.slug), LineRequest(other_sku.pk, 1, other_shop.slug)])
    owner = _client(shop.owner.user)

    listed = owner.get("/api/v1/shop-orders/").json()["results"]
    one = owner.get(f"/api/v1/shop-orders/{order.pk}/").json()

    assert [o["id"] for o in listed] == [order.pk]
    assert [line["title"] for line in one["lines"]] == [sku.product.title]
    assert one["lines"][0]["markup_amount"] == "20.00" and "shipping_address" not in one
    assert "*" in one["buyer"]
    stranger = _client(ShopFactory().owner.user)
    assert stranger.get(f"/api/v1/shop-orders/{order.pk}/").status_code == 404
    assert stranger.get("/api/v1/shop-orders/").json()["count"] == 0


def test_a_supplier_reads_and_ships_only_its_own_parcels(django_capture_on_commit_callbacks):
    shop, sku = shop_selling()
    order = place(shop=shop, sku=sku)
    with django_capture_on_commit_callbacks(execute=True):
        pay(order)
    group = order.fulfilments.get()
    staff, stranger = UserFactory(), UserFactory()
    supplier_staff_add(supplier=group.supplier, user=staff)
    supplier_staff_add(supplier=shop_selling()[1].product.supplier, user=stranger)

    listed = _client(staff).get("/api/v1/fulfilments/?status=to_ship").json()["results"]
    shipped = _client(staff).post(
        f"/api/v1/fulfilments/{group.pk}/ship/", {"carrier": "SF", "tracking_number": "SF99999999"}
    )
    other = _client(stranger).get(f"/api/v1/fulfilments/{group.pk}/")

    assert [item["id"] for item in listed] == [group.pk]
    assert listed[0]["shipping_address"]["street"] and listed[0]["lines"][0]["cost_amount"] == "50.00"
    assert shipped.status_code == 200 and shipped.json()["status"] == "shipped"
    assert other.status_code == 404
    buyer_view = _client(order.buyer).get(f"/api/v1/orders/{order.pk}/").json()
    assert buyer_view["fulfilments"][0]["tracking_number"] == "SF99999999"


def test_regions_list_provinces_cities_and_districts():
    client = APIClient()

    provinces = client.get("/api/v1/regions/").json()
    guangdong = client.get("/api/v1/regions/?parent=44").json()
    beijing = client.get("/api/v1/regions/?parent=11").json()
    tianhe = client.get("/api/v1/regions/?parent=4401").json()

    assert {"code": "44", "name": "广东省"} in provinces and len(provinces) == 31
    assert {"code": "4419", "name": "东莞市"} in guangdong
    assert beijing == [{"code": "1101", "name": "北京市"}]
    assert {"code": "440106", "name": "天河区"} in tianhe


def test_a_refund_through_the_api_may_say_what_is_asked_for_and_answers_carry_it():
    # given a paid order, and a client that knows only the old body
    shop, sku = shop_selling(price=12_000)
    order = pay(place(shop=shop, sku=sku, quantity=2))
    client = _client(order.buyer)
    line_id = order.lines.get().pk

    # when one request names 退货退款 with a reason from the list and another sends the old body
    chosen = client.post(
        f"/api/v1/orders/{order.pk}/refunds/",
        {
            "line_id": line_id,
            "amount": "10.00",
            "reason": "袖口开线",
            "resolution": "return_and_refund",
            "reason_code": "quality",
            "description": "袖口开线，图见页面",
        },
    )
    plain = client.post(f"/api/v1/orders/{order.pk}/refunds/", {"line_id": line_id, "amount": "5.00", "reason": "少件"})
    unknown = client.post(
        f"/api/v1/orders/{order.pk}/refunds/",
        {"line_id": line_id, "amount": "5.00", "reason": "x", "reason_code": "bored"},
    )

    # then both are made, the old body with the defaults, and the order's answer carries the fields
    assert chosen.status_code == 201 and plain.status_code == 201
    assert {key: chosen.json()[key] for key in ("resolution", "reason_code", "description")} == {
        "resolution": "return_and_refund",
        "reason_code": "quality",
        "description": "袖口开线，图见页面",
    }
    assert (plain.json()["resolution"], plain.json()["reason_code"], plain.json()["description"]) == (
        "refund_only",
        "",
        "",
    )
    assert unknown.status_code == 400 and unknown.json()["code"] == "validation_error"
    refunds = client.get(f"/api/v1/orders/{order.pk}/").json()["refunds"]
    assert {refund["resolution"] for refund in refunds} == {"return_and_refund", "refund_only"}
