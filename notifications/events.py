"""The one event notifications writes itself: a supplier's digest of parcels to ship.

| type | aggregate | payload |
| --- | --- | --- |
| ``notifications.ship_digest`` | ``supplier`` | ``supplier_id``, ``orders``: order numbers paid since the last one |
"""

SHIP_DIGEST = "notifications.ship_digest"
