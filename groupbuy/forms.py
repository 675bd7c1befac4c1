from django import forms
from django.utils.translation import gettext_lazy as _


class SeatForm(forms.Form):
    """Which SKU and how many; the address comes from the saved ones or a new one (orders' AddressForm)."""

    sku_id = forms.TypedChoiceField(label=_("Option"), coerce=int)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=99, initial=1)
    address = forms.ChoiceField(label=_("Ship to"))

    def __init__(self, *args, skus, addresses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sku_id"].choices = [(priced.sku_id, priced.sku.spec_label or priced.sku.code) for priced in skus]
        self.fields["address"].choices = [
            *((str(address.pk), f"{address.recipient_name} {address.street}") for address in addresses),
            ("new", _("A new address")),
        ]
        if skus:
            self.fields["sku_id"].initial = skus[0].sku_id
        self.fields["address"].initial = str(addresses[0].pk) if addresses else "new"
