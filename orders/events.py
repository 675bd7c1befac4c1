"""Order events, for the apps above ``orders`` (commissions, webhooks), which
``orders`` itself never imports (docs/architecture.md, docs/events.md).

Each event is a row of the transactional outbox (``socialshop.events``),
written in the same transaction as the change it records: if the change
commits, so does the event, and every consumer gets it exactly once,
whatever happens to the broker or the workers afterwards.

| type | payload |
| --- | --- |
| ``order.paid`` | ``order_id``, ``earners`` (who earns, at payment), ``grades``, ``flash_commission_shares`` |
| ``order.shipped`` | ``order_id``, ``fulfilment_group_id`` |
| ``order.completed`` | ``order_id`` |
| ``order.refunded`` | ``order_id``, ``refund_id`` |
| ``refund.approved`` | ``order_id``, ``refund_id``: the provider is to be asked (orders' own consumer) |
| ``payment.issue`` | ``order_id``, ``issue_id``: money to send back (orders' own consumer) |
| ``payment.close`` | ``order_id``: an unpaid order ended; close its payments at the gateway (orders' own consumer) |
| ``refund.requested`` | ``order_id``, ``refund_id``: a buyer asks for money back (notifications) |
| ``refund.rejected`` | ``order_id``, ``refund_id``: the request was refused (notifications) |

``earners`` maps each attributed reseller (as a string, JSON's keys) to its
upline as it stood in the payment's transaction, tier 1 first, three deep at
most: ``[[reseller_id, active], …]``. The commission engine computes from it
only, so a tree move, a freeze or a late worker never changes who earns.

``grades`` (only present when an earner holds a grade) maps each earner
who holds one (a string) to ``{"id", "name", "rates"}``: its grade and the
per-tier rates (basis points, None for the plan's) in force as the payment
commits, read by the reader the commission engine registers
(``orders.services.payments.earner_terms_source_set``); the engine pays from it.

``flash_commission_shares`` (only present when the order has attributed
flash-sale lines) maps each such line's id (a string) to the share of the
plan's commission it earns, in basis points: 10000 full, less a campaign's
lower rate, 0 none (docs/flash-sales.md).
"""

from socialshop.events import event_emit

order_paid = "order.paid"
order_shipped = "order.shipped"
order_completed = "order.completed"
order_refunded = "order.refunded"
refund_approved = "refund.approved"
payment_issue = "payment.issue"
payment_close = "payment.close"
refund_requested = "refund.requested"
refund_rejected = "refund.rejected"

ORDER_EVENTS = [order_paid, order_shipped, order_completed, order_refunded]


def order_event_emit(event_type: str, *, order_id: int, **payload) -> None:
    """Record an order event in the current transaction (one INSERT); its
    consumers are woken once it commits."""
    event_emit(
        type=event_type, aggregate_type="order", aggregate_id=order_id, payload={"order_id": order_id, **payload}
    )
