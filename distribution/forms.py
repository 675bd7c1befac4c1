from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import SignUpForm

from .codes import LENGTH, invite_code_normalize
from .exceptions import InviteCodeUnknown, InviterNotActive
from .models import DistributionSettings, Reseller


def _invite_code_field(**kwargs) -> forms.CharField:
    return forms.CharField(
        label=_("Invite code"),
        max_length=20,  # people type spaces: "ABC 234"
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("%(length)s letters and digits, from the person who invited you.") % {"length": LENGTH},
        **kwargs,
    )


class InviteCodeMixin:
    """Checks the invite code and keeps its reseller in ``self.inviter``."""

    inviter: Reseller | None = None

    def clean_invite_code(self):
        code = invite_code_normalize(self.cleaned_data.get("invite_code", ""))
        if not code:
            return code
        inviter = Reseller.objects.select_related("user").filter(invite_code=code).first()
        if inviter is None:
            raise forms.ValidationError(InviteCodeUnknown.default_message, code=InviteCodeUnknown.code)
        if not inviter.is_active:
            raise forms.ValidationError(InviterNotActive.default_message, code=InviterNotActive.code)
        self.inviter = inviter
        return code


class JoinForm(InviteCodeMixin, forms.Form):
    """A logged-in customer becomes a reseller."""

    invite_code = _invite_code_field()


class JoinSignUpForm(InviteCodeMixin, SignUpForm):
    """Sign-up with an invite code: the new customer is bound to the code's
    reseller, and becomes its downline reseller if it ticks the box."""

    invite_code = _invite_code_field()
    become_reseller = forms.BooleanField(
        label=_("Open my own shop too (become a reseller)"), required=False, initial=True
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ResellerMoveForm(ReasonForm):
    new_inviter_code = forms.CharField(
        label=_("Invite code of the new inviter"),
        max_length=20,
        required=False,
        help_text=_("Leave empty to make the reseller a root (no inviter)."),
    )
    field_order = ["new_inviter_code", "reason"]

    new_inviter: Reseller | None = None

    def clean_new_inviter_code(self):
        code = invite_code_normalize(self.cleaned_data.get("new_inviter_code", ""))
        if code:
            self.new_inviter = Reseller.objects.filter(invite_code=code).first()
            if self.new_inviter is None:
                raise forms.ValidationError(InviteCodeUnknown.default_message, code=InviteCodeUnknown.code)
        return code


class DistributionSettingsForm(forms.ModelForm):
    class Meta:
        model = DistributionSettings
        fields = ["reseller_approval_required", "binding_rule", "binding_lifetime_days", "binding_after_lifetime"]
