from rest_framework import serializers

from orders.api.serializers import AddressIn
from socialshop.api.fields import MoneyField, StrictIntegerField


class SeatOut(serializers.Serializer):
    name = serializers.CharField(help_text="masked: 张** or 138****8000")
    is_leader = serializers.BooleanField()
    paid = serializers.BooleanField()


class GroupOut(serializers.Serializer):
    id = serializers.IntegerField(source="group.pk")
    campaign_id = serializers.IntegerField(source="group.campaign_id")
    title = serializers.CharField(source="group.campaign.title")
    status = serializers.CharField(source="group.status", help_text="open, succeeded or failed")
    size = serializers.IntegerField(source="group.size")
    seats_left = serializers.IntegerField()
    expires_at = serializers.DateTimeField(source="group.expires_at")
    seconds_left = serializers.IntegerField()
    group_price = MoneyField(read_only=True, source="price_amount")
    list_price = MoneyField(read_only=True, source="list_price_amount")
    members = SeatOut(many=True, source="seats")


class CampaignSkuOut(serializers.Serializer):
    sku_id = serializers.IntegerField()
    spec_label = serializers.CharField(source="sku.spec_label")
    group_price = MoneyField(read_only=True, source="group_price_amount")
    leader_price = MoneyField(read_only=True, source="leader_price_amount", allow_null=True)
    list_price = MoneyField(read_only=True, source="sku.list_price_amount")


class CampaignOut(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    product_id = serializers.IntegerField()
    group_size = serializers.IntegerField()
    per_person_limit = serializers.IntegerField()
    ends_at = serializers.DateTimeField()
    coupons_apply = serializers.BooleanField()
    skus = CampaignSkuOut(many=True, source="skus.all")
    open_groups = GroupOut(many=True, help_text="groups to join (凑团), fullest first")


class SeatIn(serializers.Serializer):
    sku_id = StrictIntegerField(min_value=1, max_value=2**62)
    quantity = StrictIntegerField(min_value=1, max_value=99, default=1)
    shipping_address = AddressIn()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    coupon_ids = serializers.ListField(
        child=StrictIntegerField(min_value=1, max_value=2**62),
        required=False,
        default=list,
        max_length=2,
        help_text="ids of the caller's unused coupons, only where the campaign's coupons_apply is true "
        "(else refused with coupon_unavailable)",
    )


class JoinIn(SeatIn):
    pass


class OpenIn(SeatIn):
    campaign_id = StrictIntegerField(min_value=1, max_value=2**62)


class MembershipOut(serializers.Serializer):
    group_id = serializers.IntegerField()
    order_id = serializers.IntegerField()
    is_leader = serializers.BooleanField()
    status = serializers.CharField(help_text="pending_payment, paid, refunded or released")
    seat_held_until = serializers.DateTimeField(help_text="pay by then, or the seat goes to someone else")
    group_status = serializers.CharField(source="group.status")
    title = serializers.CharField(source="group.campaign.title")
    pay_url = serializers.SerializerMethodField(help_text="POST here to pay (the orders API)")

    def get_pay_url(self, member) -> str:
        return f"/api/v1/orders/{member.order_id}/pay/"
