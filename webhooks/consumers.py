"""Order events → partners' webhooks (socialshop/events.py)."""

from django.utils.translation import gettext_lazy as _

from orders.events import ORDER_EVENTS
from socialshop.events import Event, event_consumer_register

from .services import order_event_publish


def webhooks_handle(event: Event) -> str:
    ids = {name: event.payload.get(name) for name in ("fulfilment_group_id", "refund_id")}
    delivered = order_event_publish(
        event_type=event.type, order_id=event.payload["order_id"], source_event_id=event.pk, **ids
    )
    return f"{len(delivered)} deliveries"


def register() -> None:
    event_consumer_register(
        name="webhooks", label=_("Partners' webhooks"), event_types=ORDER_EVENTS, handle=webhooks_handle
    )
