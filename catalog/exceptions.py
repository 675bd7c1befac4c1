from django.utils.translation import gettext_lazy as _

from socialshop.errors import Conflict, DomainError


class InvalidPriceBounds(DomainError):
    code = "invalid_price_bounds"
    default_message = _("Prices must satisfy: cost ≤ lowest resale price ≤ list price ≤ highest resale price.")


class InvalidProductTransition(Conflict):
    code = "invalid_transition"
    default_message = _("The product cannot move to that status from its current one.")
