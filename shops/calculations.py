"""Pure money rules of a shop's prices (integer fen)."""


def effective_price(*, list_price: int, min_resale: int, max_resale: int, shop_price: int | None) -> int:
    """What a buyer pays in a shop for one unit of a SKU.

    Without a shop price it is the list price. A shop price is kept within
    the SKU's *current* resale bounds: services refuse prices outside them,
    and when a supplier later narrows the bounds the stored price is clamped
    here, on reading, so a buyer never sees a price the supplier forbids.
    """
    if shop_price is None:
        return list_price
    return min(max(shop_price, min_resale), max_resale)


def markup(*, price: int, list_price: int) -> int:
    """The shop's markup (加价, DESIGN §3): its price − the list price; negative
    when the reseller sells below the list price."""
    return price - list_price
