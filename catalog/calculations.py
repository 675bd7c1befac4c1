"""Pure rules over SKU money (integer fen), shared by forms, services and the API."""

from django.utils.translation import gettext as _


def price_bound_errors(*, cost: int, min_resale: int, list_price: int, max_resale: int) -> dict[str, list[str]]:
    """Field → messages for prices that break ``0 ≤ cost ≤ lowest resale ≤ list
    ≤ highest resale`` with a lowest resale price of at least one fen (nothing
    is sold for free); empty when they hold. Each message names the field it
    is compared with, so a supplier sees which number to change."""
    errors: dict[str, list[str]] = {}
    if cost < 0:
        errors.setdefault("cost_amount", []).append(_("The cost cannot be negative."))
    if min_resale < cost:
        errors.setdefault("min_resale_amount", []).append(_("The lowest resale price cannot be below the cost."))
    elif min_resale < 1:
        errors.setdefault("min_resale_amount", []).append(
            _("Nothing is sold for free: the lowest resale price is at least ¥0.01.")
        )
    if list_price < min_resale:
        errors.setdefault("list_price_amount", []).append(_("The list price cannot be below the lowest resale price."))
    if max_resale < list_price:
        errors.setdefault("max_resale_amount", []).append(_("The highest resale price cannot be below the list price."))
    return errors
