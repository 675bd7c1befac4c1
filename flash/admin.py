"""Operators manage campaigns here: the slot, the rules and the SKUs at
their flash price and stock. An item's counts are the services' (read-only);
an item can be changed only before its slot has taken the stock."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from socialshop.forms import YuanField

from .models import FlashAdmission, FlashCampaign, FlashItem


class FlashItemForm(forms.ModelForm):
    flash_price_amount = YuanField(label=_("flash price (yuan)"), positive=True)

    class Meta:
        model = FlashItem
        fields = ("sku", "flash_price_amount", "planned_stock")

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.instance.opened_at and self.has_changed():
            raise forms.ValidationError(_("The slot has opened: its items can no longer change."))
        sku, price = cleaned.get("sku"), cleaned.get("flash_price_amount")
        if sku and price and price > sku.list_price_amount:
            self.add_error("flash_price_amount", _("A flash price is at most the list price."))
        return cleaned


class FlashItemInline(admin.TabularInline):
    model = FlashItem
    form = FlashItemForm
    extra = 1
    raw_id_fields = ("sku",)
    fields = ("sku", "flash_price_amount", "planned_stock", "flash_stock", "taken", "sold", "opened_at", "closed_at")
    readonly_fields = ("flash_stock", "taken", "sold", "opened_at", "closed_at")

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.items.filter(opened_at__isnull=False).exists()


@admin.register(FlashCampaign)
class FlashCampaignAdmin(admin.ModelAdmin):
    list_display = ("title", "starts_at", "ends_at", "per_person_limit", "commission_mode", "coupons_apply")
    list_filter = ("commission_mode", "coupons_apply")
    date_hierarchy = "starts_at"
    search_fields = ("title",)
    inlines = [FlashItemInline]
    fieldsets = (
        (None, {"fields": ("title", "starts_at", "ends_at")}),
        (_("Rules"), {"fields": ("per_person_limit", "hold_minutes", "coupons_apply")}),
        (_("Commission on flash lines"), {"fields": ("commission_mode", "commission_share_bps")}),
    )


@admin.register(FlashAdmission)
class FlashAdmissionAdmin(admin.ModelAdmin):
    """Who was let through the gate, and what became of it (read-only)."""

    list_display = ("item", "buyer", "status", "order", "created_at", "expires_at", "released_at")
    list_filter = ("status",)
    list_select_related = ("item__campaign", "item__sku", "buyer", "order")
    raw_id_fields = ("item", "buyer", "order")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
