from django import forms
from django.utils.translation import gettext_lazy as _

from socialshop.forms import YuanField


class WithdrawForm(forms.Form):
    amount = YuanField(label=_("Amount to withdraw (yuan)"))

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is None or amount <= 0:
            raise forms.ValidationError(_("Enter an amount above zero."), code="not_positive")
        return amount
