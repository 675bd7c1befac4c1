"""Who funds a coupon pays for it from its own money (docs/coupons.md):

- a supplier's coupon comes out of what the supplier is owed for the line,
  when that payable is posted (after-sales window over), net of what
  refunds gave back;
- a reseller's promo code comes out of its withdrawable money when the
  order is paid and goes back with refunds; a shortfall is a negative
  balance that refuses withdrawals until earnings cover it;
- reconcile checks both; the reseller's money page and statement and the
  supplier's coupon page show the deduction in Chinese, in yuan."""

from datetime import timedelta

import pytest
from django.test import Client

from accounts.tests.factories import UserFactory
from catalog.tests.factories import SkuFactory
from commissions.exceptions import WithdrawalRefused
from commissions.models import Commission, SupplierPayable
from commissions.reconciliation import check_coupon_discounts_match_the_ledger, reconcile
from commissions.services.settlement import commissions_settle_matured
from commissions.services.withdrawals import withdrawal_request
from coupons.choices import CouponFunder
from coupons.services import reseller_code_create
from coupons.tests.factories import claimed
from distribution.tests.factories import ResellerFactory
from ledger.choices import AccountKind
from ledger.services import ledger_account
from orders.choices import Actor
from orders.models import OrderDiscount
from orders.services.lifecycle import order_confirm_receipt
from orders.services.placing import LineRequest, order_place
from orders.services.refunds import refund_decide, refund_request
from orders.tests.factories import an_address, pay, ship
from shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db

AFTER_THE_WINDOW = timedelta(days=8)


def balance(kind, owner_id) -> int:
    return ledger_account(kind=kind, owner_id=owner_id).balance_amount


def _paid(capture, *, buyer, sku, coupon_ids=(), promo_code="", shop=None):
    order = order_place(
        buyer=buyer,
        lines=[LineRequest(sku.pk, 1, shop.slug if shop else None)],
        address=an_address(),
        coupon_ids=list(coupon_ids),
        promo_code=promo_code,
    )
    with capture(execute=True):
        return pay(order)


def _refund(order, amount, capture):
    line = order.lines.get()
    with capture(execute=True):
        refund = refund_request(order_id=order.pk, line_id=line.pk, buyer=order.buyer, amount=amount, reason="坏了")
        refund_decide(refund_id=refund.pk, approve=True, by=UserFactory(role="operator"), actor_kind=Actor.OPERATOR)


def _complete_and_sweep(order, capture):
    with capture(execute=True):
        ship(order)
        order_confirm_receipt(order_id=order.pk, buyer=order.buyer)
    order.refresh_from_db()
    with capture(execute=True):
        commissions_settle_matured(now=order.after_sales_ends_at + timedelta(seconds=1))


def test_a_suppliers_coupon_is_taken_from_its_payable_net_of_refunds(django_capture_on_commit_callbacks):
    # given a 200.00 item costing 80.00 and the supplier's own 30.00-off coupon
    sku = SkuFactory(list_price_amount=20_000, min_resale_amount=20_000, max_resale_amount=40_000, cost_amount=8_000)
    supplier = sku.product.supplier
    buyer = UserFactory()
    claim = claimed(user=buyer, funder=CouponFunder.SUPPLIER, funder_supplier=supplier, off_amount=3_000)

    # when the buyer pays 170.00, gets 17.00 back (a tenth), and the window ends
    order = _paid(django_capture_on_commit_callbacks, buyer=buyer, sku=sku, coupon_ids=[claim.pk])
    assert order.total_amount == 17_000
    assert balance(AccountKind.SUPPLIER_COUPON_DISCOUNT, supplier.pk) == 3_000  # charged, owed until the payable
    assert balance(AccountKind.SUPPLIER_PAYABLE, supplier.pk) == 0
    _refund(order, 1_700, django_capture_on_commit_callbacks)
    assert balance(AccountKind.SUPPLIER_COUPON_DISCOUNT, supplier.pk) == 2_700  # a tenth of the share came back
    _complete_and_sweep(order, django_capture_on_commit_callbacks)

    # then the supplier is owed nine tenths of the cost less nine tenths of its coupon, exactly
    owed = SupplierPayable.objects.get().amount
    assert owed == 7_200
    assert balance(AccountKind.SUPPLIER_PAYABLE, supplier.pk) == 7_200 - 2_700
    assert balance(AccountKind.SUPPLIER_COUPON_DISCOUNT, supplier.pk) == 0
    assert all(result.ok for result in reconcile()), [r.breaks for r in reconcile() if not r.ok]
    # a second sweep takes nothing more
    commissions_settle_matured(now=order.after_sales_ends_at + AFTER_THE_WINDOW)
    assert balance(AccountKind.SUPPLIER_PAYABLE, supplier.pk) == 4_500


def test_the_supplier_sees_its_coupon_deductions_in_yuan_on_its_coupon_page(django_capture_on_commit_callbacks):
    from catalog.services import supplier_staff_add

    sku = SkuFactory(list_price_amount=20_000, min_resale_amount=20_000, max_resale_amount=40_000, cost_amount=8_000)
    supplier = sku.product.supplier
    buyer = UserFactory()
    claim = claimed(user=buyer, funder=CouponFunder.SUPPLIER, funder_supplier=supplier, off_amount=3_000)
    _paid(django_capture_on_commit_callbacks, buyer=buyer, sku=sku, coupon_ids=[claim.pk])
    staff = UserFactory()
    supplier_staff_add(supplier=supplier, user=staff)
    client = Client()
    client.force_login(staff)

    page = client.get("/supplier/coupons/").content.decode()

    assert "待从应付货款扣除的优惠券让利" in page and "¥30.00" in page
    assert "应付货款（已扣除优惠券让利）" in page


def test_a_resellers_code_is_paid_from_its_withdrawable_money_and_back_with_refunds(
    django_capture_on_commit_callbacks,
):
    # given a reseller's shop selling at 120.00 (list 100.00, cost 50.00) and its own 10.00-off code
    seller = ResellerFactory()
    shop = ShopFactory(owner=seller)
    sku = SkuFactory(list_price_amount=10_000, min_resale_amount=10_000, max_resale_amount=20_000, cost_amount=5_000)
    from shops.services import shop_pick_product

    shop_pick_product(shop=shop, product=sku.product, prices={sku.pk: 12_000})
    reseller_code_create(reseller=seller, code="MEI10", name="小美立减", off_amount=1_000)
    buyer = UserFactory()

    # when a buyer types it and pays 110.00
    order = _paid(django_capture_on_commit_callbacks, buyer=buyer, sku=sku, promo_code="MEI10", shop=shop)

    # then 10.00 leaves the reseller's withdrawable money at once (negative: nothing settled yet)
    assert order.total_amount == 11_000
    assert balance(AccountKind.RESELLER_WITHDRAWABLE, seller.pk) == -1_000
    assert balance(AccountKind.RESELLER_COUPON_DISCOUNT, seller.pk) == 0
    # and a negative balance refuses a withdrawal
    with pytest.raises(WithdrawalRefused):
        withdrawal_request(reseller=seller, amount=1_000)

    # a refund of half gives half of the discount back
    _refund(order, 5_500, django_capture_on_commit_callbacks)
    assert balance(AccountKind.RESELLER_WITHDRAWABLE, seller.pk) == -500
    # the window ends: its earnings on the order become withdrawable, net of its code
    _complete_and_sweep(order, django_capture_on_commit_callbacks)
    earned = sum(
        c.amount - c.reversed_amount - c.clawed_back_amount for c in Commission.objects.filter(beneficiary=seller)
    )
    assert earned > 0
    assert balance(AccountKind.RESELLER_WITHDRAWABLE, seller.pk) == earned - 500
    assert all(result.ok for result in reconcile()), [r.breaks for r in reconcile() if not r.ok]


def test_the_reseller_sees_its_code_deductions_on_its_money_page_and_statement(django_capture_on_commit_callbacks):
    seller = ResellerFactory()
    sku = SkuFactory(list_price_amount=10_000, min_resale_amount=10_000, max_resale_amount=20_000)
    reseller_code_create(reseller=seller, code="MEI12", name="", off_amount=1_200)
    order = _paid(django_capture_on_commit_callbacks, buyer=UserFactory(), sku=sku, promo_code="MEI12")
    client = Client()
    client.force_login(seller.user)

    page = client.get("/money/").content.decode()
    statement = b"".join(client.get("/money/statement.csv").streaming_content).decode("utf-8-sig")

    assert "优惠码让利（店主出资）" in page
    assert "你的优惠码让利超过了你的余额" in page  # −12.00 with nothing settled yet: withdrawals wait
    assert f"订单 {order.number}" in page and "−¥12.00" in page and "MEI12" in page
    assert f"订单 {order.number}：你的优惠码让利，从可提现金额扣除" in statement


def test_reconcile_names_a_reseller_coupon_its_reseller_did_not_pay_for(django_capture_on_commit_callbacks):
    seller = ResellerFactory()
    sku = SkuFactory(list_price_amount=10_000, min_resale_amount=10_000, max_resale_amount=20_000)
    reseller_code_create(reseller=seller, code="MEI15", name="", off_amount=1_500)
    _paid(django_capture_on_commit_callbacks, buyer=UserFactory(), sku=sku, promo_code="MEI15")
    assert check_coupon_discounts_match_the_ledger() == []

    # a share that says more came back than the ledger gave back (a bug elsewhere, simulated)
    OrderDiscount.objects.update(returned_amount=100)

    breaks = check_coupon_discounts_match_the_ledger()
    assert any("its reseller's withdrawable money paid ¥15.00 and got back ¥0.00" in found for found in breaks), breaks
