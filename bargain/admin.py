"""Operators run bargaining from the admin: create a campaign (through
``campaign_create``: its checks), end one; bargains, helps and their audit
are read-only."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from catalog.models import Sku
from socialshop.admin_inlines import ReadOnlyAdmin, in_yuan, yuan_field
from socialshop.errors import DomainError
from socialshop.forms import YuanField
from socialshop.money import format_yuan

from .models import Bargain, BargainCampaign, Help, StatusChange
from .services import campaign_create, campaign_end


class CampaignAddForm(forms.ModelForm):
    sku = forms.ModelChoiceField(label=_("SKU"), queryset=Sku.objects.select_related("product"))
    start_price = YuanField(label=_("Starting price"), positive=True)
    floor_price = YuanField(label=_("Floor price"), positive=True)
    hours = forms.IntegerField(label=_("Hours to bargain"), min_value=1, max_value=168, initial=24)
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
                sku=data["sku"],
                title=data["title"],
                start_price_amount=data["start_price"],
                floor_price_amount=data["floor_price"],
                helps_needed=data["helps_needed"],
                time_limit=timedelta(hours=data["hours"]),
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                helpers_must_be_new=data["helpers_must_be_new"],
                commission_mode=data["commission_mode"],
                commission_bps=int(percent * 100),
            )
        except DomainError as error:
            details = [str(message) for values in error.fields.values() for message in values]
            raise forms.ValidationError(" ".join([str(error.message), *details])) from error
        return data

    class Meta:
        model = BargainCampaign
        fields = ["title", "helps_needed", "helpers_must_be_new", "commission_mode", "starts_at", "ends_at"]


@admin.register(BargainCampaign)
class BargainCampaignAdmin(admin.ModelAdmin):
    list_display = ("title", "sku", "start_price", "floor_price", "helps_needed", "starts_at", "ends_at")
    list_filter = ("commission_mode", "helpers_must_be_new")
    list_select_related = ("sku__product",)
    actions = ["end"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = type("CampaignAddFormFor", (CampaignAddForm,), {"by": request.user})
        return super().get_form(request, obj, **kwargs)

    @staticmethod
    def _shown_fields():
        hidden = {"time_limit", "start_price_amount", "floor_price_amount"}
        return [field.name for field in BargainCampaign._meta.fields if field.name not in hidden]

    def get_readonly_fields(self, request, obj=None):
        return [*self._shown_fields(), "start_price", "floor_price", "hours"] if obj else []

    def get_fields(self, request, obj=None):
        if obj is None:
            return [
                "title",
                "sku",
                "start_price",
                "floor_price",
                "helps_needed",
                "hours",
                "helpers_must_be_new",
                "commission_mode",
                "commission_percent",
                "starts_at",
                "ends_at",
            ]
        return [*self._shown_fields(), "start_price", "floor_price", "hours"]

    @admin.display(description=_("Starting price"))
    def start_price(self, campaign):
        return format_yuan(campaign.start_price_amount)

    @admin.display(description=_("Floor price"))
    def floor_price(self, campaign):
        return format_yuan(campaign.floor_price_amount)

    @admin.display(description=_("Hours to bargain"))
    def hours(self, campaign):
        return round(campaign.time_limit.total_seconds() / 3600, 1)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:  # the form's clean created it through the service
            obj.__dict__.update(form.created.__dict__)

    @admin.action(description=_("End the chosen campaigns now (running bargains keep their time)"))
    def end(self, request, queryset):
        for campaign in queryset:
            campaign_end(campaign_id=campaign.pk)
        self.message_user(request, _("Ended: %(count)d.") % {"count": queryset.count()}, messages.SUCCESS)


@admin.register(Bargain)
class BargainAdmin(ReadOnlyAdmin):
    MONEY = {
        name: yuan_field(name, label)
        for name, label in (
            ("start_price_amount", _("Starting price")),
            ("floor_price_amount", _("Floor price")),
            ("current_price_amount", _("Current price")),
        )
    }
    list_display = in_yuan(
        ("id", "campaign", "starter", "status", "current_price_amount", "helps_count", "expires_at", "order"), MONEY
    )
    # the detail page in yuan too; the seed stays out of sight (it fixes every future cut)
    fields = readonly_fields = in_yuan(
        (
            "campaign",
            "starter",
            "status",
            "start_price_amount",
            "floor_price_amount",
            "current_price_amount",
            "helps_needed",
            "helps_count",
            "expires_at",
            "order",
        ),
        MONEY,
    )
    list_filter = ("status",)
    list_select_related = ("campaign", "starter", "order")


@admin.register(Help)
class HelpAdmin(ReadOnlyAdmin):
    MONEY = {
        "cut_amount": yuan_field("cut_amount", _("Cut")),
        "price_after_amount": yuan_field("price_after_amount", _("Price after the cut")),
    }
    list_display = in_yuan(
        ("id", "bargain", "helper", "number", "cut_amount", "price_after_amount", "created_at"), MONEY
    )
    fields = readonly_fields = in_yuan(
        ("bargain", "helper", "number", "cut_amount", "price_after_amount", "created_at"), MONEY
    )
    list_select_related = ("bargain", "helper")


@admin.register(StatusChange)
class StatusChangeAdmin(ReadOnlyAdmin):
    list_display = ("bargain", "from_status", "to_status", "actor_kind", "actor", "reason", "at")
    list_filter = ("actor_kind",)
