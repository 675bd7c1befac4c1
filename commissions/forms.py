from django import forms
from django.utils.translation import gettext_lazy as _

from socialshop.forms import YuanField

from .choices import PayoutAccountKind


class WithdrawForm(forms.Form):
    amount = YuanField(label=_("Amount to withdraw (yuan)"), positive=True)
    payout_account = forms.TypedChoiceField(
        label=_("Pay to"), coerce=int, required=False, widget=forms.RadioSelect, choices=()
    )

    def __init__(self, *args, accounts=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(account.pk, str(account)) for account in accounts]
        if choices:
            self.fields["payout_account"].choices = choices
            self.fields["payout_account"].initial = choices[0][0]
        else:  # none yet: the page links to adding one
            del self.fields["payout_account"]


class PayoutAccountForm(forms.Form):
    """What a reseller types to add a payout account; the service checks it."""

    kind = forms.ChoiceField(label=_("Kind"), widget=forms.RadioSelect, choices=())
    account = forms.CharField(
        label=_("Alipay account or card number"),
        max_length=100,
        required=False,
        help_text=_("Alipay: the phone number or e-mail you log in with."),
    )
    real_name = forms.CharField(label=_("Real name"), max_length=50, required=False)
    bank_name = forms.CharField(label=_("Bank"), max_length=50, required=False)

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(PayoutAccountKind.choices)
        self.fields["kind"].choices = [(kind, labels[kind]) for kind in kinds]
        if kinds:
            self.fields["kind"].initial = kinds[0]
