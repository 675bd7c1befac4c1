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
    GROUP = "group", _("Group buying")  # a buying group (拼团) that did not fill cancels its paid orders


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


class Reason(models.TextChoices):
    """The reasons the system writes on status changes (and on the refunds
    a cancellation opens): the value, English and stable, is what is stored;
    the label is what people read. Reasons people type (a buyer's refund
    request, a supplier's note) are stored and shown as typed."""

    CANCELLED_BY_BUYER = "cancelled by the buyer", _("Cancelled by the buyer")
    CANCELLED_BY_OPERATOR = "cancelled by an operator", _("Cancelled by the platform")
    ORDER_CANCELLED = "order cancelled", _("The order was cancelled")
    NOT_PAID_IN_TIME = "not paid in time", _("Not paid in time")
    RECEIPT_CONFIRMED = "receipt confirmed", _("Receipt confirmed")
    EVERY_PARCEL_SHIPPED = "every parcel shipped", _("Every parcel has shipped")
    DELIVERED = "delivered", _("Delivered")
    DELIVERED_AUTOMATICALLY = "delivered automatically after shipping", _("Delivered (confirmed automatically)")
    EVERY_PARCEL_DELIVERED = "every parcel delivered", _("Every parcel has arrived")
    COMPLETED_AUTOMATICALLY = "completed automatically after delivery", _("Completed automatically after delivery")
    RETRY = "retry", _("Refund sent again")
    GROUP_NOT_FILLED = "group not filled in time", _("The group did not fill in time: refunded")
    GROUP_SEAT_NOT_PAID = "group seat not paid in time", _("The group seat was not paid in time")
    SUPERSEDED = (
        "order cancelled: its cancellation refunds this amount with the rest",
        _("Refunded with the rest of the cancelled order"),
    )


# reasons the system writes with a detail after a fixed start: "paid: sandbox SBX…", "refunded: RF…"
REASON_PAID = "paid: "
REASON_REFUNDED = "refunded: "


def reason_label(reason: str, *, parcel_shipped: bool = False) -> str:
    """A stored reason as people read it: the system's own in their language
    (rows written before the reasons had labels too, as their text is the
    same), a shipment as its carrier and tracking number, anything a person
    typed as typed."""
    labels = dict(Reason.choices)
    if reason in labels:
        return str(labels[reason])
    if reason.startswith(REASON_PAID):
        # "paid: <provider> <transaction id>": the provider's name is ours, not the buyer's business
        return _("Payment received (transaction %(id)s)") % {"id": reason.split()[-1]}
    if reason.startswith(REASON_REFUNDED):
        return _("Refunded (refund %(id)s)") % {"id": reason[len(REASON_REFUNDED) :].strip()}
    if parcel_shipped:  # "<carrier code> <tracking number>"
        code, _space, number = reason.partition(" ")
        if code in Carrier.values:
            return f"{Carrier(code).label} {number}"
    return reason


class RefundResolution(models.TextChoices):
    """What the buyer asks for (仅退款 / 退货退款): the supplier reads it before deciding."""

    REFUND_ONLY = "refund_only", _("Refund only")
    RETURN_AND_REFUND = "return_and_refund", _("Return and refund")


class RefundReason(models.TextChoices):
    """The reasons a buyer picks from on the refund page (the API may leave it blank)."""

    NOT_WANTED = "not_wanted", _("No longer wanted")
    NOT_RECEIVED = "not_received", _("Not received")
    QUALITY = "quality", _("Quality problem")
    NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
    MISSING_ITEMS = "missing_items", _("Missing items")
    DAMAGED = "damaged", _("Damaged in transit")
    WRONG_ITEM = "wrong_item", _("Wrong item or option sent")
    OTHER = "other", _("Other")


MAX_REFUND_PHOTOS = 3


class RefundKind(models.TextChoices):
    AFTER_SALES = "after_sales", _("After-sales request")
    CANCELLATION = "cancellation", _("Order cancelled")


B, S, OP, SYS, GROUP = Actor.BUYER, Actor.SUPPLIER, Actor.OPERATOR, Actor.SYSTEM, Actor.GROUP

ORDER_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (OrderStatus.PENDING_PAYMENT, OrderStatus.PAID): frozenset({SYS}),  # the payment callback
    (OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED): frozenset({B, OP, SYS}),  # SYS: unpaid too long
    # before anything shipped: full refund; GROUP: its buying group (拼团) did not fill in time (not SYS: no
    # batch sweep may cancel a paid order)
    (OrderStatus.PAID, OrderStatus.CANCELLED): frozenset({B, OP, GROUP}),
    (OrderStatus.PAID, OrderStatus.SHIPPED): frozenset({SYS}),  # when the last supplier ships
    (OrderStatus.SHIPPED, OrderStatus.DELIVERED): frozenset({SYS}),  # when the last parcel is delivered
    (OrderStatus.SHIPPED, OrderStatus.COMPLETED): frozenset({B}),  # the buyer confirms receipt
    (OrderStatus.DELIVERED, OrderStatus.COMPLETED): frozenset({B, SYS}),  # or N days after delivery
}

FULFILMENT_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (FulfilmentStatus.TO_SHIP, FulfilmentStatus.SHIPPED): frozenset({S, OP}),
    (FulfilmentStatus.TO_SHIP, FulfilmentStatus.CANCELLED): frozenset({B, OP, SYS, GROUP}),  # with its order
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
    CLOSED = "closed", _("Closed")


# the provider's callbacks move a session; a success after a failure or a close still counts (the money
# arrived: a success for a cancelled order is sent back, payment_notice_apply); an unpaid order's open
# sessions are closed at the provider when it is cancelled or expires
PAYMENT_SESSION_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (PaymentSessionStatus.OPEN, PaymentSessionStatus.FAILED): frozenset({SYS}),
    (PaymentSessionStatus.OPEN, PaymentSessionStatus.SUCCEEDED): frozenset({SYS}),
    (PaymentSessionStatus.FAILED, PaymentSessionStatus.SUCCEEDED): frozenset({SYS}),
    (PaymentSessionStatus.OPEN, PaymentSessionStatus.CLOSED): frozenset({SYS}),
    (PaymentSessionStatus.CLOSED, PaymentSessionStatus.SUCCEEDED): frozenset({SYS}),
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
