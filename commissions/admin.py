from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from socialshop.admin_inlines import ReadOnlyAdmin, ReadOnlyInline, SpreadsheetExportAdmin, in_yuan, yuan_field
from socialshop.errors import DomainError
from socialshop.forms import YuanField
from socialshop.money import BASIS_POINTS

from .calculations import grade_shares_worst_case
from .choices import THREE_TIER_WARNING
from .models import (
    Commission,
    CommissionOverride,
    CommissionPlan,
    Grade,
    PayoutAccount,
    PayoutBatch,
    PayoutItem,
    Withdrawal,
    WithdrawalStatusChange,
)
from .resources import CommissionResource, WithdrawalResource
from .services.withdrawals import (
    payout_batch_create,
    withdrawal_approve,
    withdrawal_mark_paid,
    withdrawal_reject,
)

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

PLAN_MONEY = {
    "min_withdrawal_amount": yuan_field("min_withdrawal_amount", _("minimum withdrawal")),
    "withdrawal_fee_amount": yuan_field("withdrawal_fee_amount", _("withdrawal fee, fixed")),
}
WITHDRAWAL_MONEY = {
    "amount": yuan_field("amount", _("amount")),
    "fee_amount": yuan_field("fee_amount", _("fee")),
    "tax_amount": yuan_field("tax_amount", _("tax withheld")),
}
COMMISSION_MONEY = {
    "base_amount": yuan_field("base_amount", _("base")),
    "amount": yuan_field("amount", _("earned")),
    "reversed_amount": yuan_field("reversed_amount", _("reversed before settlement")),
    "clawed_back_amount": yuan_field("clawed_back_amount", _("clawed back after settlement")),
}
COMMISSION_NET = yuan_field("net_amount", _("kept"), sortable=False)  # earned less what refunds took


def _shares_error(cleaned: dict) -> str | None:
    total = sum(cleaned.get(f"tier{tier}_share_bps") or 0 for tier in (1, 2, 3))
    if total > BASIS_POINTS:
        return _("The tier shares add up to %(total)s bp: more than 100%% (10000 bp).") % {"total": total}
    return None


def _grades_mix_error(cleaned: dict) -> str | None:
    """Grades (分销等级) replace the plan's rates for their holders: a new
    plan whose shares, mixed with the grades' on one line, could pass 100 %
    is refused like shares over 100 % (``grade_shares_worst_case``)."""
    tier_count = cleaned.get("tier_count") or 1
    shares = [cleaned.get(f"tier{tier}_share_bps") or 0 for tier in (1, 2, 3)][:tier_count]
    grades = [grade.tier_rates() for grade in Grade.objects.filter(is_active=True)]
    worst = grade_shares_worst_case(plan_shares=shares, grades=grades)
    if grades and worst > BASIS_POINTS:
        return _(
            "With the reseller grades in use, a line could pay %(total)s%% of the commission base: more than "
            "100%%. Lower the grades' or the plan's rates."
        ) % {"total": f"{worst / 100:g}"}
    return None


class CommissionPlanForm(forms.ModelForm):
    # operators type yuan, as on every other page; the columns hold fen
    min_withdrawal_amount = YuanField(label=_("minimum withdrawal (yuan)"), positive=True)
    withdrawal_fee_amount = YuanField(label=_("withdrawal fee, fixed (yuan)"))

    class Meta:
        model = CommissionPlan
        fields = PLAN_FIELDS
        help_texts = {"three_tiers_confirmed": THREE_TIER_WARNING}

    def clean(self):
        cleaned = super().clean()
        if error := _shares_error(cleaned):
            raise forms.ValidationError(error, code="shares_over_100_percent")
        if error := _grades_mix_error(cleaned):
            raise forms.ValidationError(error, code="grades_over_100_percent")
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

    def get_fields(self, request, obj=None):
        if obj is None:
            return super().get_fields(request, obj)
        # a published version is only read: its money in yuan, as the add form takes it
        return [*in_yuan(PLAN_FIELDS, PLAN_MONEY), *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is None else self.get_fields(request, obj)

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


class WithdrawalStatusChangeInline(ReadOnlyInline):
    model = WithdrawalStatusChange
    fields = ("from_status", "to_status", "actor", "why", "changed_at")

    @admin.display(description=_("reason"))
    def why(self, change):
        return change.reason_label


class DecisionForm(forms.Form):
    reason = forms.CharField(label=_("Reason (the reseller sees it)"), max_length=200, required=False)


def _decide(modeladmin, request, queryset, *, verb: str, service, reason_required: bool):
    """An admin action with a reason: first a confirmation page, then each
    withdrawal through the service (one refusal does not stop the others)."""
    form = DecisionForm(request.POST if "apply" in request.POST else None)
    if form.is_valid() and (form.cleaned_data["reason"].strip() or not reason_required):
        done, refused = 0, []
        for withdrawal_id in queryset.values_list("pk", flat=True):
            try:
                service(operator=request.user, withdrawal_id=withdrawal_id, reason=form.cleaned_data["reason"])
                done += 1
            except DomainError as error:
                refused.append(f"#{withdrawal_id}: {error.message}")
        modeladmin.message_user(request, _("%(verb)s: %(count)d.") % {"verb": verb, "count": done}, messages.SUCCESS)
        if refused:
            modeladmin.message_user(request, "; ".join(refused), messages.WARNING)
        return None
    if "apply" in request.POST and reason_required:
        form.add_error("reason", _("Say why."))
    return TemplateResponse(
        request,
        "admin/commissions/withdrawal_decide.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": verb,
            "form": form,
            "withdrawals": queryset,
            "action": request.POST["action"],
            "opts": modeladmin.model._meta,
        },
    )


@admin.register(Withdrawal)
class WithdrawalAdmin(SpreadsheetExportAdmin, admin.ModelAdmin):
    """Operators approve or reject withdrawals (one by one or in bulk, with a
    reason), then pay the approved ones in a batch."""

    resource_classes = [WithdrawalResource]

    list_display = (
        "id",
        "reseller",
        WITHDRAWAL_MONEY["amount"],
        WITHDRAWAL_MONEY["fee_amount"],
        "status",
        "requested_at",
        "failure_reason",
    )
    list_filter = ("status",)
    search_fields = ("reseller__user__phone", "reseller__invite_code")
    list_select_related = ("reseller__user",)
    actions = ["approve", "reject", "pay_in_a_batch", "mark_paid_by_hand"]
    inlines = [WithdrawalStatusChangeInline]
    # every column read-only, money in yuan (``fields`` too, or the money columns would be editable)
    fields = readonly_fields = in_yuan([field.name for field in Withdrawal._meta.fields], WITHDRAWAL_MONEY)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Approve the selected withdrawals"))
    def approve(self, request, queryset):
        return _decide(self, request, queryset, verb=_("Approved"), service=withdrawal_approve, reason_required=False)

    @admin.action(description=_("Reject the selected withdrawals (money returns to them)"))
    def reject(self, request, queryset):
        return _decide(self, request, queryset, verb=_("Rejected"), service=withdrawal_reject, reason_required=True)

    @admin.action(description=_("Pay the selected approved withdrawals in a new batch"))
    def pay_in_a_batch(self, request, queryset):
        batch = payout_batch_create(operator=request.user, withdrawal_ids=list(queryset.values_list("pk", flat=True)))
        if batch is None:
            self.message_user(request, _("None of the selected withdrawals is approved."), messages.WARNING)
        else:
            self.message_user(
                request, _("Payout batch #%(batch)d is being paid.") % {"batch": batch.pk}, messages.SUCCESS
            )

    @admin.action(description=_("Mark the selected bank-card withdrawals paid (enter the bank's reference)"))
    def mark_paid_by_hand(self, request, queryset):
        return _decide(
            self, request, queryset, verb=_("Marked paid"), service=withdrawal_mark_paid, reason_required=True
        )


class PayoutItemInline(ReadOnlyInline):
    model = PayoutItem
    fields = (
        "withdrawal",
        yuan_field("amount", _("amount")),
        "reference",
        "provider_reference",
        "outcome",
        "confirm_until",
    )


@admin.register(PayoutAccount)
class PayoutAccountAdmin(ReadOnlyAdmin):
    """Read-only: resellers add and remove their own payout accounts."""

    list_display = ("id", "reseller", "kind", "__str__", "real_name", "created_at", "removed_at")
    list_filter = ("kind",)
    search_fields = ("reseller__user__phone", "reseller__invite_code", "real_name")
    list_select_related = ("reseller__user",)


@admin.register(PayoutBatch)
class PayoutBatchAdmin(admin.ModelAdmin):
    list_display = ("__str__", "status", "created_by", "created_at", "finished_at")
    list_filter = ("status",)
    readonly_fields = ("status", "created_by", "created_at", "finished_at")
    inlines = [PayoutItemInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Commission)
class CommissionAdmin(SpreadsheetExportAdmin, ReadOnlyAdmin):
    """Read-only: commissions are written by the engine alone."""

    resource_classes = [CommissionResource]

    list_display = (
        "id",
        "beneficiary",
        "kind",
        "tier",
        COMMISSION_MONEY["amount"],
        COMMISSION_NET,
        "state",
        "created_at",
        "matures_at",
    )
    list_filter = ("state", "kind", "tier")
    search_fields = ("beneficiary__user__phone", "beneficiary__invite_code", "order__id")
    list_select_related = ("beneficiary__user",)
    fields = readonly_fields = [
        *in_yuan([field.name for field in Commission._meta.fields], COMMISSION_MONEY),
        COMMISSION_NET,
    ]


from . import admin_grades  # noqa: E402, F401  reseller grades (分销等级)
