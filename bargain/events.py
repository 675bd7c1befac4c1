"""Bargaining events (outbox, ``socialshop.events``), written in the
transaction of the change, for the apps above to act on.

| type | payload |
| --- | --- |
| ``bargain.helped`` | ``bargain_id``, ``starter_id``, ``helper_id``, ``cut_amount``, ``price_amount``, ``helps_left`` |
| ``bargain.bought`` | ``bargain_id``, ``starter_id``, ``order_id``, ``price_amount`` |

Money needs no event of its own: the bargain's order is paid and posted like
any other, and its line carries the campaign's commission share into the
payment's snapshot (``order.paid``'s ``flash_commission_shares``).
"""

bargain_helped = "bargain.helped"
bargain_bought = "bargain.bought"

BARGAIN_EVENTS = [bargain_helped, bargain_bought]
