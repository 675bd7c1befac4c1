import re
import unicodedata

from django import forms
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import User
from .phone import normalize_mainland_mobile

SMS_CODE_PATTERN = re.compile(r"[0-9]{6}")


def sms_code_clean(value: str) -> str:
    """What a person typed as an SMS code → its six ASCII digits. Spaces
    around and inside are dropped and full-width digits (an IME's ０-９) read
    as digits (NFKC); anything else is ValidationError ``sms_code_malformed``
    and is not tried against the code (so it does not count as a wrong try)."""
    typed = unicodedata.normalize("NFKC", value or "")
    typed = "".join(typed.split())
    if not SMS_CODE_PATTERN.fullmatch(typed):
        raise ValidationError(_("Enter the 6-digit code from the SMS."), code="sms_code_malformed")
    return typed


def _phone_field(**attrs) -> forms.CharField:
    # wider than the stored 11 digits: people type "+86 138 0013 8000"
    return forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", **attrs}),
    )


class SmsSendForm(forms.Form):
    """Step one of a log-in (or of adding a number) by SMS: the number."""

    phone = _phone_field(autofocus=True)

    def clean_phone(self):
        return normalize_mainland_mobile(self.cleaned_data["phone"])


class SmsVerifyForm(SmsSendForm):
    """Step two: the number the code went to, and the code."""

    phone = forms.CharField(max_length=20, widget=forms.HiddenInput)
    code = forms.CharField(
        label=_("Verification code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autofocus": True, "inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 6}
        ),
    )

    def clean_code(self):
        return sms_code_clean(self.cleaned_data["code"])


class SignUpForm(BaseUserCreationForm):
    """Sign-up with a mobile number; a new user is a customer."""

    # wider than the stored 11 digits: people type "+86 138 0013 8000"
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )

    # the number is proved like every other way in: a code sent to it (the page's 获取验证码 button)
    code = forms.CharField(
        label=_("Verification code"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 6}),
    )

    class Meta:
        model = User
        fields = ("phone", "nickname")

    field_order = ["phone", "code", "nickname", "password1", "password2"]

    def clean_code(self):
        return sms_code_clean(self.cleaned_data["code"])

    def clean_phone(self):
        phone = normalize_mainland_mobile(self.cleaned_data["phone"])
        if User.objects.filter(phone=phone).exists():
            raise forms.ValidationError(_("This mobile number is already registered."), code="phone_taken")
        return phone


class LogInForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"autofocus": True, "inputmode": "tel", "autocomplete": "username"}),
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"), max_length=60, help_text=_("What will use it, e.g. “mini-program” or “ERP sync”.")
    )


class PhoneChangeForm(forms.Form):
    """Changing the number, one form without a script: 发送 to the current
    number, 发送 to the new number, then both codes (``action`` says which
    button). Only what the pressed button needs is required."""

    old_code = forms.CharField(
        label=_("Code sent to your current number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 6}),
    )
    new_phone = forms.CharField(
        label=_("New mobile number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    new_code = forms.CharField(
        label=_("Code sent to the new number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 6}),
    )

    def __init__(self, *args, action: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action

    def clean_new_phone(self):
        value = self.cleaned_data["new_phone"]
        if self.action in ("send_new", "change") or value:
            if not value:
                raise ValidationError(_("Enter the new mobile number."), code="required")
            return normalize_mainland_mobile(value)
        return value

    def clean_old_code(self):
        return sms_code_clean(self.cleaned_data["old_code"]) if self.action == "change" else ""

    def clean_new_code(self):
        return sms_code_clean(self.cleaned_data["new_code"]) if self.action == "change" else ""


class SecondFactorForm(forms.Form):
    token = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=20,
        help_text=_("Or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
