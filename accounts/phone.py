"""Mainland China mobile numbers: validated with ``phonenumbers`` (Google's
libphonenumber metadata, kept current with new number ranges), stored as
the 11-digit national number, shown masked to anyone but their owner."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MOBILE_TYPES = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}


def normalize_mainland_mobile(value: str) -> str:
    """``"+86 138-0013-8000"`` → ``"13800138000"``; raises ValidationError for
    anything that is not a mainland mobile number."""
    raw = (value or "").strip()
    try:
        number = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException as error:
        raise ValidationError(_("Enter a mainland China mobile number."), code="invalid_phone") from error
    if (
        number.country_code != 86
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) not in MOBILE_TYPES
    ):
        raise ValidationError(_("Enter a mainland China mobile number."), code="invalid_phone")
    return str(number.national_number)


def validate_mainland_mobile(value: str) -> None:
    normalize_mainland_mobile(value)


def mask_phone(phone: str | None) -> str:
    """``13800138000`` → ``138****8000``: what a team page shows of others
    (and every log line of ours). A user with no number yet (WeChat) shows ""."""
    phone = phone or ""
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"


def mask_name(name: str) -> str:
    """``张三丰`` → ``张**``: first character kept, the rest hidden."""
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)
