"""Forms of the supplier portal and the operators' onboarding page."""

import re

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.phone import normalize_mainland_mobile
from socialshop.forms import YuanField

from .calculations import price_bound_errors
from .images import upload_size_check
from .models import Category, Product
from .services import SkuInput

SPEC_SEPARATORS = re.compile(r"[,，;；\n]+")
SPEC_KEY_VALUE = re.compile(r"\s*([^:：=]+?)\s*[:：=]\s*(.+?)\s*$")
DEFAULT_SPEC_KEY = "规格"


def spec_parse(text: str) -> dict[str, str]:
    """``颜色:红色, 尺码:M`` (Chinese punctuation too) → ``{"颜色": "红色", "尺码": "M"}``;
    a part without a colon is the ``规格`` (specification) value."""
    spec: dict[str, str] = {}
    for part in SPEC_SEPARATORS.split(text or ""):
        part = part.strip()
        if not part:
            continue
        match = SPEC_KEY_VALUE.match(part)
        if match:
            spec[match.group(1)] = match.group(2)
        else:
            spec[DEFAULT_SPEC_KEY] = part
    return spec


MAX_STOCK = 1_000_000_000  # the stock column is a 32-bit integer; no warehouse holds more


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = ("title", "category", "description")
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.order_by("position", "name")


class SkuForm(forms.Form):
    code = forms.CharField(label=_("SKU code"), max_length=40)
    spec = forms.CharField(
        label=_("Specification"),
        max_length=200,
        required=False,
        help_text=_("e.g. 颜色:红色, 尺码:M"),
    )
    cost_amount = YuanField(label=_("Supplier cost (yuan)"))
    min_resale_amount = YuanField(label=_("Lowest resale price (yuan)"))
    list_price_amount = YuanField(label=_("List price (yuan)"))
    max_resale_amount = YuanField(label=_("Highest resale price (yuan)"))
    stock = forms.IntegerField(label=_("Stock"), min_value=0, max_value=MAX_STOCK, initial=0)
    is_active = forms.BooleanField(label=_("Active (can be bought)"), required=False, initial=True)

    PRICE_FIELDS = ("cost_amount", "min_resale_amount", "list_price_amount", "max_resale_amount")

    @classmethod
    def initial_from(cls, sku) -> dict:
        return {
            "code": sku.code,
            "spec": sku.spec_text,
            "cost_amount": sku.cost_amount,
            "min_resale_amount": sku.min_resale_amount,
            "list_price_amount": sku.list_price_amount,
            "max_resale_amount": sku.max_resale_amount,
            "stock": sku.stock,
            "is_active": sku.is_active,
        }

    def clean(self):
        cleaned = super().clean()
        if all(cleaned.get(name) is not None for name in self.PRICE_FIELDS):
            errors = price_bound_errors(
                cost=cleaned["cost_amount"],
                min_resale=cleaned["min_resale_amount"],
                list_price=cleaned["list_price_amount"],
                max_resale=cleaned["max_resale_amount"],
            )
            for name, messages in errors.items():
                for message in messages:
                    self.add_error(name, message)
        return cleaned

    def sku_input(self) -> SkuInput:
        data = self.cleaned_data
        return SkuInput(
            code=data["code"].strip(),
            spec=spec_parse(data["spec"]),
            cost_amount=data["cost_amount"],
            min_resale_amount=data["min_resale_amount"],
            list_price_amount=data["list_price_amount"],
            max_resale_amount=data["max_resale_amount"],
            stock=data["stock"],
            is_active=data["is_active"],
        )


def image_file_field(**kwargs) -> forms.FileField:
    """A picture upload; its content is checked by catalog.images when saved."""
    kwargs.setdefault("help_text", _("JPEG, PNG or WebP, at most 8 MB."))
    return forms.FileField(
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}), **kwargs
    )


class ImageUploadForm(forms.Form):
    """One picture; its content is checked by catalog.images when it is saved."""

    image = image_file_field(label=_("Picture"))

    def clean_image(self):
        return upload_size_check(self.cleaned_data["image"])


class SupplierOnboardForm(forms.Form):
    """What an operator types to onboard a supplier and its first staff log-in."""

    name = forms.CharField(label=_("Supplier name"), max_length=100)
    contact_name = forms.CharField(label=_("Contact name"), max_length=40, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20, required=False)
    staff_phone = forms.CharField(
        label=_("Staff mobile number"),
        max_length=20,
        help_text=_("An existing customer becomes the supplier's staff; otherwise a new log-in is made."),
    )
    staff_nickname = forms.CharField(label=_("Staff name"), max_length=40, required=False)
    staff_password = forms.CharField(
        label=_("Initial password"),
        required=False,
        widget=forms.PasswordInput,
        help_text=_("Needed only when the mobile number has no account yet."),
    )

    def clean_staff_phone(self):
        return normalize_mainland_mobile(self.cleaned_data["staff_phone"])

    def clean(self):
        cleaned = super().clean()
        phone = cleaned.get("staff_phone")
        if phone and not User.objects.filter(phone=phone).exists():
            password = cleaned.get("staff_password")
            if not password:
                self.add_error("staff_password", _("This mobile number has no account yet: give it a password."))
            else:
                try:
                    validate_password(password)
                except ValidationError as error:
                    self.add_error("staff_password", error)
        return cleaned


class StaffInviteForm(SupplierOnboardForm):
    """Another staff log-in for an existing supplier."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("name", "contact_name", "contact_phone"):
            del self.fields[name]
