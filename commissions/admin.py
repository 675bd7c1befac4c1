from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from socialshop.money import BASIS_POINTS

from .choices import THREE_TIER_WARNING
from .models import CommissionOverride, CommissionPlan

PLAN_FIELDS = [
    "tier_count",
    "three_tiers_confirmed",
    "tier1_share_bps",
    "tier2_share_bps",
    "tier3_share_bps",
    "base",
    "self_purchase_earns",
    "min_withdrawal_amount",
    "withdrawal_fee_amount",
    "withdrawal_fee_bps",
    "note",
]


def _shares_error(cleaned: dict) -> str | None:
    total = sum(cleaned.get(f"tier{tier}_share_bps") or 0 for tier in (1, 2, 3))
    if total > BASIS_POINTS:
        return _("The tier shares add up to %(total)s bp: more than 100%% (10000 bp).") % {"total": total}
    return None


class CommissionPlanForm(forms.ModelForm):
    class Meta:
        model = CommissionPlan
        fields = PLAN_FIELDS
        help_texts = {"three_tiers_confirmed": THREE_TIER_WARNING}

    def clean(self):
        cleaned = super().clean()
        if error := _shares_error(cleaned):
            raise forms.ValidationError(error, code="shares_over_100_percent")
        if cleaned.get("tier_count") == 3 and not cleaned.get("three_tiers_confirmed"):
            self.add_error("three_tiers_confirmed", forms.ValidationError(THREE_TIER_WARNING, code="confirm_three"))
        return cleaned


class CommissionOverrideForm(forms.ModelForm):
    class Meta:
        model = CommissionOverride
        fields = ["category", "product", "tier1_share_bps", "tier2_share_bps", "tier3_share_bps"]

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("category")) == bool(cleaned.get("product")):
            raise forms.ValidationError(_("Choose a category or a product, not both."), code="one_target")
        if error := _shares_error(cleaned):
            raise forms.ValidationError(error, code="shares_over_100_percent")
        return cleaned


class CommissionOverrideInline(admin.TabularInline):
    model = CommissionOverride
    form = CommissionOverrideForm
    extra = 1
    raw_id_fields = ["product"]

    def has_change_permission(self, request, obj=None):
        return obj is None  # a published version's overrides are frozen with it


@admin.register(CommissionPlan)
class CommissionPlanAdmin(admin.ModelAdmin):
    """A plan is changed by publishing a new version: the add form starts
    from the plan in effect (overrides included), and published versions are
    read-only. The new version pays every payment confirmed after it."""

    form = CommissionPlanForm
    inlines = [CommissionOverrideInline]
    list_display = ("__str__", "tier_count", "tier1_share_bps", "tier2_share_bps", "tier3_share_bps", "base", "note")
    readonly_fields = ("effective_from", "created_by", "created_at")

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def _current(self):
        return CommissionPlan.objects.order_by("-effective_from", "-id").first()

    def get_changeform_initial_data(self, request):
        current = self._current()
        if current is None:
            return {}
        return {name: getattr(current, name) for name in PLAN_FIELDS if name != "note"}

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        current = self._current()
        if (obj is None or obj.pk is None) and request.method == "GET" and current is not None:
            kwargs["initial"] = [
                {
                    "category": override.category_id,
                    "product": override.product_id,
                    "tier1_share_bps": override.tier1_share_bps,
                    "tier2_share_bps": override.tier2_share_bps,
                    "tier3_share_bps": override.tier3_share_bps,
                }
                for override in current.overrides.all()
            ]
        return kwargs

    def get_inline_instances(self, request, obj=None):
        instances = super().get_inline_instances(request, obj)
        current = self._current()
        if obj is None and current is not None:
            for inline in instances:
                inline.extra = current.overrides.count() + 1
        return instances

    def save_model(self, request, obj, form, change):
        obj.created_by = request.user
        super().save_model(request, obj, form, change)
