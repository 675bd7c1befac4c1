"""Group-buying events (outbox, ``socialshop.events``), written in the
transaction of the change; the apps above (commissions, notifications)
register consumers for them.

| type | payload |
| --- | --- |
| ``group.member_paid`` | ``group_id``, ``member_id``, ``buyer_id``, ``seats_left`` |
| ``group.succeeded`` | ``group_id``, ``order_ids``, ``buyer_ids``, ``commission_mode``, ``commission_bps`` |
| ``group.failed`` | ``group_id``, ``order_ids``, ``buyer_ids``, ``reason`` (``not_filled``) |

``commission_bps`` is the share of the normal commission the group's orders
earn (10000 full, 0 none); on ``group.failed`` every paid member is refunded.
"""

group_member_paid = "group.member_paid"
group_succeeded = "group.succeeded"
group_failed = "group.failed"

GROUP_EVENTS = [group_member_paid, group_succeeded, group_failed]
