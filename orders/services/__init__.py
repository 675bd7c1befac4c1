"""The only writers of orders, one module per flow: ``states`` (the one
writer of every status), ``placing``, ``lifecycle`` (cancel, receipt,
expiry, completion), ``payments``, ``fulfilment``, ``refunds``, ``carts``,
``addresses``."""
