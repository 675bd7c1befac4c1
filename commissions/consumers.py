"""Order events → the commission engine (socialshop/events.py): each handler
calls one idempotent service and says what it did, which the event's
receipt keeps (a paid order that earned nobody anything says why)."""

from django.utils.translation import gettext_lazy as _

from groupbuy.events import group_failed, group_succeeded
from orders.events import order_completed, order_paid, order_refunded
from socialshop.events import Event, event_consumer_register

from .services.accrual import (
    commission_decision_reason,
    commissions_create_for_order,
    commissions_follow_refund,
    commissions_mature,
)
from .services.grades import grades_evaluate_for_order


def commissions_handle(event: Event) -> str:
    payload = event.payload
    if event.type == order_paid:
        if payload.get("awaiting_group"):  # group buying: decided when its group fills or fails
            return "waits for its group"
        commissions_create_for_order(
            order_id=payload["order_id"],
            earners=payload.get("earners"),
            flash_commission_shares=payload.get("flash_commission_shares"),
            grades=payload.get("grades"),
        )
        return commission_decision_reason(order_id=payload["order_id"])
    if event.type in (group_succeeded, group_failed):
        return _group_decided(event)
    if event.type == order_refunded:
        return f"{commissions_follow_refund(refund_id=payload['refund_id'])} commissions follow the refund"
    return f"{commissions_mature(order_id=payload['order_id'])} commissions mature"


def _group_decided(event: Event) -> str:
    """Group buying (拼团): a filled group's orders earn what the campaign
    says (a share of the full commission, from each payment's snapshot of
    who earns); a failed group's orders earn nothing, and that is recorded."""
    payload = event.payload
    filled = event.type == group_succeeded
    share = payload.get("commission_bps", 0) if filled else 0
    reason = "the group campaign pays no commission" if filled else "its group did not fill"
    made = sum(
        commissions_create_for_order(order_id=order_id, share_bps=share, reason_if_none=reason)
        for order_id in payload["order_ids"]
    )
    return f"{made} commissions on {len(payload['order_ids'])} group orders"


def register() -> None:
    event_consumer_register(
        name="commissions",
        label=_("Commissions and their ledger postings"),
        event_types=[order_paid, order_refunded, order_completed, group_succeeded, group_failed],
        handle=commissions_handle,
    )


def grades_handle(event: Event) -> str:
    """An order attributed to resellers was paid, completed or refunded: their
    own figures moved, so their grades are evaluated again (idempotent: an
    evaluation that finds nothing to change records nothing)."""
    changed = grades_evaluate_for_order(order_id=event.payload["order_id"])
    return f"{changed} grades changed"


def grades_register() -> None:
    event_consumer_register(
        name="grades",
        label=_("Reseller grades follow their own results"),
        event_types=[order_paid, order_refunded, order_completed],
        handle=grades_handle,
    )
