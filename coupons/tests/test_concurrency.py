"""A coupon is used once, also when fifty checkouts race for it on
PostgreSQL (threads released together, each on its own connection)."""

import pytest
from celery._state import _set_task_join_will_block

from accounts.tests.factories import UserFactory
from catalog.tests.factories import SkuFactory
from conftest import run_together
from coupons.choices import ClaimStatus
from coupons.exceptions import CouponUnavailable
from coupons.services import coupon_claim
from orders.models import Order, OrderDiscount
from orders.services.placing import LineRequest, order_place
from orders.tests.factories import an_address

from .factories import CouponFactory, claimed

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _celery_knows_it_is_not_inside_a_task():
    yield
    _set_task_join_will_block(False)


@pytest.mark.parametrize("in_sql", [True, False], ids=["sql-path", "orm-path"])
def test_fifty_checkouts_with_one_single_use_coupon_make_one_discounted_order(in_sql, settings):
    settings.ORDERS_PLACE_IN_SQL = in_sql
    buyer = UserFactory()
    sku = SkuFactory(list_price_amount=20_000, min_resale_amount=20_000, max_resale_amount=40_000, stock=100)
    claim = claimed(user=buyer)

    outcomes = run_together(
        *(
            lambda: order_place(
                buyer=buyer, lines=[LineRequest(sku.pk, 1)], address=an_address(), coupon_ids=[claim.pk]
            )
            for _ in range(50)
        )
    )

    placed = [outcome for outcome in outcomes if isinstance(outcome, Order)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, CouponUnavailable)]
    assert len(placed) == 1 and len(refused) == 49, [
        o for o in outcomes if not isinstance(o, Order | CouponUnavailable)
    ]
    claim.refresh_from_db()
    assert (claim.status, claim.order_id) == (ClaimStatus.USED, placed[0].pk)
    assert Order.objects.count() == 1 and OrderDiscount.objects.get().amount == 2_000
    sku.refresh_from_db()
    assert sku.stock == 99  # the refused checkouts' stock rolled back with them


def test_the_last_coupons_of_a_limited_issue_go_to_exactly_as_many_claimants():
    coupon = CouponFactory(total_limit=5)
    users = [UserFactory() for _ in range(20)]

    outcomes = run_together(
        *(lambda user=user: coupon_claim(coupon_id=coupon.pk, user=user, source="centre") for user in users)
    )

    assert sum(1 for outcome in outcomes if not isinstance(outcome, Exception)) == 5
    coupon.refresh_from_db()
    assert coupon.issued_count == 5 and coupon.claims.count() == 5
