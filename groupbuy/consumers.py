"""Order events → group buying (socialshop/events.py): a member's payment
counts toward its group (the N-th fills it), a full refund refunds the
member. Each handler calls an idempotent service."""

from django.utils.translation import gettext_lazy as _

from orders.events import order_paid, order_refunded
from socialshop.events import Event, event_consumer_register

from .services import member_paid, member_refunded


def groupbuy_handle(event: Event) -> str:
    if event.type == order_paid:
        if not event.payload.get("awaiting_group"):
            return "not a group order"
        return member_paid(order_id=event.payload["order_id"])
    return member_refunded(order_id=event.payload["order_id"])


def register() -> None:
    event_consumer_register(
        name="groupbuy",
        label=_("Group buying: payments and refunds of members"),
        event_types=[order_paid, order_refunded],
        handle=groupbuy_handle,
    )
