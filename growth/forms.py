from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

REMINDER_HORIZON = timedelta(days=366)
OPS_MAX_RANGE = timedelta(days=366)


class CustomerNoteForm(forms.Form):
    tags = forms.CharField(
        label=_("Tags"), max_length=100, required=False, help_text=_("Separate tags with commas, e.g. 宝妈,老客")
    )
    note = forms.CharField(label=_("Private note"), max_length=500, required=False, widget=forms.Textarea({"rows": 3}))


class ReminderForm(forms.Form):
    due_on = forms.DateField(label=_("Remind me on"), widget=forms.DateInput({"type": "date"}))
    text = forms.CharField(label=_("What to do"), max_length=100)

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        today = timezone.localdate()
        if not today <= due_on <= today + REMINDER_HORIZON:
            raise forms.ValidationError(_("Pick a day from today to a year ahead."), code="out_of_range")
        return due_on


class DateRangeForm(forms.Form):
    """The dashboard's period: Beijing days, at most a year, default the last 30."""

    first = forms.DateField(label=_("From"), required=False, widget=forms.DateInput({"type": "date"}))
    last = forms.DateField(label=_("To"), required=False, widget=forms.DateInput({"type": "date"}))

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        last = data.get("last") or today
        first = data.get("first") or last - timedelta(days=29)
        if first > last:
            raise forms.ValidationError(_("The first day comes after the last."), code="reversed")
        if last - first > OPS_MAX_RANGE:
            raise forms.ValidationError(_("Pick at most a year."), code="too_long")
        data["first"], data["last"] = first, last
        return data
