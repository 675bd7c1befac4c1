from django import forms
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm
from django.utils.translation import gettext_lazy as _

from .models import User
from .phone import normalize_mainland_mobile


class SignUpForm(BaseUserCreationForm):
    """Sign-up with a mobile number; a new user is a customer."""

    # wider than the stored 11 digits: people type "+86 138 0013 8000"
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )

    class Meta:
        model = User
        fields = ("phone", "nickname")

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
