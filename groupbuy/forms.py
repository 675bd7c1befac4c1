from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from catalog.models import Sku
from socialshop.forms import YuanField
from socialshop.money import format_yuan

from .choices import GROUP_SIZE_MAX, GROUP_SIZE_MIN


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


class SupplierCampaignForm(forms.Form):
    """A supplier proposes a group-buying campaign for one of its own SKUs
    (``campaign_create(supplier=…)``: it waits for an operator's approval).
    The SKU list holds only the supplier's own: another supplier's id is not
    a valid choice. Prices in yuan; the service checks them against the
    SKU's cost and list price."""

    sku = forms.ModelChoiceField(label=_("Product option"), queryset=None, empty_label=None)
    title = forms.CharField(label=capfirst(_("title")), max_length=60, required=False)
    group_price = YuanField(label=_("Group price"), positive=True)
    leader_price = YuanField(label=_("Leader's price (optional)"), required=False, positive=True)
    group_size = forms.IntegerField(
        label=capfirst(_("group size")), min_value=GROUP_SIZE_MIN, max_value=GROUP_SIZE_MAX, initial=2
    )
    fill_hours = forms.IntegerField(label=_("Hours to fill a group"), min_value=1, max_value=168, initial=24)
    per_person_limit = forms.IntegerField(
        label=capfirst(_("units per member at most")), min_value=1, max_value=99, initial=1
    )
    coupons_apply = forms.BooleanField(label=capfirst(_("coupons apply")), required=False)
    starts_on = forms.DateField(label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Ends on (inclusive)"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, supplier, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sku"].queryset = (
            Sku.objects.filter(product__supplier=supplier, is_active=True)
            .select_related("product")
            .order_by("product__title", "pk")
        )
        self.fields["sku"].label_from_instance = lambda sku: " ".join(
            part for part in (sku.product.title, sku.spec_label, format_yuan(sku.list_price_amount)) if part
        )

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("After the start."))
        return data

    def window(self) -> tuple[datetime, datetime]:
        """From the start day's midnight to the end of the last day, in the site's time zone."""
        zone = timezone.get_current_timezone()
        starts = datetime.combine(self.cleaned_data["starts_on"], time.min, tzinfo=zone)
        ends = datetime.combine(self.cleaned_data["ends_on"] + timedelta(days=1), time.min, tzinfo=zone)
        return starts, ends
