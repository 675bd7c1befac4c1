"""Coupons for tests: a template and a claim, built as an operator would."""

from datetime import timedelta

import factory
from django.utils import timezone

from coupons.choices import ClaimSource, CouponFunder, CouponKind
from coupons.models import Coupon
from coupons.services import coupon_claim


class CouponFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coupon

    name = factory.Sequence(lambda n: f"满100减20 #{n}")
    kind = CouponKind.AMOUNT_OFF
    threshold_amount = 10_000
    off_amount = 2_000
    funder = CouponFunder.PLATFORM
    valid_until = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


def claimed(coupon: Coupon | None = None, *, user, **coupon_fields):
    """``user`` claims ``coupon`` (a new one with ``coupon_fields`` when None) from the centre."""
    coupon = coupon or CouponFactory(**coupon_fields)
    return coupon_claim(coupon_id=coupon.pk, user=user, source=ClaimSource.CENTRE)
