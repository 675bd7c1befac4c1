"""Order events → bargaining (socialshop/events.py): a bargain's order paid
makes it bought. A cancelled order has no event: the beat's sweep (and the
next help or purchase) reopens its bargain."""

from django.utils.translation import gettext_lazy as _

from orders.events import order_paid
from socialshop.events import Event, event_consumer_register

from .services import bargain_order_paid


def bargain_handle(event: Event) -> str:
    return bargain_order_paid(order_id=event.payload["order_id"])


def register() -> None:
    event_consumer_register(
        name="bargain",
        label=_("Bargaining: payments of bargain orders"),
        event_types=[order_paid],
        handle=bargain_handle,
    )
