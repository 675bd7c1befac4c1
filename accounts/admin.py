from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import SecurityEvent, SmsCode, User, WechatIdentity


class WechatIdentityInline(admin.TabularInline):
    """The WeChat accounts linked to a user: read only (they are linked by
    the person, through WeChat)."""

    model = WechatIdentity
    extra = 0
    can_delete = False
    fields = ("app", "app_id", "openid", "unionid", "nickname", "created_at", "last_login_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("-date_joined",)
    list_display = ("phone", "nickname", "role", "is_active", "date_joined", "last_login")
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("phone", "nickname", "email")
    readonly_fields = ("password_change", "date_joined", "last_login", "phone_verified_at")
    fieldsets = (
        (None, {"fields": ("phone", "phone_verified_at", "password_change")}),
        (_("Profile"), {"fields": ("nickname", "email", "role")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )

    actions = ["second_factor_reset"]

    @admin.action(description=_("Remove the authenticator app (the operator enrols a new one)"))
    def second_factor_reset(self, request, queryset):
        """For an operator who lost its phone and its recovery codes: its
        authenticator and recovery codes go; at its next admin visit it
        enrols a new authenticator (after logging in with its password)."""
        users = list(queryset)
        TOTPDevice.objects.filter(user__in=users).delete()
        StaticDevice.objects.filter(user__in=users).delete()
        messages.success(request, _("Authenticator removed for %(count)s users.") % {"count": len(users)})

    def get_inlines(self, request, obj):
        return [WechatIdentityInline] if obj is not None else []  # nothing to link on a new user

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


@admin.register(SmsCode)
class SmsCodeAdmin(admin.ModelAdmin):
    """SMS codes sent, for support ("I got no code"): when, for what, whether
    used or locked. The code itself is nowhere (only a keyed digest exists)."""

    list_display = ("phone", "purpose", "created_at", "expires_at", "failed_attempts", "used_at")
    list_filter = ("purpose",)
    search_fields = ("phone",)
    fields = ("phone", "purpose", "created_at", "expires_at", "failed_attempts", "used_at")
    readonly_fields = fields
    ordering = ("-created_at",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    """Accounts' security history (a changed number, devices logged out, an
    authenticator added, a recovery code used): read only."""

    list_display = ("created_at", "user", "kind", "ip_address")
    list_filter = ("kind",)
    search_fields = ("user__phone",)
    list_select_related = ("user",)
    fields = ("user", "kind", "created_at", "ip_address", "user_agent", "detail")
    readonly_fields = fields
    ordering = ("-created_at",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# the devices are enrolled on the operator's own page (accounts.two_factor), never typed in by hand;
# an operator who lost its phone is reset with the users list's action above
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
