from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.phone import mask_name, mask_phone
from socialshop.api.fields import MoneyField

from ..choices import BindingSource, ResellerStatus


@extend_schema_field({"type": "string", "example": "138****8000"})
class MaskedPhoneField(serializers.Field):
    def to_representation(self, value: str) -> str:
        return mask_phone(value)


@extend_schema_field({"type": "string", "example": "张**"})
class MaskedNameField(serializers.Field):
    def to_representation(self, value: str) -> str:
        return mask_name(value)


class InviterSerializer(serializers.Serializer):
    nickname = serializers.CharField(source="user.nickname")
    phone = MaskedPhoneField(source="user.phone")


class TeamLevelSerializer(serializers.Serializer):
    level = serializers.IntegerField()
    size = serializers.IntegerField()
    new_this_week = serializers.IntegerField()


class TeamSummarySerializer(serializers.Serializer):
    invite_code = serializers.CharField(source="reseller.invite_code")
    invite_url = serializers.URLField()
    status = serializers.ChoiceField(source="reseller.status", choices=ResellerStatus.choices)
    inviter = InviterSerializer(allow_null=True)
    tier_limit = serializers.IntegerField(help_text="How many levels of the team the caller sees (at most 3).")
    team_size = serializers.IntegerField(help_text="Everyone below the caller, at any depth.")
    team_sales_amount = MoneyField(help_text="What the whole team sold (yuan), as rolled up so far.")
    own_sales_amount = MoneyField()
    new_this_week = serializers.IntegerField(help_text="Members of the visible levels who joined in the last 7 days.")
    levels = TeamLevelSerializer(many=True)


class TeamMemberSerializer(serializers.Serializer):
    """A member below the caller; contact details masked."""

    nickname = MaskedNameField(source="user.nickname")
    phone = MaskedPhoneField(source="user.phone")
    status = serializers.ChoiceField(choices=ResellerStatus.choices)
    joined_at = serializers.DateTimeField()
    own_sales_amount = MoneyField(source="totals.own_sales_amount")
    team_size = serializers.IntegerField(source="totals.team_size")


class TeamMemberQuerySerializer(serializers.Serializer):
    level = serializers.IntegerField(min_value=1, max_value=3, default=1)


class BoundResellerSerializer(serializers.Serializer):
    nickname = serializers.CharField(source="user.nickname")
    invite_code = serializers.CharField()


class BindingSerializer(serializers.Serializer):
    reseller = BoundResellerSerializer(source="binding.reseller")
    source = serializers.ChoiceField(source="binding.source", choices=BindingSource.choices)
    bound_at = serializers.DateTimeField(source="binding.bound_at")
    touched_at = serializers.DateTimeField(
        source="binding.touched_at", help_text="The last visit through this reseller's link."
    )
    in_force = serializers.BooleanField(help_text="Whether orders outside any shop count for this reseller now.")
    replaceable_from = serializers.DateTimeField(
        allow_null=True, help_text="When another reseller's link may take over; null: never."
    )


class InviteCodeInputSerializer(serializers.Serializer):
    invite_code = serializers.CharField(max_length=20)


class JoinedSerializer(serializers.Serializer):
    invite_code = serializers.CharField()
    status = serializers.ChoiceField(choices=ResellerStatus.choices)
    joined_at = serializers.DateTimeField()
