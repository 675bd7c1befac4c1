"""Thin output and input serializers; the rules live in the services."""

from rest_framework import serializers

from socialshop.api.fields import MoneyField

from ..choices import ClaimStatus


class CouponOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField(help_text="amount_off (满减), percent_off (折扣), no_threshold (无门槛)")
    threshold_amount = MoneyField()
    off_amount = MoneyField()
    percent_off_bps = serializers.IntegerField(help_text="1500 = 15% off")
    cap_amount = MoneyField()
    scope = serializers.CharField(help_text="all, category, supplier or products")
    funder = serializers.CharField(help_text="who pays for the discount: platform, supplier or reseller")
    valid_until = serializers.DateTimeField(allow_null=True)
    valid_days = serializers.IntegerField(allow_null=True, help_text="valid this many days after claiming")
    combines_with_flash = serializers.BooleanField()


class ClaimedCouponOut(serializers.Serializer):
    id = serializers.IntegerField(help_text="what POST /orders/ takes in coupon_ids")
    coupon = CouponOut()
    status = serializers.CharField(help_text="unused, used or expired")
    valid_from = serializers.DateTimeField()
    valid_until = serializers.DateTimeField()
    order_id = serializers.IntegerField(allow_null=True)


class MineIn(serializers.Serializer):
    status = serializers.ChoiceField(choices=ClaimStatus.values, required=False, default=ClaimStatus.UNUSED)


class PromoCodeOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField(help_text="what a buyer types at checkout (promo_code)")
    name = serializers.CharField()
    kind = serializers.CharField(help_text="amount_off (满减) or no_threshold (无门槛)")
    threshold_amount = MoneyField()
    off_amount = MoneyField()
    valid_days = serializers.IntegerField(help_text="valid this many days after a buyer types it")
    is_active = serializers.BooleanField()
    issued_count = serializers.IntegerField(help_text="claims so far (buyers who typed it)")
    used_count = serializers.IntegerField()
    expired_count = serializers.IntegerField()


class PromoCodeIn(serializers.Serializer):
    code = serializers.CharField(max_length=20, help_text="4 to 20 letters and digits; stored in capitals")
    name = serializers.CharField(max_length=60, required=False, default="", allow_blank=True)
    threshold_amount = MoneyField(required=False, default=0, help_text="0: no threshold")
    off_amount = MoneyField(positive=True)
    valid_days = serializers.IntegerField(min_value=1, max_value=365, required=False, default=30)
