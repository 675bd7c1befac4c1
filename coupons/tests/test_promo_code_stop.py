"""A reseller stops its own promo code (its page and the API): a buyer who
types it afterwards is refused with a clear message and nothing is written;
a buyer who claimed it before keeps the coupon and uses it, still funded by
the reseller; nobody stops another's code."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from catalog.tests.factories import SkuFactory
from coupons.choices import ClaimStatus
from coupons.exceptions import PromoCodeStopped
from coupons.models import ClaimedCoupon, Coupon
from coupons.services import MAX_OWN_CODES, promo_code_redeem, reseller_code_create, reseller_code_stop
from distribution.tests.factories import ResellerFactory
from orders.models import Order
from orders.services.placing import LineRequest, order_place
from orders.tests.factories import an_address
from socialshop.errors import NotFound

pytestmark = pytest.mark.django_db

PAGE = "/my-shop/promo-codes/"


@pytest.fixture
def sku():
    return SkuFactory(list_price_amount=20_000, min_resale_amount=20_000, max_resale_amount=40_000)


def _place(buyer, sku, code):
    return order_place(buyer=buyer, lines=[LineRequest(sku.pk, 1)], address=an_address(), promo_code=code)


def test_a_stopped_code_is_refused_at_checkout_with_a_clear_message_and_nothing_changes(sku):
    reseller = ResellerFactory()
    coupon = reseller_code_create(reseller=reseller, code="STOPME", name="", off_amount=1_000)
    reseller_code_stop(reseller=reseller, coupon_id=coupon.pk)
    buyer = UserFactory()

    with pytest.raises(PromoCodeStopped) as refused:
        _place(buyer, sku, "stopme")

    assert refused.value.http_status == 409
    assert refused.value.fields == {"promo_code": [str(PromoCodeStopped.default_message)]}
    assert not Order.objects.filter(buyer=buyer).exists()
    assert not ClaimedCoupon.objects.filter(user=buyer).exists()


def test_a_coupon_claimed_before_the_stop_stays_the_buyers_and_still_applies(sku):
    reseller = ResellerFactory()
    coupon = reseller_code_create(reseller=reseller, code="EARLY1", name="", off_amount=1_000)
    buyer = UserFactory()
    claim_id = promo_code_redeem(buyer=buyer, code="EARLY1")

    reseller_code_stop(reseller=reseller, coupon_id=coupon.pk)
    by_code = _place(buyer, sku, "EARLY1")

    assert by_code.discount_amount == 1_000
    assert ClaimedCoupon.objects.get(pk=claim_id).status == ClaimStatus.USED


def test_stopping_frees_a_place_for_a_new_code_and_is_idempotent():
    reseller = ResellerFactory()
    codes = [reseller_code_create(reseller=reseller, code=f"FULL{n}", name="", off_amount=500) for n in range(3)]
    assert len(codes) == MAX_OWN_CODES

    reseller_code_stop(reseller=reseller, coupon_id=codes[0].pk)
    reseller_code_stop(reseller=reseller, coupon_id=codes[0].pk)

    assert reseller_code_create(reseller=reseller, code="FULL9", name="", off_amount=500).is_active
    assert Coupon.objects.filter(funder_reseller=reseller, is_active=True).count() == MAX_OWN_CODES


def test_a_reseller_cannot_stop_anothers_code_and_it_keeps_working():
    owner, other = ResellerFactory(), ResellerFactory()
    coupon = reseller_code_create(reseller=owner, code="MINE01", name="", off_amount=500)
    api = APIClient()
    api.force_authenticate(other.user)
    page = Client()
    page.force_login(other.user)

    with pytest.raises(NotFound):
        reseller_code_stop(reseller=other, coupon_id=coupon.pk)
    through_api = api.post(f"/api/v1/coupons/promo-codes/{coupon.pk}/stop/")
    through_page = page.post(f"{PAGE}{coupon.pk}/stop/")

    assert (through_api.status_code, through_api.json()["code"]) == (404, "not_found")
    assert through_page.status_code == 404
    assert Coupon.objects.get(pk=coupon.pk).is_active


def test_the_reseller_stops_a_code_from_its_page_and_sees_it_stopped_in_chinese():
    reseller = ResellerFactory()
    coupon = reseller_code_create(reseller=reseller, code="PAGE01", name="", off_amount=500)
    client = Client()
    client.force_login(reseller.user)

    before = client.get(PAGE).content.decode()
    stopped = client.post(f"{PAGE}{coupon.pk}/stop/", follow=True)

    assert f'action="{PAGE}{coupon.pk}/stop/"' in before and "停用" in before
    body = stopped.content.decode()
    assert "优惠码 PAGE01 已停用。" in body
    assert f'action="{PAGE}{coupon.pk}/stop/"' not in body  # no button on a stopped code
    assert "已停用" in body
    assert not Coupon.objects.get(pk=coupon.pk).is_active


def test_the_api_stops_a_code_and_lists_it_stopped():
    reseller = ResellerFactory()
    coupon = reseller_code_create(reseller=reseller, code="API001", name="", off_amount=500)
    api = APIClient()
    api.force_authenticate(reseller.user)

    stopped = api.post(f"/api/v1/coupons/promo-codes/{coupon.pk}/stop/")
    again = api.post(f"/api/v1/coupons/promo-codes/{coupon.pk}/stop/")

    assert stopped.status_code == 200 and stopped.json()["is_active"] is False
    assert again.status_code == 200
    assert [row["is_active"] for row in api.get("/api/v1/coupons/promo-codes/").json()] == [False]


def test_the_api_answers_a_stopped_code_at_checkout_with_its_code(sku):
    reseller = ResellerFactory()
    coupon = reseller_code_create(reseller=reseller, code="APISTOP", name="", off_amount=500)
    reseller_code_stop(reseller=reseller, coupon_id=coupon.pk)
    api = APIClient()
    api.force_authenticate(UserFactory())

    answer = api.post(
        "/api/v1/orders/",
        {
            "lines": [{"sku_id": sku.pk, "quantity": 1}],
            "promo_code": "APISTOP",
            "shipping_address": {
                "recipient_name": "王五",
                "phone": "13700137000",
                "province_code": "31",
                "city_code": "3101",
                "district_code": "310104",
                "street": "漕溪北路 1 号",
            },
        },
        format="json",
    )

    assert answer.status_code == 409, answer.content
    assert answer.json()["code"] == "promo_code_stopped"
    assert answer.json()["message"] == "该优惠码已停用，不再提供优惠。"
