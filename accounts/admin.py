from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("-date_joined",)
    list_display = ("phone", "nickname", "role", "is_active", "date_joined", "last_login")
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("phone", "nickname", "email")
    readonly_fields = ("password_change", "date_joined", "last_login")
    fieldsets = (
        (None, {"fields": ("phone", "password_change")}),
        (_("Profile"), {"fields": ("nickname", "email", "role")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("phone", "nickname", "role", "password1", "password2")}),)

    @admin.display(description=_("Password"))
    def password_change(self, user):
        """A link to set a new password, instead of Django's summary of the
        hash (its algorithm and salt mean nothing to an operator)."""
        if user.pk is None:
            return "-"
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:auth_user_password_change", args=[user.pk]), _("Set a new password")
        )
