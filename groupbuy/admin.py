"""Operators run group buying from the admin: create a campaign (through
``campaign_create``: its checks, its prices), approve or reject a
supplier's, end one; groups, members and their audit are read-only."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from catalog.models import Product, Sku
from socialshop.admin_inlines import ReadOnlyAdmin
from socialshop.errors import DomainError
from socialshop.forms import YuanField

from .choices import CampaignStatus
from .models import Campaign, Group, Member, StatusChange
from .services import campaign_create, campaign_decide, campaign_end


class CampaignAddForm(forms.ModelForm):
    """One SKU per campaign from the admin (the service takes several)."""

    sku = forms.ModelChoiceField(label=_("SKU"), queryset=Sku.objects.select_related("product"))
    group_price = YuanField(label=_("Group price"), positive=True)
    leader_price = YuanField(label=_("Leader's price (optional)"), required=False, positive=True)
    fill_hours = forms.IntegerField(label=_("Hours to fill a group"), min_value=1, max_value=168, initial=24)
    commission_percent = forms.DecimalField(
        label=_("Reduced commission, % of the full one"), required=False, min_value=0, max_value=100, decimal_places=2
    )

    by = None  # the operator, set by the admin
    created = None

    def clean(self):
        """Create the campaign through the service (the admin's add view is one
        transaction); its refusals become the form's errors."""
        data = super().clean()
        if self.errors:
            return data
        percent = data.get("commission_percent") or 0
        try:
            self.created = campaign_create(
                by=self.by,
                product=Product.objects.get(pk=data["sku"].product_id),
                prices={data["sku"].pk: (data["group_price"], data.get("leader_price"))},
                title=data["title"],
                group_size=data["group_size"],
                fill_within=timedelta(hours=data["fill_hours"]),
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                per_person_limit=data["per_person_limit"],
                coupons_apply=data["coupons_apply"],
                commission_mode=data["commission_mode"],
                commission_bps=int(percent * 100),
            )
        except DomainError as error:
            details = [str(message) for values in error.fields.values() for message in values]
            raise forms.ValidationError(" ".join([str(error.message), *details])) from error
        return data

    class Meta:
        model = Campaign
        fields = [
            "title",
            "group_size",
            "per_person_limit",
            "coupons_apply",
            "commission_mode",
            "starts_at",
            "ends_at",
        ]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("title", "product", "status", "group_size", "commission_mode", "starts_at", "ends_at")
    list_filter = ("status", "commission_mode")
    actions = ["approve", "reject", "end"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = type("CampaignAddFormFor", (CampaignAddForm,), {"by": request.user})
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return [*self._shown_fields(), "fill_hours"] if obj else []

    @staticmethod
    def _shown_fields():
        return [field.name for field in Campaign._meta.fields if field.name != "fill_within"]

    @admin.display(description=_("Hours to fill a group"))
    def fill_hours(self, campaign):
        return round(campaign.fill_within.total_seconds() / 3600, 1)

    def get_fields(self, request, obj=None):
        if obj is None:
            return [
                *CampaignAddForm._meta.fields[:1],
                "sku",
                "group_price",
                "leader_price",
                *CampaignAddForm._meta.fields[1:],
                "fill_hours",
                "commission_percent",
            ]
        return [*self._shown_fields(), "fill_hours"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:  # the form's clean created it through the service
            obj.__dict__.update(form.created.__dict__)

    def _each(self, request, queryset, call, verb):
        done, refused = 0, []
        for campaign in queryset:
            try:
                call(campaign)
                done += 1
            except DomainError as error:
                refused.append(f"#{campaign.pk}: {error.message}")
        self.message_user(request, _("%(verb)s: %(count)d.") % {"verb": verb, "count": done}, messages.SUCCESS)
        if refused:
            self.message_user(request, "; ".join(refused), messages.WARNING)

    @admin.action(description=_("Approve the chosen suppliers' campaigns"))
    def approve(self, request, queryset):
        pending = queryset.filter(status=CampaignStatus.PENDING)
        self._each(
            request, pending, lambda c: campaign_decide(campaign_id=c.pk, by=request.user, approve=True), _("Approved")
        )

    @admin.action(description=_("Reject the chosen suppliers' campaigns"))
    def reject(self, request, queryset):
        pending = queryset.filter(status=CampaignStatus.PENDING)
        self._each(
            request, pending, lambda c: campaign_decide(campaign_id=c.pk, by=request.user, approve=False), _("Rejected")
        )

    @admin.action(description=_("End the chosen campaigns (open groups run to their end)"))
    def end(self, request, queryset):
        self._each(request, queryset, lambda c: campaign_end(campaign_id=c.pk, by=request.user), _("Ended"))


@admin.register(Group)
class GroupAdmin(ReadOnlyAdmin):
    list_display = ("id", "campaign", "status", "seats_taken", "size", "expires_at", "finished_at")
    list_filter = ("status",)
    list_select_related = ("campaign",)


@admin.register(Member)
class MemberAdmin(ReadOnlyAdmin):
    list_display = ("id", "group", "buyer", "is_leader", "status", "seat_held_until", "order")
    list_filter = ("status",)
    list_select_related = ("group", "buyer", "order")


@admin.register(StatusChange)
class StatusChangeAdmin(ReadOnlyAdmin):
    list_display = ("subject", "object_id", "from_status", "to_status", "actor_kind", "actor", "reason", "at")
    list_filter = ("subject", "actor_kind")
