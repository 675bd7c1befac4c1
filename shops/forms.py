"""Forms of a reseller's shop pages (mobile)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from catalog.forms import image_file_field
from catalog.images import upload_size_check
from socialshop.errors import DomainError
from socialshop.forms import YuanField
from socialshop.money import fen_to_yuan

from .services import shop_slug_check


class ShopEditForm(forms.Form):
    name = forms.CharField(label=_("Shop name"), max_length=40)
    intro = forms.CharField(
        label=_("Introduction"), max_length=200, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    avatar = image_file_field(
        label=_("Avatar"),
        required=False,
        help_text=_("A square picture looks best. JPEG, PNG or WebP, at most 8 MB."),
    )

    def clean_avatar(self):
        return upload_size_check(self.cleaned_data.get("avatar"))


class ShopOpenForm(ShopEditForm):
    slug = forms.CharField(
        label=_("Shop address"),
        max_length=40,
        help_text=_(
            "Your shop will live at /s/<address>/: 3–40 lower-case letters, digits or hyphens. "
            "It cannot be changed later."
        ),
        widget=forms.TextInput(attrs={"autocapitalize": "none", "autocomplete": "off", "spellcheck": "false"}),
    )
    field_order = ["name", "slug", "intro", "avatar"]

    def clean_slug(self):
        try:
            return shop_slug_check(self.cleaned_data["slug"])
        except DomainError as error:
            raise ValidationError(error.message, code=error.code) from error


class PickPricesForm(forms.Form):
    """One price field per SKU of the pick (``sku_<id>``): blank keeps the
    list price; a value must lie within the SKU's resale bounds."""

    is_hidden = forms.BooleanField(label=_("Hide from my shop"), required=False)

    def __init__(self, *args, offers, **kwargs):
        super().__init__(*args, **kwargs)
        self.offers = offers
        for offer in offers:
            sku = offer.sku
            self.fields[f"sku_{sku.id}"] = YuanField(
                label=sku.spec_label or sku.code,
                required=False,
                initial=offer.price_amount if offer.has_shop_price else None,
                help_text=_("List price ¥%(list)s; you may charge ¥%(low)s – ¥%(high)s. Blank = list price.")
                % {
                    "list": fen_to_yuan(sku.list_price_amount),
                    "low": fen_to_yuan(sku.min_resale_amount),
                    "high": fen_to_yuan(sku.max_resale_amount),
                },
                widget=forms.TextInput(attrs={"placeholder": str(fen_to_yuan(sku.list_price_amount))}),
            )
        self.order_fields([name for name in self.fields if name != "is_hidden"] + ["is_hidden"])

    def clean(self):
        cleaned = super().clean()
        for offer in self.offers:
            name, sku = f"sku_{offer.sku.id}", offer.sku
            price = cleaned.get(name)
            if price is not None and not (sku.min_resale_amount <= price <= sku.max_resale_amount):
                self.add_error(
                    name,
                    _("Choose a price between ¥%(low)s and ¥%(high)s.")
                    % {"low": fen_to_yuan(sku.min_resale_amount), "high": fen_to_yuan(sku.max_resale_amount)},
                )
        return cleaned

    def prices(self) -> dict[int, int | None]:
        return {offer.sku.id: self.cleaned_data.get(f"sku_{offer.sku.id}") for offer in self.offers}
