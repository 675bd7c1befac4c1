"""Forms of the coupon pages, the admin and the supplier portal."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.phone import normalize_mainland_mobile
from socialshop.forms import YuanField
from socialshop.money import BASIS_POINTS

from .choices import CouponFunder, CouponKind
from .models import Coupon

MAX_ISSUE = 1_000  # users per bulk issue


class CouponForm(forms.ModelForm):
    """A coupon with its money typed in yuan."""

    threshold_amount = YuanField(label=_("Threshold (yuan)"), required=False)
    off_amount = YuanField(label=_("Amount off (yuan)"), required=False)
    cap_amount = YuanField(label=_("At most off (yuan)"), required=False)

    class Meta:
        model = Coupon
        fields = [
            "name",
            "kind",
            "threshold_amount",
            "off_amount",
            "percent_off_bps",
            "cap_amount",
            "scope",
            "category",
            "supplier",
            "products",
            "valid_from",
            "valid_until",
            "valid_days",
            "total_limit",
            "per_person_limit",
            "combines_with_flash",
            "funder",
            "funder_supplier",
            "funder_reseller",
            "code",
            "in_centre",
            "on_sign_up",
            "is_active",
        ]

    def clean(self):
        """The rules the database's checks hold, as form errors (a refused
        save is no page of errors)."""
        cleaned = super().clean()
        for name in ("threshold_amount", "off_amount", "cap_amount"):
            if cleaned.get(name) is None:
                cleaned[name] = 0
        kind, funder = cleaned.get("kind"), cleaned.get("funder")
        if kind == CouponKind.PERCENT_OFF:
            if not 0 < (cleaned.get("percent_off_bps") or 0) < BASIS_POINTS:
                self.add_error("percent_off_bps", _("Between 1 and 9999 basis points."))
            if cleaned["cap_amount"] <= 0:
                self.add_error("cap_amount", _("A percentage off needs a cap."))
        elif cleaned["off_amount"] <= 0:
            self.add_error("off_amount", _("The amount off must be more than 0."))
        if kind == CouponKind.AMOUNT_OFF and cleaned["threshold_amount"] <= cleaned["off_amount"]:
            self.add_error("threshold_amount", _("The threshold must be higher than the amount off."))
        if kind == CouponKind.NO_THRESHOLD and cleaned["threshold_amount"]:
            self.add_error("threshold_amount", _("A no-threshold coupon has no threshold."))
        if funder == CouponFunder.SUPPLIER and not cleaned.get("funder_supplier"):
            self.add_error("funder_supplier", _("Name the supplier that funds it."))
        if funder == CouponFunder.RESELLER and not cleaned.get("funder_reseller"):
            self.add_error("funder_reseller", _("Name the reseller that funds it."))
        if not cleaned.get("valid_days") and not cleaned.get("valid_until"):
            self.add_error("valid_until", _("Give an end date or a number of days after claiming."))
        return cleaned


class IssueForm(forms.Form):
    """Bulk issue: the users' mobile numbers, one a line."""

    phones = forms.CharField(
        label=_("Mobile numbers, one a line"), widget=forms.Textarea(attrs={"rows": 8}), max_length=20 * MAX_ISSUE
    )

    def clean_phones(self) -> list[User]:
        numbers, bad = [], []
        for raw in self.cleaned_data["phones"].split():
            try:
                numbers.append(normalize_mainland_mobile(raw))
            except ValidationError:
                bad.append(raw)
        if bad:
            raise forms.ValidationError(
                _("Not a mainland mobile number: %(numbers)s") % {"numbers": ", ".join(bad[:5])}
            )
        if len(numbers) > MAX_ISSUE:
            raise forms.ValidationError(_("At most %(count)d users at once.") % {"count": MAX_ISSUE})
        users = list(User.objects.filter(phone__in=numbers).order_by("pk"))
        missing = sorted(set(numbers) - {user.phone for user in users})
        if missing:
            raise forms.ValidationError(
                _("No account has these numbers: %(numbers)s") % {"numbers": ", ".join(missing[:5])}
            )
        return users


class SupplierCouponForm(forms.Form):
    """A supplier's own coupon, in its portal."""

    name = forms.CharField(label=_("Name"), max_length=60)
    threshold_amount = YuanField(label=_("Threshold (yuan)"), required=False, help_text=_("Empty: no threshold."))
    off_amount = YuanField(label=_("Amount off (yuan)"), positive=True)
    valid_days = forms.IntegerField(label=_("Valid for days after claiming"), min_value=1, max_value=365, initial=30)
    total_limit = forms.IntegerField(label=_("At most issued"), min_value=1, max_value=1_000_000, required=False)
    in_centre = forms.BooleanField(label=_("Shown in the coupon centre"), required=False, initial=True)


class ResellerCodeForm(forms.Form):
    """A reseller's own promo code, on its page (优惠码): the discount in
    yuan; the rules (how many, a code free, below the threshold) are
    ``reseller_code_create``'s."""

    code = forms.CharField(label=_("Code"), max_length=20, help_text=_("4 to 20 letters and digits."))
    name = forms.CharField(
        label=_("Shown to buyers as"), max_length=60, required=False, help_text=_("Empty: the code.")
    )
    threshold_amount = YuanField(label=_("Threshold (yuan)"), required=False, help_text=_("Empty: no threshold."))
    off_amount = YuanField(label=_("Amount off (yuan)"), positive=True)
    valid_days = forms.IntegerField(label=_("Valid for days after claiming"), min_value=1, max_value=365, initial=30)
