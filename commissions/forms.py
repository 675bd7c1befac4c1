from django import forms
from django.utils.translation import gettext_lazy as _

from socialshop.forms import YuanField


class WithdrawForm(forms.Form):
    amount = YuanField(label=_("Amount to withdraw (yuan)"), positive=True)
