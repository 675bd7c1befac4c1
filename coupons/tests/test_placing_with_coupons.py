"""Placing with a coupon, on both placing stores: the discount split across
the lines it reaches, the coupon used exactly once, given back when the
order ends unpaid, charged to its funder when the order is paid and
credited back with a refund."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import OperatorFactory, UserFactory
from catalog.tests.factories import SkuFactory
from coupons.choices import ClaimStatus, CouponFunder, CouponKind, CouponScope
from coupons.exceptions import CouponsDoNotCombine, CouponUnavailable
from coupons.models import ClaimedCoupon, CouponSettings
from coupons.services import coupons_expire
from ledger.choices import AccountKind
from ledger.models import LedgerAccount
from orders.choices import Actor
from orders.models import Order, OrderDiscount, OrderLine
from orders.services.lifecycle import order_cancel, orders_expire_unpaid
from orders.services.placing import LineRequest, order_place
from orders.services.refunds import refund_decide, refund_request
from orders.tests.factories import an_address, pay
from socialshop.models import Event

from .factories import claimed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=[True, False], ids=["sql-path", "orm-path"])
def in_sql(request, settings):
    settings.ORDERS_PLACE_IN_SQL = request.param


def _sku(price: int, **fields):
    return SkuFactory(
        list_price_amount=price, min_resale_amount=price, max_resale_amount=price * 2, cost_amount=price // 2, **fields
    )


def _place(buyer, lines, coupons=()):
    return order_place(
        buyer=buyer,
        lines=[LineRequest(sku_id=sku.pk, quantity=quantity) for sku, quantity in lines],
        address=an_address(),
        coupon_ids=[claim.pk for claim in coupons],
    )


def _balance(kind, owner_id=None) -> int:
    account = LedgerAccount.objects.filter(kind=kind, owner_id=owner_id).first()
    return account.balance_amount if account else 0


def test_the_discount_is_split_across_the_lines_in_proportion_and_the_buyer_pays_less():
    buyer = UserFactory()
    big, small = _sku(20_000), _sku(10_001)
    claim = claimed(user=buyer, threshold_amount=30_000, off_amount=3_001)

    order = _place(buyer, [(big, 1), (small, 1)], [claim])

    lines = {line.sku_id: line for line in OrderLine.objects.filter(order=order)}
    # 3001 × 20000 / 30001 = 2000.53 → 2000, 3001 × 10001 / 30001 = 1000.4 → 1000; the 1 fen left on the largest
    assert (lines[big.pk].discount_amount, lines[small.pk].discount_amount) == (2_001, 1_000)
    assert (lines[big.pk].line_total_amount, lines[small.pk].line_total_amount) == (17_999, 9_001)
    order.refresh_from_db()
    assert (order.total_amount, order.discount_amount) == (27_000, 3_001)
    claim.refresh_from_db()
    assert (claim.status, claim.order_id) == (ClaimStatus.USED, order.pk)
    assert sorted(OrderDiscount.objects.filter(order=order).values_list("amount", flat=True)) == [1_000, 2_001]


def test_a_coupon_below_its_threshold_or_out_of_scope_refuses_the_order_and_changes_nothing():
    buyer = UserFactory()
    sku = _sku(5_000, stock=10)
    other = _sku(50_000)
    below = claimed(user=buyer, threshold_amount=10_000, off_amount=1_000)
    elsewhere = claimed(user=buyer, scope=CouponScope.PRODUCTS, threshold_amount=10_000, off_amount=1_000)
    elsewhere.coupon.products.set([other.product])

    for claim in (below, elsewhere):
        with pytest.raises(CouponUnavailable):
            _place(buyer, [(sku, 1)], [claim])

    sku.refresh_from_db()
    assert sku.stock == 10 and not Order.objects.exists()
    assert set(ClaimedCoupon.objects.values_list("status", flat=True)) == {ClaimStatus.UNUSED}


def test_someone_elses_or_a_used_coupon_is_refused():
    buyer, other = UserFactory(), UserFactory()
    sku = _sku(20_000)
    theirs = claimed(user=other)
    mine = claimed(user=buyer)
    _place(buyer, [(sku, 1)], [mine])

    for claim in (theirs, mine):
        with pytest.raises(CouponUnavailable):
            _place(buyer, [(sku, 1)], [claim])
    assert Order.objects.count() == 1


def test_one_coupon_per_order_unless_the_operator_allows_a_platform_and_a_supplier_coupon():
    buyer = UserFactory()
    sku = _sku(20_000)
    platform = claimed(user=buyer)
    supplier = claimed(user=buyer, funder=CouponFunder.SUPPLIER, funder_supplier=sku.product.supplier)
    another_platform = claimed(user=buyer)

    with pytest.raises(CouponsDoNotCombine):
        _place(buyer, [(sku, 1)], [platform, supplier])
    CouponSettings.objects.create(stacking_allowed=True)
    with pytest.raises(CouponsDoNotCombine):
        _place(buyer, [(sku, 1)], [platform, another_platform])

    order = _place(buyer, [(sku, 1)], [platform, supplier])

    assert order.discount_amount == 4_000 and order.total_amount == 16_000


def test_percent_off_is_capped():
    buyer = UserFactory()
    sku = _sku(10_000)
    claim = claimed(
        user=buyer, kind=CouponKind.PERCENT_OFF, threshold_amount=0, percent_off_bps=2_000, cap_amount=3_000
    )

    order = _place(buyer, [(sku, 3)], [claim])  # 20% of 300.00 is 60.00, capped at 30.00

    assert order.discount_amount == 3_000


def test_a_cancelled_or_expired_order_gives_its_coupon_back_while_it_is_valid():
    buyer = UserFactory()
    sku = _sku(20_000)
    claim = claimed(user=buyer)
    order = _place(buyer, [(sku, 1)], [claim])

    order_cancel(order_id=order.pk, by=buyer, actor_kind=Actor.BUYER, reason="")

    claim.refresh_from_db()
    assert (claim.status, claim.order_id) == (ClaimStatus.UNUSED, None)
    again = _place(buyer, [(sku, 1)], [claim])
    # the claim's window ends before the unpaid order expires: it does not come back
    ClaimedCoupon.objects.filter(pk=claim.pk).update(valid_until=timezone.now() + timedelta(seconds=1))
    orders_expire_unpaid(now=timezone.now() + timedelta(days=1))
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.EXPIRED and claim.order_id == again.pk


def test_the_funder_is_charged_at_payment_the_snapshot_names_each_share_and_a_refund_gives_it_back():
    buyer = UserFactory()
    sku = _sku(20_000)
    supplier = sku.product.supplier
    claim = claimed(user=buyer, funder=CouponFunder.SUPPLIER, funder_supplier=supplier)
    order = _place(buyer, [(sku, 1)], [claim])

    pay(order)

    assert _balance(AccountKind.SUPPLIER_COUPON_DISCOUNT, supplier.pk) == 2_000
    assert _balance(AccountKind.PLATFORM_REVENUE) == 20_000  # 180.00 from the buyer, 20.00 from the supplier
    line = order.lines.get()
    paid = Event.objects.get(type="order.paid", aggregate_id=order.pk).payload
    assert paid["coupons"] == {
        str(claim.pk): {
            "coupon_id": claim.coupon_id,
            "funder": "supplier",
            "funder_id": supplier.pk,
            "lines": {str(line.pk): 2_000},
        }
    }


def test_refunds_give_the_funder_back_its_share_in_proportion_and_all_of_it_in_the_end(
    django_capture_on_commit_callbacks,
):
    buyer = UserFactory()
    sku = _sku(10_000)
    claim = claimed(user=buyer, threshold_amount=0, kind=CouponKind.NO_THRESHOLD, off_amount=3_001)
    order = _place(buyer, [(sku, 1)], [claim])  # pays 69.99
    with django_capture_on_commit_callbacks(execute=True):
        pay(order)
    line = order.lines.get()

    def refund(amount):
        request = refund_request(order_id=order.pk, line_id=line.pk, buyer=buyer, amount=amount, reason="少发了一件")
        with django_capture_on_commit_callbacks(execute=True):
            refund_decide(refund_id=request.pk, approve=True, by=OperatorFactory(), actor_kind=Actor.OPERATOR)

    refund(3_000)  # 3000 / 6999 of what was paid: 3001 × 3000 // 6999 = 1286 of the share back

    assert OrderDiscount.objects.get(line=line).returned_amount == 1_286
    assert _balance(AccountKind.PLATFORM_COUPON_DISCOUNT) == 3_001 - 1_286

    refund(3_999)  # the rest: the whole share is back

    assert OrderDiscount.objects.get(line=line).returned_amount == 3_001
    assert _balance(AccountKind.PLATFORM_COUPON_DISCOUNT) == 0
    assert _balance(AccountKind.PLATFORM_REFUNDS) == 10_000  # the buyer's 69.99 and the coupon's 30.01


def test_the_sweep_expires_unused_coupons_past_their_window_once():
    buyer = UserFactory()
    old = claimed(user=buyer)
    fresh = claimed(user=buyer)
    ClaimedCoupon.objects.filter(pk=old.pk).update(
        valid_from=timezone.now() - timedelta(days=2), valid_until=timezone.now() - timedelta(minutes=1)
    )

    assert coupons_expire() == 1
    assert coupons_expire() == 0
    assert dict(ClaimedCoupon.objects.values_list("pk", "status")) == {
        old.pk: ClaimStatus.EXPIRED,
        fresh.pk: ClaimStatus.UNUSED,
    }
