from django.contrib import admin

from .models import Reseller


@admin.register(Reseller)
class ResellerAdmin(admin.ModelAdmin):
    list_display = ("user", "invite_code", "inviter", "status", "joined_at")
    list_filter = ("status",)
    search_fields = ("user__phone", "user__nickname", "invite_code")
    list_select_related = ("user", "inviter__user")
    raw_id_fields = ("user", "inviter")
    readonly_fields = ("invite_code", "joined_at")
