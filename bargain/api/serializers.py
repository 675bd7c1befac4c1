from rest_framework import serializers

from orders.api.serializers import AddressIn
from socialshop.api.fields import MoneyField, StrictIntegerField


class HelpOut(serializers.Serializer):
    name = serializers.CharField(help_text="masked: 张** or 138****8000")
    cut = MoneyField(read_only=True, source="cut_amount")


class BargainOut(serializers.Serializer):
    id = serializers.IntegerField(source="bargain.pk")
    campaign_id = serializers.IntegerField(source="bargain.campaign_id")
    title = serializers.CharField(source="bargain.campaign.title")
    status = serializers.CharField(source="bargain.status", help_text="active, ordered, bought or expired")
    start_price = MoneyField(read_only=True, source="bargain.start_price_amount")
    floor_price = MoneyField(read_only=True, source="bargain.floor_price_amount")
    current_price = MoneyField(read_only=True, source="bargain.current_price_amount")
    cut_so_far = MoneyField(read_only=True, source="cut_amount")
    progress_percent = serializers.IntegerField(help_text="of the way from the starting price to the floor")
    helps_needed = serializers.IntegerField(source="bargain.helps_needed")
    helps_left = serializers.IntegerField()
    expires_at = serializers.DateTimeField(source="bargain.expires_at", help_text="buy by then")
    seconds_left = serializers.IntegerField()
    order_id = serializers.IntegerField(source="bargain.order_id", allow_null=True)
    helps = HelpOut(many=True, help_text="newest first")


class StartIn(serializers.Serializer):
    campaign_id = StrictIntegerField(min_value=1, max_value=2**62)


class HelpDoneOut(serializers.Serializer):
    bargain_id = serializers.IntegerField()
    number = serializers.IntegerField(help_text="this help's place: 1 … helps_needed")
    cut = MoneyField(read_only=True, source="cut_amount")
    current_price = MoneyField(read_only=True, source="price_after_amount")


class BuyIn(serializers.Serializer):
    shipping_address = AddressIn()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
