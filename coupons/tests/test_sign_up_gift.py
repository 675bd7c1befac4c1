"""The sign-up gift: a new account gets each coupon marked for sign-up,
through the user.signed_up event (its consumer runs once per event)."""

import pytest

from accounts.services import user_create
from coupons.choices import ClaimSource
from coupons.models import ClaimedCoupon
from coupons.services import coupons_on_sign_up
from socialshop.events import events_consume

from .factories import CouponFactory

pytestmark = pytest.mark.django_db


def test_a_new_account_gets_the_sign_up_coupons_once():
    gift = CouponFactory(on_sign_up=True, in_centre=False)
    CouponFactory(on_sign_up=False)

    user = user_create(phone="13912345678", password="a-long-password-1")
    events_consume(consumer="coupons")
    events_consume(consumer="coupons")

    assert list(ClaimedCoupon.objects.filter(user=user).values_list("coupon_id", "source")) == [
        (gift.pk, ClaimSource.SIGN_UP)
    ]
    assert coupons_on_sign_up(user_id=user.pk) == 0  # handled twice: nothing more
