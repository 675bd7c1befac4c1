"""The orders app's domain errors: each has a stable ``code`` that clients
may rely on (docs/orders.md lists them)."""

from django.utils.translation import gettext_lazy as _

from socialshop.errors import Conflict, DomainError
from socialshop.money import AMOUNT_ERRORS


class InvalidTransition(Conflict):
    """A move the state machine does not declare; carries ``current_state``."""

    code = "invalid_transition"
    default_message = _("The order is not in a state that allows this.")


class OutOfStock(Conflict):
    code = "out_of_stock"
    default_message = _("Not enough in stock.")


class NotBuyable(DomainError):
    """A SKU that cannot be bought where the line says (not on sale, not in
    that shop, the shop closed)."""

    code = "not_buyable"
    default_message = _("This item cannot be bought here any more.")


class EmptyOrder(DomainError):
    code = "empty_order"
    default_message = _("An order needs at least one item.")


class InvalidAddress(DomainError):
    code = "invalid_address"
    default_message = _("Check the shipping address.")


class OrderExpired(Conflict):
    code = "order_expired"
    default_message = _("This order was not paid in time; place it again.")


class CancelNotAllowed(Conflict):
    code = "cancel_not_allowed"
    default_message = _("The order can no longer be cancelled: part of it has shipped. Ask for a refund instead.")


class RefundNotAllowed(Conflict):
    code = "refund_not_allowed"
    default_message = _("A refund cannot be asked for this order now.")


class RefundRequestInvalid(DomainError):
    """A refund request's choice not on the list, or more photos than allowed (400)."""

    code = "refund_request_invalid"
    default_message = _("Choose from the list.")


class RefundNotPositive(DomainError):
    code = "refund_not_positive"
    default_message = AMOUNT_ERRORS["amount_not_positive"]


class RefundTooLarge(DomainError):
    code = "refund_exceeds_paid"
    default_message = _("The refund is more than what is left to refund on this item.")


class PaymentSignatureInvalid(DomainError):
    code = "invalid_signature"
    default_message = _("The callback's signature is not valid.")


class PaymentMismatch(DomainError):
    """A callback whose amount or currency is not the order's: refused, and
    flagged for an operator."""

    code = "payment_mismatch"
    default_message = _("The paid amount or currency does not match the order.")


class PaymentUnknown(DomainError):
    code = "payment_unknown"
    http_status = 404
    default_message = _("No such payment.")


class ShipmentInvalid(DomainError):
    code = "invalid_shipment"
    default_message = _("Give a known carrier and a tracking number.")


class PaymentProviderUnavailable(DomainError):
    """The gateway did not answer, or refused to open the payment."""

    code = "payment_provider_unavailable"
    http_status = 503
    default_message = _("The payment service is not answering. Please try again in a moment.")


class PaymentMethodUnknown(DomainError):
    code = "payment_method_unknown"
    default_message = _("This way of paying is not offered here.")
