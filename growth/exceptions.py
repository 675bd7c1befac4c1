from django.utils.translation import gettext_lazy as _

from socialshop.errors import DomainError


class NotYourCustomer(DomainError):
    """Not bound to the caller now, or no such person: both answer the same."""

    code = "not_your_customer"
    http_status = 404
    default_message = _("No such customer.")
