from rest_framework import serializers

from ..choices import Channel
from ..models import Message


class MessageSerializer(serializers.ModelSerializer):
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ["id", "kind", "title", "body", "link", "created_at", "read_at", "is_read"]

    def get_is_read(self, message: Message) -> bool:
        return message.read_at is not None


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class MarkReadInputSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        max_length=500,
        help_text="The messages to mark read; leave out to mark every message read.",
    )


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField()
    unread = serializers.IntegerField()


class PreferenceSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField(read_only=True)
    channels = serializers.ListField(child=serializers.ChoiceField(choices=Channel.choices))
    allowed = serializers.ListField(child=serializers.CharField(), read_only=True)
    locked = serializers.BooleanField(read_only=True, help_text="Money or security: the inbox cannot be turned off.")


class PreferenceInputSerializer(serializers.Serializer):
    kind = serializers.CharField(max_length=30)
    channels = serializers.ListField(
        child=serializers.ChoiceField(choices=Channel.choices), max_length=len(Channel.choices)
    )
