from rest_framework import serializers

from socialshop.api.fields import MoneyField

from ..choices import CustomerFilter
from ..forms import REMINDER_HORIZON
from ..selectors import FUNNEL_PERIODS


class CustomerQuerySerializer(serializers.Serializer):
    view = serializers.ChoiceField(choices=CustomerFilter.choices, required=False, default="")
    q = serializers.CharField(max_length=30, required=False, default="", trim_whitespace=True)


class CustomerSerializer(serializers.Serializer):
    customer_id = serializers.IntegerField()
    name = serializers.CharField(help_text="Masked (王**).")
    phone = serializers.CharField(help_text="Masked (139****5678); never the full number.")
    source = serializers.CharField(help_text="How the customer was bound, as people read it.")
    bound_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True, help_text="When the binding outlives its lifetime.")
    last_visit_at = serializers.DateTimeField(help_text="The last visit through this reseller's link.")
    order_count = serializers.IntegerField(help_text="Paid orders through this reseller.")
    spend_amount = MoneyField()
    last_order_at = serializers.DateTimeField(allow_null=True)
    due_again_at = serializers.DateTimeField(allow_null=True, help_text="Last order plus the customer's interval.")
    due_again = serializers.BooleanField()
    tags = serializers.ListField(child=serializers.CharField())


class CustomerNoteSerializer(serializers.Serializer):
    tags = serializers.CharField(max_length=100, allow_blank=True, help_text="Comma-separated; at most 8 kept.")
    note = serializers.CharField(max_length=500, allow_blank=True)


class ReminderInputSerializer(serializers.Serializer):
    due_on = serializers.DateField()
    text = serializers.CharField(max_length=100)

    def validate_due_on(self, value):
        from django.utils import timezone

        today = timezone.localdate()
        if not today <= value <= today + REMINDER_HORIZON:
            raise serializers.ValidationError("Pick a day from today to a year ahead.", code="out_of_range")
        return value


class ReminderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    due_on = serializers.DateField()
    text = serializers.CharField()


class FunnelQuerySerializer(serializers.Serializer):
    days = serializers.ChoiceField(choices=FUNNEL_PERIODS, required=False, default=30)


class FunnelSerializer(serializers.Serializer):
    days = serializers.IntegerField()
    visits = serializers.IntegerField()
    visitors = serializers.IntegerField(help_text="Unique visitors of each day, added up.")
    new_bindings = serializers.IntegerField()
    buyers = serializers.IntegerField(help_text="Buyers of each day, added up.")
    repeat_buyers = serializers.IntegerField()
    orders = serializers.IntegerField()
    sales_amount = MoneyField()
    commission_amount = MoneyField()
