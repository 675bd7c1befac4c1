"""Across distribution and shops: a reseller's status decides whether its
shop is open to visitors (freezing closes it, approval opens it)."""

import pytest

from accounts.tests.factories import OperatorFactory, UserFactory
from distribution.models import DistributionSettings
from distribution.services import reseller_approve, reseller_freeze, reseller_join, reseller_unfreeze
from distribution.tests.factories import ResellerFactory
from shops.selectors import shop_list_public
from shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db


def test_freezing_a_reseller_closes_its_shop_and_unfreezing_opens_it():
    operator = OperatorFactory()
    shop = ShopFactory()

    reseller_freeze(reseller=shop.owner, actor=operator, reason="counterfeit goods reported")
    assert shop not in shop_list_public()

    reseller_unfreeze(reseller=shop.owner, actor=operator, reason="supplier confirmed the goods")
    assert shop in shop_list_public()


def test_a_pending_resellers_shop_opens_once_approved():
    DistributionSettings.objects.create(reseller_approval_required=True)
    pending = reseller_join(user=UserFactory(), invite_code=ResellerFactory().invite_code)
    shop = ShopFactory(owner=pending)

    assert shop not in shop_list_public()
    reseller_approve(reseller=pending, actor=OperatorFactory())
    assert shop in shop_list_public()
