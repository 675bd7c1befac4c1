from django import forms
from django.utils.translation import gettext_lazy as _

from socialshop.money import format_yuan


class SeatForm(forms.Form):
    """Which SKU and how many; the address comes from the saved ones or a new one (orders' AddressForm)."""

    sku_id = forms.TypedChoiceField(label=_("Option"), coerce=int)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=99, initial=1)
    address = forms.ChoiceField(label=_("Ship to"))
    # only the buyer's coupons the campaign lets apply (``seat_coupon_options``); placing checks them again
    coupon = forms.ChoiceField(label=_("Coupon"), required=False)

    def __init__(self, *args, skus, addresses, coupon_options=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coupon"].choices = [
            ("", _("No coupon")),
            *(
                (str(option.claim.pk), f"{option.claim.coupon.name} −{format_yuan(option.saving_amount)}")
                for option in coupon_options
            ),
        ]
        self.fields["sku_id"].choices = [(priced.sku_id, priced.sku.spec_label or priced.sku.code) for priced in skus]
        self.fields["address"].choices = [
            *((str(address.pk), f"{address.recipient_name} {address.street}") for address in addresses),
            ("new", _("A new address")),
        ]
        if skus:
            self.fields["sku_id"].initial = skus[0].sku_id
        self.fields["address"].initial = str(addresses[0].pk) if addresses else "new"
