"""The coupon pages as a phone user meets them: 领券中心, 我的优惠券, 领取
on a product page, a share link, and the checkout's picker suggesting the
best coupon; each in a bounded number of queries."""

import re

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from catalog.tests.factories import SupplierStaffFactory
from coupons.choices import ClaimSource, ClaimStatus, CouponFunder, CouponKind, CouponScope
from coupons.models import ClaimedCoupon, Coupon
from coupons.views import coupon_share_path
from orders.models import Order
from orders.tests.factories import shop_selling

from .factories import CouponFactory, claimed

pytestmark = pytest.mark.django_db


def test_the_centre_lists_coupons_in_chinese_and_a_claim_marks_it_claimed(client, django_assert_max_num_queries):
    buyer = UserFactory()
    coupon = CouponFactory(name="满100减20", threshold_amount=10_000, off_amount=2_000)
    CouponFactory(name="店主码券", code="SECRET1")  # a promo code's coupon is never listed
    for _ in range(3):
        CouponFactory()
    client.force_login(buyer)

    with django_assert_max_num_queries(8):
        page = client.get(reverse("coupons:centre")).content.decode()
    assert "领券中心" in page and "满100减20" in page and "满 ¥100.00 减 ¥20.00" in page and "店主码券" not in page

    answer = client.post(reverse("coupons:claim", args=[coupon.pk]), {"next": reverse("coupons:centre")}, follow=True)

    assert "领取成功" in answer.content.decode()
    assert ClaimedCoupon.objects.get(user=buyer, coupon=coupon).source == ClaimSource.CENTRE
    assert "已领取" in client.get(reverse("coupons:centre")).content.decode()
    again = client.post(reverse("coupons:claim", args=[coupon.pk]), follow=True).content.decode()
    assert "已达到领取上限" in again and ClaimedCoupon.objects.filter(user=buyer).count() == 1


def test_my_coupons_has_a_tab_per_state(client, django_assert_max_num_queries):
    buyer = UserFactory()
    unused = claimed(user=buyer, name="无门槛5元", kind=CouponKind.NO_THRESHOLD, threshold_amount=0, off_amount=500)
    expired = claimed(user=buyer, name="过期券")
    ClaimedCoupon.objects.filter(pk=expired.pk).update(status=ClaimStatus.EXPIRED)
    client.force_login(buyer)

    with django_assert_max_num_queries(6):
        page = client.get(reverse("coupons:mine")).content.decode()
    assert "我的优惠券" in page and "未使用" in page and "无门槛5元" in page and "过期券" not in page
    assert unused.coupon.name in page and "无门槛减 ¥5.00" in page
    assert "过期券" in client.get(reverse("coupons:mine") + "?tab=expired").content.decode()
    assert client.get(reverse("coupons:mine") + "?tab=bogus").status_code == 200


def test_a_product_page_offers_the_coupons_that_reach_it(client, django_assert_max_num_queries):
    shop, sku = shop_selling()
    CouponFactory(name="全场满100减20")
    elsewhere = CouponFactory(name="别家商品券", scope="products")
    elsewhere.products.set([shop_selling()[1].product])
    buyer = UserFactory()
    client.force_login(buyer)
    url = reverse("shops:product", args=[shop.slug, sku.product_id])

    page = client.get(url).content.decode()

    assert "全场满100减20" in page and "别家商品券" not in page and "领取" in page
    coupon = CouponFactory._meta.model.objects.get(name="全场满100减20")
    client.post(reverse("coupons:claim", args=[coupon.pk]), {"next": url, "from": "product"})
    assert ClaimedCoupon.objects.get(user=buyer).source == ClaimSource.PRODUCT


def test_a_share_link_hands_out_a_coupon_not_listed_anywhere(client):
    coupon = CouponFactory(name="好友分享券", in_centre=False)
    buyer = UserFactory()
    link = coupon_share_path(coupon)

    assert "好友分享券" in client.get(link).content.decode()
    assert client.post(link).status_code == 302 and not ClaimedCoupon.objects.exists()  # sign in first
    client.force_login(buyer)
    client.post(link)

    assert ClaimedCoupon.objects.get(user=buyer).source == ClaimSource.SHARE
    assert client.get(link[:-3] + "xx/").status_code == 404  # a token that is not ours
    assert client.post(reverse("coupons:claim", args=[coupon.pk])).status_code == 302  # not claimable in the centre
    assert ClaimedCoupon.objects.filter(user=buyer).count() == 1


def test_checkout_suggests_the_best_coupon_and_the_order_costs_less(client, django_assert_max_num_queries):
    shop, sku = shop_selling(price=12_000)
    buyer = UserFactory()
    small = claimed(user=buyer, name="满100减5", off_amount=500)
    best = claimed(user=buyer, name="满100减20", off_amount=2_000)
    claimed(user=buyer, name="满500减100", threshold_amount=50_000, off_amount=10_000)  # out of reach
    client.force_login(buyer)
    client.post(reverse("orders:cart_add"), {"sku": sku.pk, "shop": shop.slug, "quantity": 1})

    with django_assert_max_num_queries(25):
        page = client.get(reverse("orders:checkout")).content.decode()

    assert "满100减20" in page and "满100减5" in page and "满500减100" not in page
    # the best is suggested (checked), each option showing its saving
    assert re.search(rf'name="coupon" value="{best.pk}" data-saving="2000"[^>]* checked', page)
    assert re.search(rf'name="coupon" value="{small.pk}" data-saving="500"[^>]*>', page)
    assert "¥100.00" in page  # 120.00 less the suggested 20.00
    form = {
        "address": "new",
        "new-recipient_name": "张三",
        "new-phone": "13800138000",
        "new-province_code": "44",
        "new-city_code": "4401",
        "new-district_code": "440106",
        "new-street": "体育西路 1 号",
        "coupon": str(small.pk),  # the buyer picks the smaller one
    }
    client.post(reverse("orders:checkout"), form)

    order = Order.objects.get(buyer=buyer)
    assert (order.total_amount, order.discount_amount) == (11_500, 500)
    small.refresh_from_db()
    best.refresh_from_db()
    assert small.status == ClaimStatus.USED and best.status == ClaimStatus.UNUSED


def test_a_supplier_creates_its_own_coupon_issues_it_and_reads_its_usage(client, django_assert_max_num_queries):
    staff = SupplierStaffFactory()
    other = SupplierStaffFactory()
    buyer = UserFactory(phone="13912345678")
    client.force_login(staff.user)
    url = reverse("coupons:supplier_coupons")

    refused = client.post(url, {"name": "山货券", "threshold_amount": "50", "off_amount": "60", "valid_days": "30"})
    assert refused.status_code == 400 and not Coupon.objects.exists()
    client.post(url, {"name": "山货满100减10", "threshold_amount": "100", "off_amount": "10", "valid_days": "30"})
    coupon = Coupon.objects.get()
    assert (coupon.funder, coupon.funder_supplier, coupon.scope, coupon.supplier) == (
        CouponFunder.SUPPLIER,
        staff.supplier,
        CouponScope.SUPPLIER,
        staff.supplier,
    )
    client.post(reverse("coupons:supplier_coupon_issue", args=[coupon.pk]), {"phones": "13912345678\n"})
    assert ClaimedCoupon.objects.get(user=buyer).source == ClaimSource.ISSUED

    with django_assert_max_num_queries(8):
        page = client.get(url).content.decode()
    assert "山货满100减10" in page and "满 ¥100.00 减 ¥10.00" in page
    # another supplier neither sees nor issues it
    client.force_login(other.user)
    assert "山货满100减10" not in client.get(url).content.decode()
    assert (
        client.post(reverse("coupons:supplier_coupon_issue", args=[coupon.pk]), {"phones": "13912345678"}).status_code
        == 404
    )
