"""Pure money rules of a shop's prices (integer fen)."""

from dataclasses import dataclass
from typing import Protocol


class PricedSku(Protocol):
    """What pricing reads of a SKU (``catalog.models.Sku`` has it)."""

    list_price_amount: int
    min_resale_amount: int
    max_resale_amount: int


@dataclass(frozen=True)
class LinePrice:
    """What a buyer pays for a line: per unit, how many, less any discount."""

    unit_price_amount: int
    list_price_amount: int
    quantity: int
    discount_amount: int = 0

    @property
    def total_amount(self) -> int:
        return self.unit_price_amount * self.quantity - self.discount_amount


def line_price(*, sku: PricedSku, shop_price: int | None, quantity: int = 1) -> LinePrice:
    """The one pricing of a line, wherever a price is shown or charged (the
    product page, the cart, checkout, the API, both placing paths).

    Without a shop price a unit costs the list price. A shop price is kept
    within the SKU's *current* resale bounds: services refuse prices outside
    them, and when a supplier later narrows the bounds the stored price is
    clamped here, on reading, so a buyer never sees a price the supplier
    forbids. No discounts yet (``discount_amount`` 0): they belong here.
    """
    if shop_price is None:
        unit = sku.list_price_amount
    else:
        unit = min(max(shop_price, sku.min_resale_amount), sku.max_resale_amount)
    return LinePrice(unit_price_amount=unit, list_price_amount=sku.list_price_amount, quantity=quantity)


def markup(*, price: int, list_price: int) -> int:
    """The shop's markup (加价, DESIGN §3): its price − the list price; negative
    when the reseller sells below the list price."""
    return price - list_price
