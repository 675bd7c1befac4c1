"""Operators' side of shops: look them up, suspend them and lift suspensions
(through shops.services, which records who did it)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from socialshop.admin_inlines import ReadOnlyInline
from socialshop.errors import DomainError

from .choices import ShopStatus, ShopStatusReason
from .models import Shop, ShopProduct, ShopStatusChange
from .services import shop_set_status


class ShopProductInline(ReadOnlyInline):
    model = ShopProduct
    fields = ("product", "position", "is_hidden", "added_at")


class ShopStatusChangeInline(ReadOnlyInline):
    model = ShopStatusChange
    fields = ("changed_at", "from_status", "to_status", "why", "changed_by")

    @admin.display(description=_("reason"))
    def why(self, change):
        return change.reason_label


def _status_action(status: str, description, reason: str):
    @admin.action(description=description)
    def action(modeladmin, request, queryset):
        moved = 0
        for shop in queryset:
            try:
                shop_set_status(shop=shop, status=status, by=request.user, as_operator=True, reason=reason)
                moved += 1
            except DomainError as error:
                modeladmin.message_user(request, f"{shop.name}: {error.message}", level=messages.WARNING)
        if moved:
            modeladmin.message_user(request, _("%(count)d shop(s) updated.") % {"count": moved})

    action.__name__ = f"make_{status}"
    return action


@admin.register(Shop)
class ShopAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "owner", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("name", "slug", "owner__user__phone", "owner__invite_code")
    list_select_related = ("owner__user",)
    fields = ("owner", "name", "slug", "avatar", "intro", "status", "created_at", "updated_at")
    readonly_fields = fields  # owners edit their shops; operators change the status with the actions
    inlines = [ShopStatusChangeInline, ShopProductInline]
    actions = [
        _status_action(ShopStatus.SUSPENDED, _("Suspend"), ShopStatusReason.SUSPENDED),
        _status_action(ShopStatus.OPEN, _("Lift the suspension"), ShopStatusReason.SUSPENSION_LIFTED),
    ]

    def has_add_permission(self, request):
        return False  # resellers open their shops themselves
