"""Operators read deliveries and inbox messages (support: was it sent, when,
what did the provider say); nobody edits them here."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .kinds import KINDS
from .models import Delivery, Message


@admin.display(description=_("kind"))
def kind_label(row) -> str:
    kind = KINDS.get(row.kind)
    return str(kind.label) if kind else row.kind


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["id", kind_label, "channel", "recipient", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["status", "channel"]
    list_select_related = ["recipient"]
    fields = [
        kind_label,
        "channel",
        "recipient",
        "address",
        "title",
        "body",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "provider_reference",
        "created_at",
        "sent_at",
    ]
    readonly_fields = fields


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["id", kind_label, "recipient", "title", "created_at", "read_at"]
    list_select_related = ["recipient"]
    fields = [kind_label, "recipient", "title", "body", "link", "created_at", "read_at"]
    readonly_fields = fields
