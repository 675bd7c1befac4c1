from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from socialshop.admin_inlines import in_yuan, yuan_field

from .models import DailyStat, Reminder


@admin.register(DailyStat)
class DailyStatAdmin(admin.ModelAdmin):
    """The roll-up, read only: ``manage.py growth_stats`` recomputes it."""

    list_display = ("day", "reseller", "channel", "visits", "visitors", "new_bindings", "orders", "buyers")
    list_filter = ("channel",)
    date_hierarchy = "day"
    list_select_related = ("reseller__user",)
    show_full_result_count = False
    MONEY = {
        "sales_amount": yuan_field("sales_amount", _("Sales")),
        "commission_amount": yuan_field("commission_amount", _("Commissions")),
    }
    fields = readonly_fields = in_yuan(
        (
            "day",
            "reseller",
            "channel",
            "visits",
            "visitors",
            "new_bindings",
            "orders",
            "buyers",
            "repeat_buyers",
            "sales_amount",
            "commission_amount",
        ),
        MONEY,
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("due_on", "reseller", "text", "notified_at", "done_at")
    list_select_related = ("reseller__user",)
    readonly_fields = ("reseller", "customer", "due_on", "text", "notified_at", "done_at")

    def has_add_permission(self, request):
        return False
