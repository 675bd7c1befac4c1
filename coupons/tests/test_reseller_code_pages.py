"""A reseller's own promo codes through its page (/my-shop/promo-codes/) and
the API (/api/v1/coupons/promo-codes/): creating one with the discount in
yuan, the limit of three refused as a form error in Chinese, one reseller
never seeing another's, and the page's query count."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from coupons.choices import ClaimSource
from coupons.models import Coupon, CouponSettings
from coupons.services import MAX_OWN_CODES, coupon_claim, reseller_code_create
from distribution.tests.factories import ResellerFactory

from .factories import CouponFactory

pytestmark = pytest.mark.django_db

PAGE = "/my-shop/promo-codes/"


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_reseller_creates_a_code_with_its_discount_in_yuan_and_sees_it_with_its_usage():
    reseller = ResellerFactory(invite_code="MEI00001")
    client = _signed_in(reseller.user)

    answer = client.post(
        PAGE, {"code": "mei20", "name": "小美立减", "threshold_amount": "99", "off_amount": "20", "valid_days": "15"}
    )

    assert answer.status_code == 302
    coupon = Coupon.objects.get(funder_reseller=reseller)
    assert (coupon.code, coupon.threshold_amount, coupon.off_amount, coupon.valid_days) == ("MEI20", 9_900, 2_000, 15)
    coupon_claim(coupon_id=coupon.pk, user=UserFactory(), source=ClaimSource.CODE)  # a buyer typed it
    page = client.get(PAGE).content.decode()
    assert "MEI00001" in page and 'data-code="MEI20"' in page
    assert "满 ¥99.00 减 ¥20.00" in page
    assert "已领 1 · 已用 0 · 已过期 0" in page


def test_a_fourth_code_is_refused_as_a_form_error_in_chinese_and_nothing_is_created():
    reseller = ResellerFactory()
    for number in range(MAX_OWN_CODES):
        reseller_code_create(reseller=reseller, code=f"CODE{number}", name="", off_amount=500)
    client = _signed_in(reseller.user)
    assert "已达上限" in client.get(PAGE).content.decode()  # no form offered

    answer = client.post(PAGE, {"code": "CODE9", "off_amount": "5", "valid_days": "30"})

    assert answer.status_code == 400
    assert "你的优惠码已达上限。" in answer.content.decode()
    assert Coupon.objects.filter(funder_reseller=reseller).count() == MAX_OWN_CODES


def test_a_bad_amount_or_a_taken_code_is_a_form_error_on_its_field():
    reseller_code_create(reseller=ResellerFactory(), code="TAKEN1", name="", off_amount=500)
    reseller = ResellerFactory()
    client = _signed_in(reseller.user)

    taken = client.post(PAGE, {"code": "taken1", "off_amount": "5", "valid_days": "30"}).content.decode()
    above = client.post(PAGE, {"code": "MINE1", "threshold_amount": "5", "off_amount": "10", "valid_days": "30"})

    assert "这个码已被占用。" in taken
    assert above.status_code == 400 and "减免金额须大于 0 且低于门槛。" in above.content.decode()
    assert not Coupon.objects.filter(funder_reseller=reseller).exists()


def test_a_reseller_never_sees_anothers_codes_on_the_page_or_through_the_api():
    owner, other = ResellerFactory(), ResellerFactory()
    reseller_code_create(reseller=owner, code="OWNER1", name="", off_amount=500)
    api = APIClient()
    api.force_authenticate(other.user)

    assert "OWNER1" not in _signed_in(other.user).get(PAGE).content.decode()
    assert api.get("/api/v1/coupons/promo-codes/").json() == []
    assert _signed_in(UserFactory()).get(PAGE).status_code == 302  # not a reseller: sent to the join page


def test_the_api_creates_a_code_and_refuses_the_fourth_with_a_machine_readable_body():
    reseller = ResellerFactory()
    api = APIClient()
    api.force_authenticate(reseller.user)

    created = api.post("/api/v1/coupons/promo-codes/", {"code": "api5", "off_amount": "5.50"}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["code"] == "API5" and created.json()["off_amount"] == "5.50"
    for number in range(MAX_OWN_CODES - 1):
        api.post("/api/v1/coupons/promo-codes/", {"code": f"API{number}X", "off_amount": "5"}, format="json")
    refused = api.post("/api/v1/coupons/promo-codes/", {"code": "API9X", "off_amount": "5"}, format="json")

    assert refused.status_code == 400 and refused.json()["code"] == "coupon_invalid"
    listed = api.get("/api/v1/coupons/promo-codes/").json()
    assert len(listed) == MAX_OWN_CODES and {row["used_count"] for row in listed} == {0}


@pytest.mark.parametrize("codes", [0, 3])
def test_the_page_costs_the_same_queries_whatever_its_codes(django_assert_max_num_queries, codes):
    reseller = ResellerFactory()
    CouponSettings.objects.create(reseller_code_coupon=CouponFactory(in_centre=False))
    for number in range(codes):
        reseller_code_create(reseller=reseller, code=f"CODE{number}", name="", off_amount=500)
    client = _signed_in(reseller.user)

    # session, user; the reseller; its codes with their figures; the settings, their personal-code coupon;
    # the inbox badge
    with django_assert_max_num_queries(7):
        page = client.get(PAGE)

    assert page.status_code == 200 and page.content.decode().count('class="promo-row') == codes
