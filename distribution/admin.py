"""Operators run the tree here: create roots, approve, move (with a reason),
freeze and unfreeze, and edit the platform's distribution settings. Every
change goes through a service; the tree's fields are read-only in forms."""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from socialshop.admin_inlines import ReadOnlyAdmin, SpreadsheetExportAdmin, in_yuan, yuan_field
from socialshop.errors import DomainError
from socialshop.money import format_yuan

from .forms import DistributionSettingsForm, ReasonForm, ResellerMoveForm
from .models import Binding, DistributionSettings, Reseller, ResellerEvent, ResellerSale
from .resources import ResellerResource
from .services import reseller_approve, reseller_create_root, reseller_freeze, reseller_move, reseller_unfreeze


class ResellerEventInline(admin.TabularInline):
    model = ResellerEvent
    fk_name = "reseller"
    fields = ("created_at", "kind", "actor", "previous_inviter", "new_inviter", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Reseller)
class ResellerAdmin(SpreadsheetExportAdmin, admin.ModelAdmin):
    resource_classes = [ResellerResource]
    list_display = ("user", "invite_code", "inviter", "status", "team_size", "joined_at")
    list_filter = ("status",)
    search_fields = ("user__phone", "user__nickname", "invite_code")
    list_select_related = ("user", "inviter__user", "totals")
    raw_id_fields = ("user",)
    readonly_fields = ("invite_code", "inviter", "status", "joined_at", "team_size", "team_sales")
    inlines = [ResellerEventInline]
    actions = ["approve_selected"]
    change_form_template = "admin/distribution/reseller/change_form.html"

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("user",)  # a root reseller: everything else is the service's
        return ("user", "invite_code", "inviter", "status", "joined_at", "team_size", "team_sales")

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields + (("user",) if obj else ())

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    @admin.display(description=_("team size"))
    def team_size(self, obj):
        return obj.totals.team_size if hasattr(obj, "totals") else 0

    @admin.display(description=_("team sales"))
    def team_sales(self, obj):
        return format_yuan(obj.totals.team_sales_amount if hasattr(obj, "totals") else 0)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return  # nothing here is edited in place
        created = reseller_create_root(user=form.cleaned_data["user"], actor=request.user)
        obj.__dict__.update({key: value for key, value in created.__dict__.items() if not key.startswith("_")})
        obj._state.adding = False

    @admin.action(description=_("Approve the selected resellers"))
    def approve_selected(self, request, queryset):
        approved = 0
        for reseller in queryset.filter(status="pending"):
            reseller_approve(reseller=reseller, actor=request.user)
            approved += 1
        self.message_user(request, _("%(count)d resellers approved.") % {"count": approved}, messages.SUCCESS)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/move/", view(self.move_view), name="distribution_reseller_move"),
            path("<int:pk>/freeze/", view(self.freeze_view), name="distribution_reseller_freeze"),
            path("<int:pk>/unfreeze/", view(self.unfreeze_view), name="distribution_reseller_unfreeze"),
            *super().get_urls(),
        ]

    def _action_page(self, request, pk, *, form_class, title, perform):
        reseller = get_object_or_404(Reseller.objects.select_related("user", "inviter__user"), pk=pk)
        if not self.has_change_permission(request, reseller):
            return redirect("admin:index")
        form = form_class(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                perform(reseller, form)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                self.message_user(request, _("Done: %(title)s.") % {"title": title}, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:distribution_reseller_change", args=[reseller.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": reseller,
            "title": title,
            "form": form,
        }
        return TemplateResponse(request, "admin/distribution/reseller/action.html", context)

    def move_view(self, request, pk):
        def perform(reseller, form):
            reseller_move(
                reseller=reseller,
                new_inviter=form.new_inviter,
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )

        return self._action_page(
            request, pk, form_class=ResellerMoveForm, title=_("Move to another inviter"), perform=perform
        )

    def freeze_view(self, request, pk):
        def perform(reseller, form):
            reseller_freeze(reseller=reseller, actor=request.user, reason=form.cleaned_data["reason"])

        return self._action_page(request, pk, form_class=ReasonForm, title=_("Freeze"), perform=perform)

    def unfreeze_view(self, request, pk):
        def perform(reseller, form):
            reseller_unfreeze(reseller=reseller, actor=request.user, reason=form.cleaned_data["reason"])

        return self._action_page(request, pk, form_class=ReasonForm, title=_("Unfreeze"), perform=perform)


@admin.register(ResellerEvent)
class ResellerEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "reseller", "kind", "actor", "previous_inviter", "new_inviter", "reason")
    list_filter = ("kind",)
    search_fields = ("reseller__user__phone", "reseller__invite_code", "reason")
    list_select_related = ("reseller__user", "actor", "previous_inviter__user", "new_inviter__user")
    date_hierarchy = "created_at"


@admin.register(Binding)
class BindingAdmin(ReadOnlyAdmin):
    list_display = ("customer", "reseller", "source", "bound_at", "touched_at", "ended_at")
    list_filter = ("source",)
    search_fields = ("customer__phone", "reseller__invite_code", "reseller__user__phone")
    list_select_related = ("customer", "reseller__user")


SALE_AMOUNT = yuan_field("amount", _("amount"))


@admin.register(ResellerSale)
class ResellerSaleAdmin(ReadOnlyAdmin):
    # the key (``order-line:9:paid``) only makes recording idempotent: searchable, never shown
    list_display = ("occurred_at", "reseller", SALE_AMOUNT, "rolled_up_at")
    fields = readonly_fields = in_yuan(
        [field.name for field in ResellerSale._meta.fields if field.name != "key"], {"amount": SALE_AMOUNT}
    )
    search_fields = ("key", "reseller__invite_code")
    list_select_related = ("reseller__user",)


@admin.register(DistributionSettings)
class DistributionSettingsAdmin(admin.ModelAdmin):
    """One row: the list opens it directly."""

    form = DistributionSettingsForm
    fieldsets = (
        (_("Joining"), {"fields": ("reseller_approval_required",)}),
        (_("Binding customers"), {"fields": ("binding_rule", "binding_lifetime_days", "binding_after_lifetime")}),
    )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        settings, _created = DistributionSettings.objects.get_or_create(pk=DistributionSettings.SINGLETON_ID)
        return redirect("admin:distribution_distributionsettings_change", settings.pk)
