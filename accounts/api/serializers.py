from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from accounts.forms import sms_code_clean
from accounts.models import User
from accounts.phone import normalize_mainland_mobile


class MeSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "phone", "nickname", "role", "date_joined"]
        read_only_fields = fields


class SmsCodeRequestSerializer(serializers.Serializer):
    phone = serializers.CharField(
        max_length=20, help_text="A mainland mobile number, e.g. 13800138000 or +86 138 0013 8000."
    )

    def validate_phone(self, value):
        try:
            return normalize_mainland_mobile(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages[0], code="invalid_phone") from error


class SmsCodeSentSerializer(serializers.Serializer):
    phone = serializers.CharField(help_text="The number, masked: 138****8000.")
    expires_in_seconds = serializers.IntegerField(help_text="The code works this long.")
    resend_after_seconds = serializers.IntegerField(help_text="No new code for this number before then.")


class SmsLogInRequestSerializer(SmsCodeRequestSerializer):
    code = serializers.CharField(max_length=20, help_text="The 6 digits from the SMS.")
    token_name = serializers.CharField(
        max_length=60, required=False, default="SMS log-in", help_text="A name for the API token this creates."
    )

    def validate_code(self, value):
        try:
            return sms_code_clean(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages[0], code="sms_code_malformed") from error


class SmsLogInSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="An API token (Authorization: Bearer …), shown this once.")
    created = serializers.BooleanField(help_text="True when this log-in signed the number up.")
    user = MeSerializer()


class SessionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    device = serializers.CharField(help_text="System and browser in words, e.g. “iPhone · 微信”.")
    ip_address = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField(help_text="When it logged in.")
    last_seen_at = serializers.DateTimeField(help_text="Its last request (to within a few minutes).")


class SessionsEndedSerializer(serializers.Serializer):
    ended = serializers.IntegerField(help_text="How many listed browser sessions ended.")


class PhoneCodeRequestSerializer(serializers.Serializer):
    to = serializers.ChoiceField(
        choices=["current", "new"], help_text="`current`: the account's number; `new`: the number in `phone`."
    )
    phone = serializers.CharField(max_length=20, required=False, help_text="The new number (with `to: new`).")

    def validate(self, data):
        if data["to"] == "new":
            if not data.get("phone"):
                raise serializers.ValidationError({"phone": ["Enter the new mobile number."]}, code="required")
            try:
                data["phone"] = normalize_mainland_mobile(data["phone"])
            except DjangoValidationError as error:
                raise serializers.ValidationError({"phone": [error.messages[0]]}, code="invalid_phone") from error
        return data


def _code_field():
    return serializers.CharField(max_length=20, help_text="The 6 digits from the SMS.")


class PhoneChangeRequestSerializer(serializers.Serializer):
    old_code = _code_field()
    new_phone = serializers.CharField(max_length=20)
    new_code = _code_field()

    def _code(self, value):
        try:
            return sms_code_clean(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages[0], code="sms_code_malformed") from error

    validate_old_code = _code
    validate_new_code = _code

    def validate_new_phone(self, value):
        try:
            return normalize_mainland_mobile(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages[0], code="invalid_phone") from error
