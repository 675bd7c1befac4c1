"""Order events → the commission engine (socialshop/events.py): each handler
calls one idempotent service and says what it did, which the event's
receipt keeps (a paid order that earned nobody anything says why)."""

from django.utils.translation import gettext_lazy as _

from orders.events import order_completed, order_paid, order_refunded
from socialshop.events import Event, event_consumer_register

from .services.accrual import (
    commission_decision_reason,
    commissions_create_for_order,
    commissions_follow_refund,
    commissions_mature,
)


def commissions_handle(event: Event) -> str:
    payload = event.payload
    if event.type == order_paid:
        commissions_create_for_order(
            order_id=payload["order_id"],
            earners=payload.get("earners"),
            flash_commission_shares=payload.get("flash_commission_shares"),
        )
        return commission_decision_reason(order_id=payload["order_id"])
    if event.type == order_refunded:
        return f"{commissions_follow_refund(refund_id=payload['refund_id'])} commissions follow the refund"
    return f"{commissions_mature(order_id=payload['order_id'])} commissions mature"


def register() -> None:
    event_consumer_register(
        name="commissions",
        label=_("Commissions and their ledger postings"),
        event_types=[order_paid, order_refunded, order_completed],
        handle=commissions_handle,
    )
