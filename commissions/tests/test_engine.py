from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from catalog.tests.factories import SkuFactory
from commissions.choices import CommissionKind, CommissionState
from commissions.models import Commission, CommissionPlan, SupplierPayable
from commissions.reconciliation import reconcile
from commissions.services.accrual import commissions_create_for_order
from commissions.services.settlement import commissions_settle_matured
from distribution.choices import ResellerStatus
from distribution.models import Reseller
from distribution.tests.factories import ResellerFactory
from ledger.choices import AccountKind
from ledger.services import ledger_account
from orders.choices import Actor
from orders.services.lifecycle import order_confirm_receipt
from orders.services.refunds import refund_decide, refund_request
from orders.tests.factories import pay, place, ship, shop_selling
from shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db

AFTER_THE_WINDOW = timedelta(days=8)  # the after-sales window is 7 days by default


def frozen(reseller) -> int:
    return ledger_account(kind=AccountKind.RESELLER_FROZEN, owner_id=reseller.pk).balance_amount


def withdrawable(reseller) -> int:
    return ledger_account(kind=AccountKind.RESELLER_WITHDRAWABLE, owner_id=reseller.pk).balance_amount


@pytest.fixture
def tree():
    """grandparent → parent → seller, the seller's shop selling one SKU at
    120.00 (list 100.00, cost 50.00): margin 70.00, markup 20.00, base 50.00."""
    grandparent = ResellerFactory()
    parent = ResellerFactory(inviter=grandparent)
    seller = ResellerFactory(inviter=parent)
    shop, sku = shop_selling(shop=ShopFactory(owner=seller), price=12_000)
    return {"grandparent": grandparent, "parent": parent, "seller": seller, "shop": shop, "sku": sku}


def paid_order(tree, *, buyer=None, quantity=1, capture=None):
    order = place(buyer=buyer, shop=tree["shop"], sku=tree["sku"], quantity=quantity)
    with capture(execute=True):
        pay(order)
    return order


def by_beneficiary(order) -> dict:
    return {
        (c.beneficiary_id, c.kind, c.tier): (c.amount, c.rate_bps, c.base_amount, c.state)
        for c in Commission.objects.filter(order=order)
    }


def test_a_paid_order_pays_the_seller_its_markup_and_tier_1_and_the_inviter_tier_2(
    tree, django_capture_on_commit_callbacks
):
    order = paid_order(tree, capture=django_capture_on_commit_callbacks)

    assert by_beneficiary(order) == {
        (tree["seller"].pk, CommissionKind.MARKUP, 1): (2_000, 0, 2_000, CommissionState.FROZEN),
        (tree["seller"].pk, CommissionKind.TIER, 1): (1_500, 3_000, 5_000, CommissionState.FROZEN),
        (tree["parent"].pk, CommissionKind.TIER, 2): (500, 1_000, 5_000, CommissionState.FROZEN),
    }  # two tiers by default: the grandparent earns nothing
    assert (frozen(tree["seller"]), frozen(tree["parent"]), frozen(tree["grandparent"])) == (3_500, 500, 0)
    assert ledger_account(kind=AccountKind.PLATFORM_COMMISSION_EXPENSE).balance_amount == 4_000
    assert ledger_account(kind=AccountKind.PLATFORM_REVENUE).balance_amount == 12_000
    assert all(result.ok for result in reconcile())


def test_three_tiers_pay_the_grandparent(tree, django_capture_on_commit_callbacks):
    CommissionPlan.objects.create(tier_count=3, three_tiers_confirmed=True, tier3_share_bps=500, note="3")

    order = paid_order(tree, capture=django_capture_on_commit_callbacks)

    assert by_beneficiary(order)[(tree["grandparent"].pk, CommissionKind.TIER, 3)][0] == 250


def test_a_frozen_upline_earns_nothing_and_its_share_stays_with_the_platform(tree, django_capture_on_commit_callbacks):
    Reseller.objects.filter(pk=tree["parent"].pk).update(status=ResellerStatus.FROZEN)

    order = paid_order(tree, capture=django_capture_on_commit_callbacks)

    assert {key[0] for key in by_beneficiary(order)} == {tree["seller"].pk}
    assert ledger_account(kind=AccountKind.PLATFORM_COMMISSION_EXPENSE).balance_amount == 3_500


@pytest.mark.parametrize("self_purchase_earns, seller_earns", [(False, 0), (True, 3_500)])
def test_a_reseller_buying_for_itself_earns_only_if_the_plan_says_so(
    tree, django_capture_on_commit_callbacks, self_purchase_earns, seller_earns
):
    CommissionPlan.objects.create(self_purchase_earns=self_purchase_earns, note="self purchase")

    paid_order(tree, buyer=tree["seller"].user, capture=django_capture_on_commit_callbacks)

    assert frozen(tree["seller"]) == seller_earns
    assert frozen(tree["parent"]) == 500  # the upline earns on a real sale either way


def test_the_same_paid_event_handled_again_creates_nothing(tree, django_capture_on_commit_callbacks):
    order = paid_order(tree, capture=django_capture_on_commit_callbacks)
    before = by_beneficiary(order)

    assert commissions_create_for_order(order_id=order.pk) == 0
    assert commissions_create_for_order(order_id=order.pk) == 0

    assert by_beneficiary(order) == before
    assert frozen(tree["seller"]) == 3_500


def test_commissions_are_snapshots_that_moves_and_new_plans_do_not_rewrite(tree, django_capture_on_commit_callbacks):
    from distribution.services import reseller_move

    order = paid_order(tree, capture=django_capture_on_commit_callbacks)
    before = by_beneficiary(order)

    reseller_move(reseller=tree["seller"], new_inviter=None, actor=UserFactory(role="operator"), reason="restructure")
    CommissionPlan.objects.create(tier1_share_bps=9_000, tier2_share_bps=0, note="generous")
    commissions_create_for_order(order_id=order.pk)

    assert by_beneficiary(order) == before


def test_commission_calculation_costs_the_same_queries_whatever_the_depth(django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for depth in (1, 3, 40):  # the first also opens the platform's own accounts, as a running platform has
        chain = [ResellerFactory()]
        for _ in range(depth - 1):
            chain.append(ResellerFactory(inviter=chain[-1]))
        shop, sku = shop_selling(shop=ShopFactory(owner=chain[-1]), price=12_000)
        order = place(shop=shop, sku=sku, quantity=2)
        pay(order)  # not captured: the commission task has not run yet
        with CaptureQueriesContext(connection) as queries:
            commissions_create_for_order(order_id=order.pk)
        counts.append(len(queries))

    assert counts[1] == counts[2] <= 20, counts
    assert Commission.objects.filter(order=order).count() == 3


def _complete(order):
    ship(order)
    order_confirm_receipt(order_id=order.pk, buyer=order.buyer)
    order.refresh_from_db()
    return order


def test_commissions_settle_only_after_the_after_sales_window(tree, django_capture_on_commit_callbacks):
    order = paid_order(tree, capture=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        order = _complete(order)

    assert commissions_settle_matured(now=timezone.now()) == 0  # still inside the window
    assert commissions_settle_matured(now=order.after_sales_ends_at + timedelta(seconds=1)) == 3
    assert commissions_settle_matured(now=order.after_sales_ends_at + AFTER_THE_WINDOW) == 0  # once

    assert (frozen(tree["seller"]), withdrawable(tree["seller"])) == (0, 3_500)
    assert withdrawable(tree["parent"]) == 500
    assert set(Commission.objects.values_list("state", flat=True)) == {CommissionState.SETTLED}
    # the supplier is owed its cost once the window is over
    payable = SupplierPayable.objects.get()
    assert payable.amount == 5_000
    assert ledger_account(kind=AccountKind.SUPPLIER_PAYABLE, owner_id=payable.supplier_id).balance_amount == 5_000
    assert all(result.ok for result in reconcile())


def _refund(order, amount, capture):
    line = order.lines.get()
    with capture(execute=True):
        refund = refund_request(order_id=order.pk, line_id=line.pk, buyer=order.buyer, amount=amount, reason="坏了")
        refund_decide(refund_id=refund.pk, approve=True, by=UserFactory(role="operator"), actor_kind=Actor.OPERATOR)
    return refund


def test_a_partial_refund_before_settlement_shrinks_the_frozen_commissions(tree, django_capture_on_commit_callbacks):
    order = paid_order(tree, quantity=2, capture=django_capture_on_commit_callbacks)  # paid 240.00
    assert frozen(tree["seller"]) == 7_000

    _refund(order, 6_000, django_capture_on_commit_callbacks)  # a quarter back

    assert frozen(tree["seller"]) == 5_250 and frozen(tree["parent"]) == 750
    assert ledger_account(kind=AccountKind.PLATFORM_REFUNDS).balance_amount == 6_000
    assert all(result.ok for result in reconcile())


def test_a_full_refund_before_settlement_cancels_the_commissions(tree, django_capture_on_commit_callbacks):
    order = paid_order(tree, capture=django_capture_on_commit_callbacks)

    _refund(order, 12_000, django_capture_on_commit_callbacks)

    assert set(Commission.objects.values_list("state", flat=True)) == {CommissionState.CANCELLED}
    assert frozen(tree["seller"]) == frozen(tree["parent"]) == 0
    assert commissions_settle_matured(now=timezone.now() + timedelta(days=365)) == 0


def test_a_refund_after_settlement_claws_back_even_into_a_negative_balance(tree, django_capture_on_commit_callbacks):
    from commissions.services.withdrawals import withdrawal_request

    order = paid_order(tree, capture=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        order = _complete(order)
    commissions_settle_matured(now=order.after_sales_ends_at + timedelta(seconds=1))
    withdrawal_request(reseller=tree["seller"], amount=3_500)  # all of it withdrawn
    # an after-sales refund still within… the operator allows it after the window (goods came back)
    _refund(order, 12_000, django_capture_on_commit_callbacks)

    assert withdrawable(tree["seller"]) == -3_500  # 扣回: blocks withdrawals until earnings cover it
    clawed = Commission.objects.filter(beneficiary=tree["seller"]).values_list("clawed_back_amount", flat=True)
    assert sum(clawed) == 3_500
    assert all(result.ok for result in reconcile())


def test_an_open_refund_holds_settlement_until_it_is_decided(tree, django_capture_on_commit_callbacks):
    order = paid_order(tree, capture=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        order = _complete(order)
    line = order.lines.get()
    refund = refund_request(order_id=order.pk, line_id=line.pk, buyer=order.buyer, amount=1_000, reason="少了")
    later = order.after_sales_ends_at + timedelta(seconds=1)

    assert commissions_settle_matured(now=later) == 0

    refund_decide(refund_id=refund.pk, approve=False, by=UserFactory(role="operator"), actor_kind=Actor.OPERATOR)
    assert commissions_settle_matured(now=later) == 3


def test_a_line_outside_any_shop_pays_the_buyers_bound_reseller(django_capture_on_commit_callbacks):
    from distribution.choices import BindingSource
    from distribution.services import binding_touch

    reseller = ResellerFactory()
    buyer = UserFactory()
    binding_touch(customer=buyer, reseller=reseller, source=BindingSource.INVITE_CODE)
    sku = SkuFactory()
    order = place(buyer=buyer, sku=sku)
    with django_capture_on_commit_callbacks(execute=True):
        pay(order)

    assert by_beneficiary(order) == {
        (reseller.pk, CommissionKind.TIER, 1): (1_500, 3_000, 5_000, CommissionState.FROZEN)
    }
