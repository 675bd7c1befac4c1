"""Reseller promo codes: a buyer who types one gets its discount and is
bound to the reseller; a reseller never discounts its own orders with its
own code or its team's; a reseller funds its own codes from its earnings."""

import pytest

from accounts.tests.factories import UserFactory
from catalog.tests.factories import SkuFactory
from coupons.choices import ClaimSource, CouponFunder
from coupons.exceptions import OwnPromoCodeRefused, PromoCodeInvalid, PromoCodeUnknown
from coupons.models import ClaimedCoupon, CouponSettings
from coupons.services import MAX_OWN_CODES, reseller_code_create
from distribution.models import Binding
from distribution.tests.factories import ResellerFactory
from ledger.choices import AccountKind
from ledger.models import LedgerAccount
from orders.models import Order, OrderLine
from orders.services.placing import LineRequest, order_place
from orders.tests.factories import an_address, pay

from .factories import CouponFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=[True, False], ids=["sql-path", "orm-path"])
def in_sql(request, settings):
    settings.ORDERS_PLACE_IN_SQL = request.param


@pytest.fixture
def sku():
    return SkuFactory(list_price_amount=20_000, min_resale_amount=20_000, max_resale_amount=40_000)


def _place(buyer, sku, code):
    return order_place(buyer=buyer, lines=[LineRequest(sku.pk, 1)], address=an_address(), promo_code=code)


def test_a_resellers_invite_code_as_promo_code_discounts_binds_and_attributes(sku):
    reseller = ResellerFactory(invite_code="XIAOMEI8")
    CouponSettings.objects.create(reseller_code_coupon=CouponFactory(name="店主专属券", in_centre=False))
    buyer = UserFactory()

    order = _place(buyer, sku, " xiaomei8 ")

    assert order.discount_amount == 2_000
    assert Binding.objects.get(customer=buyer, ended_at__isnull=True).reseller == reseller
    assert OrderLine.objects.get(order=order).attributed_reseller == reseller  # bound before the lines were read
    assert ClaimedCoupon.objects.get(user=buyer).source == ClaimSource.CODE


def test_a_reseller_funds_its_own_code_and_pays_for_it_when_the_order_is_paid(sku):
    reseller = ResellerFactory()
    reseller_code_create(reseller=reseller, code="mei20", name="小美立减", off_amount=2_000)
    buyer = UserFactory()

    order = pay(_place(buyer, sku, "MEI20"))

    assert order.total_amount == 18_000
    balances = dict(LedgerAccount.objects.filter(owner_id=reseller.pk).values_list("kind", "balance_amount"))
    # charged to its coupon account and paid at once from its withdrawable money (docs/coupons.md)
    assert balances[AccountKind.RESELLER_COUPON_DISCOUNT] == 0
    assert balances[AccountKind.RESELLER_WITHDRAWABLE] == -2_000


def test_a_reseller_cannot_use_its_own_code_or_its_teams(sku):
    upline = ResellerFactory(invite_code="UPLINE01")
    downline = ResellerFactory(inviter=upline, invite_code="DOWN0001")
    reseller_code_create(reseller=downline, code="DOWNCODE", name="下级券", off_amount=1_000)
    CouponSettings.objects.create(reseller_code_coupon=CouponFactory(in_centre=False))

    for code in ("UPLINE01", "DOWN0001", "DOWNCODE"):
        with pytest.raises(OwnPromoCodeRefused) as refused:
            _place(upline.user, sku, code)
        assert refused.value.fields == {"promo_code": [str(OwnPromoCodeRefused.default_message)]}
    # the downline may use its upline's code: it is not its own team
    assert _place(downline.user, sku, "UPLINE01").discount_amount == 2_000
    assert Order.objects.filter(buyer=upline.user).count() == 0


def test_an_unknown_code_refuses_the_order_and_changes_nothing(sku):
    buyer = UserFactory()

    with pytest.raises(PromoCodeUnknown):
        _place(buyer, sku, "NOSUCH")

    assert not Order.objects.exists() and not Binding.objects.exists()


def test_a_reseller_may_fund_a_few_codes_each_its_own():
    reseller, other = ResellerFactory(), ResellerFactory()
    for number in range(MAX_OWN_CODES):
        coupon = reseller_code_create(reseller=reseller, code=f"CODE{number}", name="", off_amount=100)
        assert (coupon.funder, coupon.funder_reseller) == (CouponFunder.RESELLER, reseller)

    with pytest.raises(PromoCodeInvalid):
        reseller_code_create(reseller=reseller, code="ONEMORE", name="", off_amount=100)
    with pytest.raises(PromoCodeInvalid):
        reseller_code_create(reseller=other, code="code0", name="", off_amount=100)  # taken
    with pytest.raises(PromoCodeInvalid):
        reseller_code_create(reseller=other, code="no!", name="", off_amount=100)
