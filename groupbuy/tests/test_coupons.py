"""Coupons on group orders (拼团 + 优惠券): a campaign's ``coupons_apply``
decides. When set, the buyer's coupon comes off the group price through the
one place coupons meet prices (``orders.pricing.lines_discounted_by_coupons``):
paid = group price × quantity − discount, and every commission base stays ≤
what was paid for the line. When not set, a coupon is refused and nothing is
written."""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from accounts.tests.factories import UserFactory
from catalog.tests.factories import SkuFactory
from commissions.models import Commission
from commissions.reconciliation import reconcile
from coupons.calculations import coupon_value
from coupons.choices import ClaimStatus, CouponFunder, CouponKind
from coupons.exceptions import CouponUnavailable
from coupons.models import ClaimedCoupon
from coupons.selectors import coupon_rule
from coupons.tests.factories import claimed
from distribution.services import binding_touch
from distribution.tests.factories import ResellerFactory
from groupbuy.choices import CommissionMode, GroupStatus
from groupbuy.models import Group, Member
from orders.models import Order, OrderDiscount, OrderLine

from .factories import a_campaign, joined, opened
from .test_services import pay

pytestmark = pytest.mark.django_db


def test_a_campaign_that_lets_coupons_apply_takes_the_buyers_coupon_off_the_group_price():
    campaign = a_campaign(size=2, group_price=8000, coupons_apply=True, commission_mode=CommissionMode.FULL)
    buyer = UserFactory()
    binding_touch(customer=buyer, reseller=ResellerFactory(), source="link")
    claim = claimed(user=buyer, kind=CouponKind.NO_THRESHOLD, threshold_amount=0, off_amount=1000)

    leader = opened(campaign, buyer=buyer, coupon_ids=[claim.pk])

    order = Order.objects.get(pk=leader.order_id)
    line = order.lines.get()
    assert (line.unit_price_amount, line.discount_amount, line.line_total_amount) == (8000, 1000, 7000)
    assert order.total_amount == 7000 and order.discount_amount == 1000
    assert OrderDiscount.objects.get(order=order).amount == 1000
    assert ClaimedCoupon.objects.get(pk=claim.pk).status == ClaimStatus.USED

    pay(order)
    pay(Order.objects.get(pk=joined(leader.group_id).order_id))
    # the group filled: the commission's base is the margin of what was paid (70.00 − cost 50.00)
    line.refresh_from_db()
    assert line.paid_amount == 7000
    assert Commission.objects.get(order_line=line, tier=1).base_amount == 2000
    assert all(check.ok for check in reconcile())


def test_a_campaign_without_coupons_refuses_one_and_writes_nothing():
    campaign = a_campaign(size=2, group_price=8000, coupons_apply=False)
    buyer = UserFactory()
    claim = claimed(user=buyer, kind=CouponKind.NO_THRESHOLD, threshold_amount=0, off_amount=1000)
    stock = campaign.skus.get().sku.stock

    with pytest.raises(CouponUnavailable):
        opened(campaign, buyer=buyer, coupon_ids=[claim.pk])

    assert not Group.objects.exists() and not Member.objects.exists() and not Order.objects.exists()
    assert ClaimedCoupon.objects.get(pk=claim.pk).status == ClaimStatus.UNUSED
    assert campaign.skus.get().sku.stock == stock
    # without a coupon the same buyer opens the group at the group price
    assert Order.objects.get(pk=opened(campaign, buyer=buyer).order_id).total_amount == 8000


def test_a_joiner_without_coupons_refused_too_and_the_seat_stays_free():
    campaign = a_campaign(size=2, group_price=8000, coupons_apply=False)
    leader = opened(campaign)
    friend = UserFactory()
    claim = claimed(user=friend, kind=CouponKind.NO_THRESHOLD, threshold_amount=0, off_amount=500)

    with pytest.raises(CouponUnavailable):
        joined(leader.group_id, buyer=friend, coupon_ids=[claim.pk])

    assert Group.objects.get(pk=leader.group_id).seats_taken == 1


coupon_st = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(CouponKind.values),
        "threshold_amount": st.integers(0, 20_000),
        "off_amount": st.integers(1, 9_000),
        "percent_off_bps": st.integers(1, 9_999),
        "cap_amount": st.integers(1, 9_000),
        "funder": st.sampled_from([CouponFunder.PLATFORM, CouponFunder.SUPPLIER]),
    }
)


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    group_price=st.integers(5_000, 10_000),  # the SKU costs 50.00 and lists at 100.00
    quantity=st.integers(1, 2),
    coupon=coupon_st,
    mode=st.sampled_from([CommissionMode.FULL, CommissionMode.REDUCED]),
)
def test_a_filled_group_with_a_coupon_is_paid_its_price_less_the_discount_and_earns_on_no_more(
    group_price, quantity, coupon, mode
):
    with transaction.atomic():
        sku = SkuFactory(stock=100)
        campaign = a_campaign(
            sku=sku,
            size=2,
            group_price=group_price,
            coupons_apply=True,
            commission_mode=mode,
            commission_bps=5000 if mode == CommissionMode.REDUCED else 0,
        )
        if coupon["kind"] == CouponKind.AMOUNT_OFF:
            coupon["threshold_amount"] = max(coupon["threshold_amount"], coupon["off_amount"] + 1)
        if coupon["kind"] == CouponKind.NO_THRESHOLD:
            coupon["threshold_amount"] = 0
        supplier = sku.product.supplier
        reseller = ResellerFactory()
        buyer, friend = UserFactory(), UserFactory()
        for person in (buyer, friend):
            binding_touch(customer=person, reseller=reseller, source="link")
        claim = claimed(
            user=buyer, funder_supplier=supplier if coupon["funder"] == CouponFunder.SUPPLIER else None, **coupon
        )
        try:
            leader = opened(campaign, buyer=buyer, quantity=quantity, coupon_ids=[claim.pk])
        except CouponUnavailable:  # it takes nothing (below its threshold, or a percentage under a fen): refused
            assert coupon_value(coupon_rule(claim.coupon), group_price * quantity) == 0
            assert not Member.objects.filter(campaign=campaign).exists()
            transaction.set_rollback(True)
            return
        pay(Order.objects.get(pk=leader.order_id))
        pay(Order.objects.get(pk=joined(leader.group_id, buyer=friend).order_id))

        assert Group.objects.get(pk=leader.group_id).status == GroupStatus.SUCCEEDED
        line = OrderLine.objects.get(order_id=leader.order_id)
        discount = OrderDiscount.objects.get(line=line).amount
        assert 0 < discount < group_price * quantity
        assert line.paid_amount == group_price * quantity - discount == line.line_total_amount
        for commission in Commission.objects.filter(order_line__order__group_member__group_id=leader.group_id):
            paid = OrderLine.objects.get(pk=commission.order_line_id).paid_amount
            assert commission.base_amount <= paid and commission.amount <= paid
        assert all(check.ok for check in reconcile())
        transaction.set_rollback(True)


def test_the_seat_form_offers_the_buyers_coupons_only_when_the_campaign_takes_them(client):
    from django.urls import reverse

    from .factories import campaign_sku_id
    from .test_views import NEW_ADDRESS

    takes, refuses = a_campaign(group_price=8000, coupons_apply=True), a_campaign(group_price=8000)
    buyer = UserFactory()
    claim = claimed(user=buyer, kind=CouponKind.NO_THRESHOLD, threshold_amount=0, off_amount=1500, name="新人券")
    client.force_login(buyer)

    assert "新人券" not in client.get(reverse("groupbuy:campaign", args=[refuses.pk])).content.decode()
    page = client.get(reverse("groupbuy:campaign", args=[takes.pk])).content.decode()
    assert "新人券" in page and "−¥15.00" in page

    response = client.post(
        reverse("groupbuy:campaign", args=[takes.pk]),
        {"sku_id": campaign_sku_id(takes), "quantity": 1, "coupon": str(claim.pk), **NEW_ADDRESS},
    )

    order = Order.objects.get(pk=Member.objects.get(buyer=buyer).order_id)
    assert response.status_code == 302 and (order.total_amount, order.discount_amount) == (6500, 1500)


def test_the_api_applies_a_coupon_where_the_campaign_takes_them_and_refuses_it_elsewhere():
    from .factories import campaign_sku_id
    from .test_api import ADDRESS, _client

    takes, refuses = a_campaign(group_price=8000, coupons_apply=True), a_campaign(group_price=8000)
    buyer = UserFactory()
    first = claimed(user=buyer, kind=CouponKind.NO_THRESHOLD, threshold_amount=0, off_amount=500)

    def open_group(campaign, claim):
        body = {"campaign_id": campaign.pk, "sku_id": campaign_sku_id(campaign), "coupon_ids": [claim.pk]}
        return _client(buyer).post("/api/v1/groups/", {**body, "shipping_address": ADDRESS}, format="json")

    refused = open_group(refuses, first)
    assert refused.status_code == 409 and refused.data["code"] == "coupon_unavailable"
    assert not Member.objects.exists() and ClaimedCoupon.objects.get(pk=first.pk).status == ClaimStatus.UNUSED

    answer = open_group(takes, first)
    assert answer.status_code == 201, answer.content
    assert Order.objects.get(pk=answer.data["order_id"]).total_amount == 7500


def test_a_failed_group_gives_the_coupons_funder_its_discount_back_and_an_unpaid_seat_its_coupon():
    from datetime import timedelta

    from django.utils import timezone

    from coupons.services import FUNDER_ACCOUNTS
    from ledger.models import LedgerAccount

    from .test_services import sweep

    campaign = a_campaign(size=3, group_price=8000, coupons_apply=True)
    supplier = campaign.product.supplier
    payer, waiter = UserFactory(), UserFactory()
    paid_claim = claimed(
        user=payer,
        kind=CouponKind.NO_THRESHOLD,
        threshold_amount=0,
        off_amount=1000,
        funder=CouponFunder.SUPPLIER,
        funder_supplier=supplier,
    )
    unpaid_claim = claimed(user=waiter, kind=CouponKind.NO_THRESHOLD, threshold_amount=0, off_amount=800)
    leader = opened(campaign, buyer=payer, coupon_ids=[paid_claim.pk])
    pay(Order.objects.get(pk=leader.order_id))
    joined(leader.group_id, buyer=waiter, coupon_ids=[unpaid_claim.pk])  # holds its seat, never pays

    def supplier_funded() -> int:
        account = LedgerAccount.objects.filter(
            kind=FUNDER_ACCOUNTS[CouponFunder.SUPPLIER], owner_id=supplier.pk
        ).first()
        return account.balance_amount if account else 0

    assert supplier_funded() == 1000  # charged when the payment committed
    assert sweep(now=timezone.now() + timedelta(days=2))[GroupStatus.FAILED] == 1

    order = Order.objects.get(pk=leader.order_id)
    assert order.refunded_amount == order.paid_amount == 7000  # what was paid comes back, no more
    assert supplier_funded() == 0  # and the supplier's discount with it
    assert ClaimedCoupon.objects.get(pk=unpaid_claim.pk).status == ClaimStatus.UNUSED  # the unpaid seat's coupon
    assert all(check.ok for check in reconcile())
