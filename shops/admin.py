from django.contrib import admin

from .models import Shop


@admin.register(Shop)
class ShopAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "owner", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("name", "slug", "owner__user__phone")
    list_select_related = ("owner__user",)
    raw_id_fields = ("owner",)
