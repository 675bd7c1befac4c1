"""Operators manage coupons here: create them (money in yuan), read their
usage (claimed, used, expired), copy a share link, issue one to chosen
users, and set the stacking rule. Claims move only through the services."""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from socialshop.admin_inlines import yuan_field

from .forms import CouponForm, IssueForm
from .models import ClaimedCoupon, Coupon, CouponSettings
from .selectors import coupons_with_usage
from .services import coupons_issue
from .views import coupon_share_path


@admin.register(Coupon)
class CouponAdmin(admin.ModelAdmin):
    form = CouponForm
    list_display = (
        "name",
        "kind",
        yuan_field("threshold_amount", _("threshold")),
        yuan_field("off_amount", _("amount off")),
        "funder",
        "issued_count",
        "used",
        "expired",
        "is_active",
        "share_link",
    )
    list_filter = ("kind", "funder", "is_active", "scope")
    search_fields = ("name", "code")
    # ids, not Django's two-list picker: its script's texts have no Chinese catalogue here
    raw_id_fields = ("funder_supplier", "funder_reseller", "category", "supplier", "products")
    readonly_fields = ("issued_count",)

    def get_queryset(self, request):
        return coupons_with_usage(super().get_queryset(request))  # the usage figures, in the list's query

    @admin.display(description=_("used"), ordering="used_count")
    def used(self, obj):
        return obj.used_count

    @admin.display(description=_("expired"), ordering="expired_count")
    def expired(self, obj):
        return obj.expired_count

    @admin.display(description=_("share link"))
    def share_link(self, obj):
        return format_html('<a href="{}">{}</a>', coupon_share_path(obj), _("link"))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [path("<int:pk>/issue/", view(self.issue_view), name="coupons_coupon_issue"), *super().get_urls()]

    def issue_view(self, request, pk):
        coupon = get_object_or_404(Coupon, pk=pk)
        if not self.has_change_permission(request, coupon):
            return redirect("admin:index")
        form = IssueForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            result = coupons_issue(coupon_id=coupon.pk, users=form.cleaned_data["phones"])
            self.message_user(
                request,
                _("Issued %(issued)d, skipped %(skipped)d.") % {"issued": result.issued, "skipped": result.skipped},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:coupons_coupon_change", args=[coupon.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": coupon,
            "title": _("Issue to users"),
            "form": form,
        }
        return TemplateResponse(request, "admin/coupons/coupon/issue.html", context)

    @admin.action(description=_("Issue the selected coupon to users…"))
    def issue_to_users(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose one coupon."), messages.WARNING)
            return None
        return HttpResponseRedirect(reverse("admin:coupons_coupon_issue", args=[queryset.get().pk]))

    actions = ["issue_to_users"]


@admin.register(ClaimedCoupon)
class ClaimedCouponAdmin(admin.ModelAdmin):
    list_display = ("coupon", "user", "status", "source", "valid_until", "order_id", "claimed_at")
    list_filter = ("status", "source")
    search_fields = ("user__phone", "coupon__name")
    list_select_related = ("coupon", "user")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CouponSettings)
class CouponSettingsAdmin(admin.ModelAdmin):
    raw_id_fields = ("reseller_code_coupon",)

    def has_add_permission(self, request):
        return not CouponSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
