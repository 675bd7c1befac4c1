"""Thin input and output serializers of the flash API."""

from rest_framework import serializers

from orders.api.serializers import AddressIn
from socialshop.api.fields import MoneyField


class FlashItemOut(serializers.Serializer):
    id = serializers.IntegerField()
    sku_id = serializers.IntegerField()
    product_id = serializers.IntegerField(source="sku.product_id")
    title = serializers.CharField(source="sku.product.title")
    spec_label = serializers.CharField(source="sku.spec_label")
    flash_price_amount = MoneyField()
    list_price_amount = MoneyField(source="sku.list_price_amount")
    flash_stock = serializers.IntegerField(help_text="units of the flash stock (0 until the slot opens)")
    planned_stock = serializers.IntegerField(help_text="units the slot takes from the SKU when it opens")
    sold_percent = serializers.IntegerField(help_text="how much of the flash stock is gone, 0–100")


class FlashCampaignOut(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    state = serializers.ChoiceField(choices=["upcoming", "live", "ended"])
    per_person_limit = serializers.IntegerField()
    hold_minutes = serializers.IntegerField(help_text="minutes to order and pay once admitted")
    coupons_apply = serializers.BooleanField()
    items = FlashItemOut(many=True)


class GrabOut(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["admitted"])
    token = serializers.CharField(help_text="send it to POST /flash/orders/ before expires_at")
    expires_at = serializers.DateTimeField()
    item_id = serializers.IntegerField()


class FlashOrderIn(serializers.Serializer):
    token = serializers.CharField(max_length=32)
    shipping_address = AddressIn()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    shop = serializers.SlugField(required=False, allow_null=True, max_length=40)
