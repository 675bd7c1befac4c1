"""Shipping addresses: checked against China's real divisions and a mainland
mobile number, saved to the account for next time."""

from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.phone import normalize_mainland_mobile

from ..exceptions import InvalidAddress
from ..models import Address
from ..regions import region_path


@dataclass(frozen=True)
class ShippingAddress:
    """An address as a form or the API gives it (codes from ``orders.regions``)."""

    recipient_name: str
    phone: str
    province_code: str
    city_code: str
    district_code: str
    street: str


def shipping_address_clean(address: ShippingAddress) -> dict:
    """The address's fields ready for a row (phone normalised, the region's
    names added as ``region_label``), or InvalidAddress naming each bad field.
    No query."""
    errors: dict[str, list[str]] = {}
    name = (address.recipient_name or "").strip()
    street = (address.street or "").strip()
    if not 1 <= len(name) <= 30:
        errors["recipient_name"] = [_("Enter the recipient's name (at most 30 characters).")]
    if not 4 <= len(street) <= 120:
        errors["street"] = [_("Enter the street, building and room (4 to 120 characters).")]
    try:
        phone = normalize_mainland_mobile(address.phone)
    except ValidationError:
        errors["phone"] = [_("Enter a mainland China mobile number.")]
        phone = ""
    path = region_path(
        province_code=(address.province_code or "").strip(),
        city_code=(address.city_code or "").strip(),
        district_code=(address.district_code or "").strip(),
    )
    if path is None:
        errors["district_code"] = [_("Choose a province, a city and a district that belong together.")]
    if errors:
        raise InvalidAddress(fields=errors)
    return {
        "recipient_name": name,
        "phone": phone,
        "province_code": path.province.code,
        "city_code": path.city.code,
        "district_code": path.district.code if path.district else "",
        "region_label": path.label,
        "street": street,
    }


def address_save(*, user: User, address: ShippingAddress) -> Address:
    """Keep the address on the account for next time; the same address again
    only moves to the top of the list."""
    fields = shipping_address_clean(address)
    existing = Address.objects.filter(user=user, **fields).first()
    if existing is not None:
        existing.save(update_fields=["last_used_at"])
        return existing
    return Address.objects.create(user=user, **fields)


def address_delete(*, user: User, address_id: int) -> None:
    Address.objects.filter(user=user, pk=address_id).delete()


def address_as_input(address: Address) -> ShippingAddress:
    return ShippingAddress(**{name: getattr(address, name) for name in asdict(ShippingAddress("", "", "", "", "", ""))})
