"""The operators' side of reseller grades (分销等级), in the admin: grades
with their conditions, each reseller's grade (set by hand with a reason),
and the changes, read-only. Registered from ``commissions/admin.py``."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from socialshop.admin_inlines import ReadOnlyAdmin
from socialshop.errors import DomainError
from socialshop.money import InvalidAmount, fen_to_yuan, format_yuan, yuan_to_fen

from .choices import GRADE_CONDITION_FORBIDDEN, GradeConditionKind
from .exceptions import GradeConditionForbidden
from .models import Grade, GradeChange, GradeCondition, ResellerGrade
from .selectors import grade_rates_error
from .services.grades import grade_condition_kind_check, reseller_grade_set


class ConditionKindField(forms.ChoiceField):
    """The three own-results kinds; anything else (people recruited, a team's
    sales …) is refused with the anti-pyramid explanation, not a bare
    "not a valid choice"."""

    def validate(self, value):
        if value in self.empty_values:
            return super().validate(value)
        try:
            grade_condition_kind_check(value)
        except GradeConditionForbidden as error:
            raise ValidationError(str(error.message), code=error.code) from error


class GradeConditionForm(forms.ModelForm):
    kind = ConditionKindField(
        label=_("condition"), choices=GradeConditionKind.choices, help_text=GRADE_CONDITION_FORBIDDEN
    )
    threshold = forms.CharField(
        label=_("threshold"), max_length=20, help_text=_("Sales in yuan; orders and customers as a count.")
    )

    class Meta:
        model = GradeCondition
        fields = ["kind", "threshold", "window_days"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk and instance.kind == GradeConditionKind.SALES:
            self.initial["threshold"] = str(fen_to_yuan(instance.threshold))

    def clean(self):
        cleaned = super().clean()
        text = str(cleaned.get("threshold") or "").strip()
        kind = cleaned.get("kind")
        if kind is None or not text:
            return cleaned
        if kind == GradeConditionKind.SALES:
            try:
                cleaned["threshold"] = yuan_to_fen(text)
            except InvalidAmount as error:
                self.add_error("threshold", ValidationError(error.message, code=error.code))
        elif text.isdigit():
            cleaned["threshold"] = int(text)
        else:
            self.add_error("threshold", ValidationError(_("A whole number, 0 or more."), code="not_a_count"))
        return cleaned


class GradeConditionInline(admin.TabularInline):
    model = GradeCondition
    form = GradeConditionForm
    extra = 1


class GradeForm(forms.ModelForm):
    class Meta:
        model = Grade
        fields = [
            "name",
            "badge",
            "colour",
            "rank",
            "tier1_share_bps",
            "tier2_share_bps",
            "tier3_share_bps",
            "hold_days",
            "is_active",
        ]
        widgets = {"colour": forms.TextInput(attrs={"type": "color"})}
        help_texts = {
            "tier1_share_bps": _(
                "Basis points of the commission base (3000 = 30%) this grade's holder earns at each tier, instead "
                "of the plan's; empty: the plan's. A product's or category's override still applies."
            ),
            "hold_days": _("After reaching this grade, no demotion for this many days (0: none)."),
        }

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("is_active", True):
            return cleaned
        rates = [cleaned.get(f"tier{tier}_share_bps") for tier in (1, 2, 3)]
        if error := grade_rates_error(rates=rates, grade_id=self.instance.pk):
            raise ValidationError(error, code="grade_rates_over_cap")
        return cleaned


@admin.register(Grade)
class GradeAdmin(admin.ModelAdmin):
    """Grades and their promotion conditions. A grade is retired (不再使用),
    never deleted: orders paid under it name it."""

    form = GradeForm
    inlines = [GradeConditionInline]
    list_display = (
        "__str__",
        "rank",
        "tier1_share_bps",
        "tier2_share_bps",
        "tier3_share_bps",
        "hold_days",
        "is_active",
    )
    ordering = ("rank",)

    def has_delete_permission(self, request, obj=None):
        return False


def figures_described(figures: dict) -> str:
    """A change's figures as operators read them: per window, own sales in
    yuan, completed orders and customers who bought."""
    labels = dict(GradeConditionKind.choices)
    parts = []
    for window, values in sorted(figures.items(), key=lambda item: int(item[0])):
        shown = [
            f"{labels.get(kind, kind)} {format_yuan(value) if kind == GradeConditionKind.SALES else value}"
            for kind, value in values.items()
        ]
        parts.append(_("last %(days)s days: %(figures)s") % {"days": window, "figures": ", ".join(shown)})
    return "; ".join(parts) or "—"


@admin.display(description=_("figures"))
def change_figures(change: GradeChange) -> str:
    return figures_described(change.figures)


RECENT_CHANGES_SHOWN = 20


@admin.display(description=_("grade changes"))
def recent_changes(held: ResellerGrade):
    """The reseller's latest grade changes (GradeChange points at the reseller, not this row: no inline)."""
    changes = (
        GradeChange.objects.filter(reseller_id=held.reseller_id)
        .select_related("from_grade", "to_grade", "actor")
        .order_by("-changed_at", "-id")[:RECENT_CHANGES_SHOWN]
    )
    rows = [
        (
            timezone.localtime(change.changed_at).strftime("%Y-%m-%d %H:%M"),
            change.get_kind_display(),
            change.from_grade or _("No grade"),
            change.to_grade or _("No grade"),
            figures_described(change.figures),
            change.reason,
            change.actor or "",
        )
        for change in changes
    ]
    if not rows:
        return "—"
    return format_html("<ul>{}</ul>", format_html_join("", "<li>{} {}：{} → {}（{}）{} {}</li>", rows))


class ResellerGradeForm(forms.ModelForm):
    """Set a reseller's grade by hand, or give it back to the automatic rule; a reason is required."""

    set_grade = forms.ModelChoiceField(
        label=_("grade"),
        queryset=Grade.objects.filter(is_active=True).order_by("rank"),
        required=False,
        empty_label=_("No grade"),
    )
    automatic = forms.BooleanField(
        label=_("Give it back to the automatic rule (the grade above is ignored)"), required=False
    )
    reason = forms.CharField(label=_("Reason (recorded)"), max_length=200)

    class Meta:
        model = ResellerGrade
        fields = ["reseller"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["set_grade"].initial = self.instance.grade_id
            self.fields.pop("reseller", None)  # the admin builds the change form without it


@admin.register(ResellerGrade)
class ResellerGradeAdmin(admin.ModelAdmin):
    """Each reseller's grade; an operator sets one by hand with a reason
    (``reseller_grade_set``: audited, and the automatic rule then leaves it)."""

    form = ResellerGradeForm
    list_display = ("reseller", "grade", "manual", "since", "held_until", "evaluated_at")
    list_filter = ("grade", "manual")
    list_select_related = ("reseller__user", "grade")
    search_fields = ("reseller__user__phone", "reseller__invite_code")
    raw_id_fields = ("reseller",)
    readonly_fields = ("grade", "manual", "since", "held_until", "evaluated_at", recent_changes)

    def get_fields(self, request, obj=None):
        head = ["reseller"] if obj is None else []
        return [*head, "set_grade", "automatic", "reason", *self.readonly_fields]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        reseller_id = obj.reseller_id
        set_grade = form.cleaned_data.get("set_grade")
        try:
            reseller_grade_set(
                operator=request.user,
                reseller_id=reseller_id,
                grade_id=set_grade.pk if set_grade else None,
                reason=form.cleaned_data["reason"],
                automatic=form.cleaned_data.get("automatic", False),
            )
        except DomainError as error:  # pragma: no cover - the form checked what the service checks
            self.message_user(request, str(error.message), messages.ERROR)
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        return None


@admin.register(GradeChange)
class GradeChangeAdmin(ReadOnlyAdmin):
    """Every grade change with the figures that justified it, read-only (the rule and operators write them)."""

    list_display = ("changed_at", "reseller", "kind", "from_grade", "to_grade", "actor", "reason")
    fields = readonly_fields = (
        "reseller",
        "changed_at",
        "kind",
        "from_grade",
        "to_grade",
        change_figures,
        "reason",
        "actor",
    )
    list_filter = ("kind", "to_grade")
    list_select_related = ("reseller__user", "from_grade", "to_grade", "actor")
    search_fields = ("reseller__user__phone", "reseller__invite_code")
