"""Statuses and the transition tables: the state machines as data.

Each table maps ``(from, to)`` to the kinds of actor that may make that
move; ``orders.services.states`` is the one writer and refuses anything
else (409 with the current state). docs/orders.md draws them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Actor(models.TextChoices):
    """Who makes a move (the audit row also keeps the user, when there is one)."""

    BUYER = "buyer", _("Buyer")
    SUPPLIER = "supplier", _("Supplier")
    OPERATOR = "operator", _("Operator")
    SYSTEM = "system", _("System")  # payment callbacks, periodic tasks


class OrderStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("Awaiting payment")
    PAID = "paid", _("Paid, to be shipped")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class FulfilmentStatus(models.TextChoices):
    """One supplier's share of an order (一件代发)."""

    TO_SHIP = "to_ship", _("To be shipped")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


class RefundStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved, being refunded")
    REJECTED = "rejected", _("Rejected")
    SUCCEEDED = "succeeded", _("Refunded")
    FAILED = "failed", _("Refund failed")
    # closed by the order's cancellation, which refunded its amount with the rest of the order
    SUPERSEDED = "superseded", _("Refunded by the order's cancellation")


class RefundKind(models.TextChoices):
    AFTER_SALES = "after_sales", _("After-sales request")
    CANCELLATION = "cancellation", _("Order cancelled")


B, S, OP, SYS = Actor.BUYER, Actor.SUPPLIER, Actor.OPERATOR, Actor.SYSTEM

ORDER_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (OrderStatus.PENDING_PAYMENT, OrderStatus.PAID): frozenset({SYS}),  # the payment callback
    (OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED): frozenset({B, OP, SYS}),  # SYS: unpaid too long
    (OrderStatus.PAID, OrderStatus.CANCELLED): frozenset({B, OP}),  # before anything shipped: full refund
    (OrderStatus.PAID, OrderStatus.SHIPPED): frozenset({SYS}),  # when the last supplier ships
    (OrderStatus.SHIPPED, OrderStatus.DELIVERED): frozenset({SYS}),  # when the last parcel is delivered
    (OrderStatus.SHIPPED, OrderStatus.COMPLETED): frozenset({B}),  # the buyer confirms receipt
    (OrderStatus.DELIVERED, OrderStatus.COMPLETED): frozenset({B, SYS}),  # or N days after delivery
}

FULFILMENT_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (FulfilmentStatus.TO_SHIP, FulfilmentStatus.SHIPPED): frozenset({S, OP}),
    (FulfilmentStatus.TO_SHIP, FulfilmentStatus.CANCELLED): frozenset({B, OP, SYS}),  # with its order
    (FulfilmentStatus.SHIPPED, FulfilmentStatus.DELIVERED): frozenset({S, OP, B, SYS}),  # B: receipt confirmed
}

REFUND_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (RefundStatus.REQUESTED, RefundStatus.APPROVED): frozenset({S, OP}),
    (RefundStatus.REQUESTED, RefundStatus.REJECTED): frozenset({S, OP}),
    (RefundStatus.APPROVED, RefundStatus.SUCCEEDED): frozenset({SYS}),  # the provider refunded
    (RefundStatus.APPROVED, RefundStatus.FAILED): frozenset({SYS}),
    (RefundStatus.FAILED, RefundStatus.APPROVED): frozenset({OP}),  # an operator retries
    # the paid order is cancelled (by its buyer or an operator) before the provider is asked for this
    # refund or after it said no: the cancellation refunds the amount instead. An approved refund is
    # never superseded: its provider call may be in flight, so it finishes and counts once
    (RefundStatus.REQUESTED, RefundStatus.SUPERSEDED): frozenset({B, OP}),
    (RefundStatus.FAILED, RefundStatus.SUPERSEDED): frozenset({B, OP}),
}

# refunds that a paid order's cancellation closes and refunds itself (never ``approved``: see above)
REFUND_SUPERSEDABLE = (RefundStatus.REQUESTED, RefundStatus.FAILED)

# refunds that still hold part of a line's paid amount
REFUND_OPEN = (RefundStatus.REQUESTED, RefundStatus.APPROVED, RefundStatus.FAILED)


class PaymentSessionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


# the provider's callbacks move a session; a success after a failure still counts (the money arrived)
PAYMENT_SESSION_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (PaymentSessionStatus.OPEN, PaymentSessionStatus.FAILED): frozenset({SYS}),
    (PaymentSessionStatus.OPEN, PaymentSessionStatus.SUCCEEDED): frozenset({SYS}),
    (PaymentSessionStatus.FAILED, PaymentSessionStatus.SUCCEEDED): frozenset({SYS}),
}


class PaymentIssueKind(models.TextChoices):
    """What an operator must look at: money that arrived and could not be
    applied as it came."""

    AMOUNT_MISMATCH = "amount_mismatch", _("Amount differs from the order")
    CURRENCY_MISMATCH = "currency_mismatch", _("Currency differs from the order")
    PAID_AFTER_CANCEL = "paid_after_cancel", _("Paid after the order was cancelled (refunded)")
    PAID_TWICE = "paid_twice", _("Paid a second time (refunded)")


class Carrier(models.TextChoices):
    SF = "SF", _("SF Express")
    ZTO = "ZTO", _("ZTO Express")
    YTO = "YTO", _("YTO Express")
    STO = "STO", _("STO Express")
    YD = "YD", _("Yunda Express")
    JT = "JT", _("J&T Express")
    JD = "JD", _("JD Logistics")
    EMS = "EMS", _("EMS")
    OTHER = "OTHER", _("Other carrier")


CARRIER_NAMES_ZH = {
    "顺丰": Carrier.SF,
    "顺丰速运": Carrier.SF,
    "中通": Carrier.ZTO,
    "中通快递": Carrier.ZTO,
    "圆通": Carrier.YTO,
    "圆通速递": Carrier.YTO,
    "申通": Carrier.STO,
    "申通快递": Carrier.STO,
    "韵达": Carrier.YD,
    "韵达快递": Carrier.YD,
    "极兔": Carrier.JT,
    "极兔速递": Carrier.JT,
    "京东": Carrier.JD,
    "京东物流": Carrier.JD,
    "邮政": Carrier.EMS,
    "中国邮政": Carrier.EMS,
    "其他": Carrier.OTHER,
}


def carrier_parse(text: str) -> str | None:
    """A carrier as a person types it in a CSV: its code (``SF``) or its
    Chinese name (``顺丰``); None when unknown."""
    value = (text or "").strip()
    if value.upper() in Carrier.values:
        return value.upper()
    return CARRIER_NAMES_ZH.get(value)
