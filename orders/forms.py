"""Forms of the shopper's, the reseller's and the supplier's order pages."""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from catalog.images import upload_read
from socialshop.forms import YuanField

from .choices import MAX_REFUND_PHOTOS, Carrier, RefundReason, RefundResolution
from .models import MAX_QUANTITY
from .regions import cities, districts, provinces
from .services.addresses import ShippingAddress


class CartAddForm(forms.Form):
    shop = forms.SlugField(required=False, max_length=40)
    sku = forms.IntegerField(min_value=1)
    quantity = forms.IntegerField(min_value=1, max_value=MAX_QUANTITY, initial=1)


class CartQuantityForm(forms.Form):
    shop = forms.SlugField(required=False, max_length=40)
    sku = forms.IntegerField(min_value=1)
    quantity = forms.IntegerField(min_value=0, max_value=MAX_QUANTITY)
    step = forms.TypedChoiceField(choices=[("-1", "-1"), ("1", "1")], coerce=int, required=False, empty_value=0)


def _choices(regions, blank):
    return [("", blank), *((region.code, region.name) for region in regions)]


class AddressForm(forms.Form):
    """A new shipping address. The city and district lists follow the chosen
    province and city: with JavaScript they refill at once, without it the
    *Update the lists* button reloads the form keeping what was typed.

    Beside saved addresses it is filled only when the buyer picks *A new
    address*: the checkout then renders it with ``use_required_attribute=False``
    (the browser must not insist on fields the buyer is not using), and its
    required fields carry ``data-required-for-new`` for orders.js to make them
    required while the new address is chosen. The server checks it either way."""

    recipient_name = forms.CharField(label=_("Recipient"), max_length=30)
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    province_code = forms.ChoiceField(label=_("Province"))
    city_code = forms.ChoiceField(label=_("City"))
    district_code = forms.ChoiceField(label=_("District"), required=False)
    street = forms.CharField(
        label=_("Street address"),
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "street-address", "placeholder": _("street, building, room")}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            province = self.data.get(self.add_prefix("province_code")) or ""
            city = self.data.get(self.add_prefix("city_code")) or ""
        else:
            province, city = self.initial.get("province_code") or "", self.initial.get("city_code") or ""
        self.fields["province_code"].choices = _choices(provinces(), _("Choose a province"))
        self.fields["city_code"].choices = _choices(cities(province), _("Choose a city"))
        self.fields["district_code"].choices = _choices(districts(city), _("Choose a district"))
        self.fields["province_code"].widget.attrs["data-region-level"] = "province"
        self.fields["city_code"].widget.attrs["data-region-level"] = "city"
        self.fields["district_code"].widget.attrs["data-region-level"] = "district"
        for field in self.fields.values():
            if field.required:
                field.widget.attrs["data-required-for-new"] = ""

    def address(self) -> ShippingAddress:
        return ShippingAddress(**{name: self.cleaned_data.get(name) or "" for name in ShippingAddress.__annotations__})


class CheckoutForm(forms.Form):
    address = forms.ChoiceField(label=_("Ship to"), widget=forms.RadioSelect, required=False)
    note = forms.CharField(label=_("Note to the seller"), max_length=200, required=False)

    def __init__(self, *args, addresses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["address"].choices = [
            *(
                (str(address.pk), f"{address.recipient_name} {address.phone} {address.one_line}")
                for address in addresses
            ),
            ("new", _("A new address")),
        ]


class PhotosInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to ``MAX_REFUND_PHOTOS`` files in one input (``multiple``); each is
    checked as an image by the refund service (``refund_photos_process``)."""

    widget = PhotosInput(attrs={"accept": "image/jpeg,image/png,image/webp"})

    def clean(self, data, initial=None):
        files = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if len(files) > MAX_REFUND_PHOTOS:
            raise ValidationError(_("At most %(count)d photos.") % {"count": MAX_REFUND_PHOTOS}, code="too_many_photos")
        return [super(PhotosField, self).clean(item, initial) for item in files]


class RefundRequestForm(forms.Form):
    """仅退款 or 退货退款, a reason from the list, how much, what happened, and
    up to three photos (the bytes of each in ``photo_bytes`` once valid)."""

    resolution = forms.ChoiceField(
        label=_("What you want"),
        choices=RefundResolution.choices,
        initial=RefundResolution.REFUND_ONLY,
        widget=forms.RadioSelect,
    )
    reason_code = forms.ChoiceField(label=_("Reason"), choices=[("", _("Choose a reason")), *RefundReason.choices])
    amount = YuanField(label=_("Amount to refund (yuan)"), positive=True)
    description = forms.CharField(
        label=_("Problem description"),
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("What happened? (optional)")}),
    )
    photos = PhotosField(label=_("Photos (up to 3)"), required=False)

    def clean_photos(self):
        return [upload_read(upload) for upload in self.cleaned_data["photos"]]


class ShipForm(forms.Form):
    carrier = forms.ChoiceField(label=_("Carrier"), choices=Carrier.choices)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=40)


class ShipmentsUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns: shipment number, carrier, tracking number (download the list to ship and fill it in)."),
    )


class RefundDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


def checkout_address_chosen(form, address_form, addresses):
    """The address a checkout form chose (a saved one by id, or the new one
    typed below it), as placing takes it; None, with the error on ``form``,
    when there is none to ship to. The cart's checkout and the flash-sale
    checkout share it."""
    from .services.addresses import address_as_input

    choice = form.cleaned_data["address"] or "new"
    if choice == "new":
        if not address_form.is_valid():
            form.add_error("address", _("Fill in the new address below, or choose a saved one."))
            return None
        return address_form.address()
    saved = next((a for a in addresses if str(a.pk) == choice), None)
    if saved is None:
        form.add_error("address", _("Choose an address."))
        return None
    return address_as_input(saved)


@dataclass
class CheckoutAddress:
    """A checkout page's address part: the buyer's saved addresses (up to
    five), the form choosing one (and taking the note), and the new address
    typed below them. The cart's, the flash sale's and the bargain's
    checkouts build it here and render ``orders/_address_choice.html``."""

    addresses: list
    form: "CheckoutForm"
    address_form: "AddressForm"
    wants_new: bool

    def chosen(self):
        """``checkout_address_chosen`` on a valid form."""
        return checkout_address_chosen(self.form, self.address_form, self.addresses)

    def context(self) -> dict:
        return {
            "form": self.form,
            "address_form": self.address_form,
            "addresses": self.addresses,
            "has_addresses": bool(self.addresses),
            "chosen_address": str(self.form["address"].value() or ""),
            "new_address_open": self.wants_new or bool(self.address_form.errors),
        }


def checkout_address(request) -> CheckoutAddress:
    addresses = list(request.user.addresses.all()[:5])
    form = CheckoutForm(
        request.POST or None, addresses=addresses, initial={"address": str(addresses[0].pk) if addresses else "new"}
    )
    wants_new = (request.POST.get("address") or ("new" if not addresses else "")) == "new"
    address_form = AddressForm(
        request.POST if request.method == "POST" and wants_new else None,
        prefix="new",
        # beside saved addresses the new one is optional: the browser must not refuse a saved one
        use_required_attribute=not addresses,
    )
    return CheckoutAddress(addresses=addresses, form=form, address_form=address_form, wants_new=wants_new)
