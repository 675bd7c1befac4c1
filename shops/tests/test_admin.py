"""Operators suspend shops and lift suspensions in the admin."""

import pytest
from django.urls import reverse

from accounts.tests.factories import OperatorFactory
from shops.choices import ShopStatus

from .factories import ShopFactory, ShopProductFactory

pytestmark = pytest.mark.django_db


def test_an_operator_suspends_a_shop_and_its_visitors_see_a_notice(client):
    operator = OperatorFactory()
    shop = ShopFactory()
    ShopProductFactory(shop=shop, product__title="暂停前的商品")
    client.force_login(operator)

    client.post(reverse("admin:shops_shop_changelist"), {"action": "make_suspended", "_selected_action": [shop.pk]})

    shop.refresh_from_db()
    assert shop.status == ShopStatus.SUSPENDED
    assert shop.status_changes.get().changed_by == operator
    page = client.get(f"/s/{shop.slug}/").content.decode()
    assert "已被平台暂停" in page and "暂停前的商品" not in page


def test_an_operator_lifts_a_suspension(client):
    client.force_login(OperatorFactory())
    shop = ShopFactory(status=ShopStatus.SUSPENDED)

    client.post(reverse("admin:shops_shop_changelist"), {"action": "make_open", "_selected_action": [shop.pk]})

    shop.refresh_from_db()
    assert shop.status == ShopStatus.OPEN


def test_operators_see_a_shop_with_its_picks_and_history(client):
    client.force_login(OperatorFactory())
    pick = ShopProductFactory()

    assert client.get(reverse("admin:shops_shop_change", args=[pick.shop.pk])).status_code == 200
