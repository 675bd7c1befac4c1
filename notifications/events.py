"""The events notifications writes itself, from its beat tasks: a supplier's
digest of parcels to ship, a reseller's bound customers about to expire.

| type | aggregate | payload |
| --- | --- | --- |
| ``notifications.bindings_expiring`` | ``reseller`` | ``reseller_id``, ``count``, ``until`` (when the last ends) |
| ``notifications.ship_digest`` | ``supplier`` | ``supplier_id``, ``orders``: order numbers paid since the last one |
"""

SHIP_DIGEST = "notifications.ship_digest"

BINDINGS_EXPIRING = "notifications.bindings_expiring"
