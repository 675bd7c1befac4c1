"""The outbox in the admin: events (read-only) and consumers' receipts, with
parked ones to retry (docs/events.md)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .admin_inlines import ReadOnlyAdmin, ReadOnlyInline
from .events import event_receipts_retry
from .models import Event, EventReceipt, ReceiptStatus


class EventReceiptInline(ReadOnlyInline):
    model = EventReceipt
    fields = ("consumer", "status", "attempts", "outcome", "last_error", "handled_at", "next_attempt_at")


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("id", "type", "aggregate_type", "aggregate_id", "created_at")
    list_filter = ("type",)
    search_fields = ("=aggregate_id", "=id")
    readonly_fields = ("type", "aggregate_type", "aggregate_id", "payload", "created_at")
    inlines = [EventReceiptInline]
    date_hierarchy = "created_at"


@admin.register(EventReceipt)
class EventReceiptAdmin(ReadOnlyAdmin):
    list_display = ("event", "consumer", "status", "attempts", "next_attempt_at", "short_error", "updated_at")
    list_filter = ("status", "consumer")
    search_fields = ("=event__id", "=event__aggregate_id")
    readonly_fields = (
        "event",
        "consumer",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "outcome",
        "handled_at",
        "updated_at",
    )
    list_select_related = ("event",)
    actions = ["retry"]

    @admin.display(description=_("last error"))
    def short_error(self, receipt):
        return receipt.last_error[:80]

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Retry the chosen parked or waiting events now"))
    def retry(self, request, queryset):
        ids = list(
            queryset.filter(status__in=[ReceiptStatus.PARKED, ReceiptStatus.RETRYING]).values_list("pk", flat=True)
        )
        moved = event_receipts_retry(receipt_ids=ids)
        for receipt in EventReceipt.objects.filter(pk__in=ids):
            self.log_change(request, receipt, "retry")
        self.message_user(
            request,
            ngettext("%(n)d event will be handled again.", "%(n)d events will be handled again.", moved) % {"n": moved},
            messages.SUCCESS,
        )
