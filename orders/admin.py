"""Operators' side of orders: settings, orders with their history, refunds
to decide, payment issues to look at. Every change goes through the
services; rows here are read-only."""

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from socialshop.admin_inlines import ReadOnlyInline, SpreadsheetExportAdmin, in_yuan, yuan_field
from socialshop.errors import DomainError

from .choices import Actor, Reason, RefundStatus
from .models import FulfilmentGroup, Order, OrderLine, OrderSettings, PaymentIssue, Refund, StatusChange
from .resources import OrderResource
from .services.lifecycle import order_cancel
from .services.refunds import refund_decide, refund_retry


@admin.register(OrderSettings)
class OrderSettingsAdmin(admin.ModelAdmin):
    """One row: the list opens it directly."""

    fields = ("unpaid_expiry_minutes", "auto_deliver_days", "auto_complete_days", "after_sales_days")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        settings, _created = OrderSettings.objects.get_or_create(pk=OrderSettings.SINGLETON_ID)
        return redirect("admin:orders_ordersettings_change", settings.pk)


ORDER_MONEY = {
    "total_amount": yuan_field("total_amount", _("total")),
    "paid_amount": yuan_field("paid_amount", _("paid")),
    "refunded_amount": yuan_field("refunded_amount", _("refunded")),
    "discount_amount": yuan_field("discount_amount", _("coupon discount")),
}

REFUND_AMOUNT = yuan_field("amount", _("amount"))


class LineInline(ReadOnlyInline):
    model = OrderLine
    fields = (
        "title",
        "spec_label",
        "quantity",
        yuan_field("unit_price_amount", _("unit price")),
        yuan_field("cost_amount", _("supplier cost per unit")),
        yuan_field("discount_amount", _("coupon discount")),
        yuan_field("line_total_amount", _("line total")),
        yuan_field("paid_amount", _("paid")),
        yuan_field("refunded_amount", _("refunded")),
        yuan_field("refund_pending_amount", _("refund pending")),
        "shop",
        "attributed_reseller",
        "buyer_is_attributed_reseller",
    )


class FulfilmentInline(ReadOnlyInline):
    model = FulfilmentGroup
    fields = ("supplier", "status", "carrier", "tracking_number", "shipped_at", "delivered_at")


class StatusChangeInline(ReadOnlyInline):
    model = StatusChange
    fields = ("changed_at", "from_label", "to_label", "refund", "fulfilment", "actor_kind", "actor", "reason_label")

    @admin.display(description=_("from status"))
    def from_label(self, change):
        return change.from_status_label or "—"

    @admin.display(description=_("to status"))
    def to_label(self, change):
        return change.to_status_label

    @admin.display(description=_("reason"))
    def reason_label(self, change):
        return change.reason_label


def _apply(modeladmin, request, queryset, call, verb):
    done, refused = 0, []
    for obj in queryset:
        try:
            call(obj)
            done += 1
        except DomainError as error:
            refused.append(f"#{obj.pk}: {error.message}")
    modeladmin.message_user(request, _("%(verb)s: %(count)d.") % {"verb": verb, "count": done}, messages.SUCCESS)
    if refused:
        modeladmin.message_user(request, "; ".join(refused), messages.WARNING)


@admin.register(Order)
class OrderAdmin(SpreadsheetExportAdmin, admin.ModelAdmin):
    resource_classes = [OrderResource]
    list_display = (
        "id",
        "number",
        "buyer",
        "status",
        ORDER_MONEY["total_amount"],
        ORDER_MONEY["refunded_amount"],
        "created_at",
        "paid_at",
    )
    list_filter = ("status",)
    search_fields = ("=id", "buyer__phone", "recipient_name", "phone")
    list_select_related = ("buyer",)
    date_hierarchy = "created_at"
    inlines = [LineInline, FulfilmentInline, StatusChangeInline]
    actions = ["cancel_selected"]

    # every column read-only, money in yuan (``fields`` too, or the money columns would be editable)
    fields = readonly_fields = in_yuan([field.name for field in Order._meta.fields], ORDER_MONEY)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("number"), ordering="id")
    def number(self, obj):
        return obj.number

    @admin.action(description=_("Cancel (unpaid, or paid and not shipped: full refund)"))
    def cancel_selected(self, request, queryset):
        _apply(
            self,
            request,
            queryset,
            lambda order: order_cancel(
                order_id=order.pk, by=request.user, actor_kind=Actor.OPERATOR, reason=Reason.CANCELLED_BY_OPERATOR
            ),
            _("Cancelled"),
        )


@admin.register(Refund)
class RefundAdmin(admin.ModelAdmin):
    list_display = ("id", "order", "line", "kind", REFUND_AMOUNT, "status", "why", "requested_at", "refunded_at")
    list_filter = ("status", "kind")
    search_fields = ("=order__id", "reference")
    list_select_related = ("order", "line")
    actions = ["approve", "reject", "retry"]

    fields = readonly_fields = [
        *in_yuan([field.name for field in Refund._meta.fields], {"amount": REFUND_AMOUNT}),
        "photos_shown",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("reason"))
    def why(self, refund):
        return refund.reason_label

    @admin.display(description=_("the buyer's photos"))
    def photos_shown(self, refund):
        """The pictures sent with the request (an operator decides with them, as suppliers do)."""
        shown = format_html_join(
            "",
            '<a href="{}" target="_blank" rel="noopener"><img src="{}" width="64" height="64" alt=""></a> ',
            ((photo.image.url, photo.thumbnail.url) for photo in refund.photos.all()),
        )
        return shown or "—"

    def _decide(self, request, queryset, approve: bool, verb):
        _apply(
            self,
            request,
            queryset.filter(status=RefundStatus.REQUESTED),
            lambda refund: refund_decide(
                refund_id=refund.pk, approve=approve, by=request.user, actor_kind=Actor.OPERATOR
            ),
            verb,
        )

    @admin.action(description=_("Approve (refund through the payment provider)"))
    def approve(self, request, queryset):
        self._decide(request, queryset, True, _("Approved"))

    @admin.action(description=_("Reject"))
    def reject(self, request, queryset):
        self._decide(request, queryset, False, _("Rejected"))

    @admin.action(description=_("Retry failed refunds"))
    def retry(self, request, queryset):
        _apply(
            self,
            request,
            queryset.filter(status=RefundStatus.FAILED),
            lambda refund: refund_retry(refund_id=refund.pk, by=request.user),
            _("Sent again"),
        )


@admin.register(PaymentIssue)
class PaymentIssueAdmin(admin.ModelAdmin):
    """Callbacks that could not be applied as they came: a wrong amount or
    currency (refused), money for a cancelled or already paid order (sent
    back automatically)."""

    list_display = ("created_at", "kind", "session", "refund_reference", "resolved")
    list_filter = ("kind", "resolved")
    readonly_fields = ("session", "kind", "detail", "refund_reference", "created_at")
    fields = ("session", "kind", "detail", "refund_reference", "created_at", "resolved")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
