"""Where a requested line is bought and at which price: the one decision the
cart, the checkout page and both placing paths share.

``LineRequest`` is a line as the buyer asks for it, wherever it is kept (a
cart in the session or in ``CartItem`` rows, the API's body, the checkout
form). ``lines_priced`` prices each from rows already read (no query): in a
shop that offers it at ``shops.calculations.line_price`` of the shop's
stored price, outside any shop at the list price when the SKU is buyable
(``Sku.is_buyable``), else not at all; a group-buying line (拼团, set by
``groupbuy``) at its campaign's price, outside any shop. Placing adds attribution and the
stock; the cart only shows the answer.
"""

from dataclasses import dataclass, replace

from catalog.models import Sku
from coupons.calculations import CouponLine, CouponRule, coupons_shares
from shops.calculations import LinePrice, line_price
from shops.models import Shop
from shops.selectors import ShopOffer


@dataclass(frozen=True)
class LineRequest:
    """One line as the buyer asks for it: a SKU, how many, and the shop (by
    its address) it is bought in, or None outside any shop."""

    sku_id: int
    quantity: int
    shop_slug: str | None = None
    # group buying (拼团): the campaign's unit price, set only by groupbuy's services (read under the group's
    # lock), never from a request body; such a line is bought outside any shop
    group_price_amount: int | None = None


@dataclass(frozen=True)
class PricedLine:
    """A requested line at the price it is bought at now."""

    request: LineRequest
    sku: Sku
    shop: Shop | None
    price: LinePrice

    @property
    def quantity(self) -> int:
        return self.price.quantity

    @property
    def price_amount(self) -> int:
        return self.price.unit_price_amount

    @property
    def list_price_amount(self) -> int:
        return self.price.list_price_amount

    @property
    def total_amount(self) -> int:
        return self.price.total_amount


def lines_priced(
    requested: list[LineRequest], *, skus: dict[int, Sku], shop_offers: dict[tuple[str, int], ShopOffer]
) -> list[PricedLine | None]:
    """Each requested line priced where it says it is bought, or None when it
    cannot be bought there: the SKU unknown, not offered by the named shop
    (``shop_offers``, as ``shop_sku_offers_many`` gives them), or, outside
    any shop, not buyable. ``skus`` come with ``product__supplier``. No query."""
    priced: list[PricedLine | None] = []
    for line in requested:
        sku = skus.get(line.sku_id)
        found = None
        # --- group buying (拼团): the campaign's price, outside any shop, when the SKU is buyable ---
        if line.group_price_amount is not None:
            if sku is not None and sku.is_buyable and not line.shop_slug:
                price = replace(
                    line_price(sku=sku, shop_price=None, quantity=line.quantity),
                    unit_price_amount=line.group_price_amount,
                )
                found = PricedLine(request=line, sku=sku, shop=None, price=price)
            priced.append(found)
            continue
        # --- end group buying ---
        if sku is not None and line.shop_slug:
            offer = shop_offers.get((line.shop_slug, sku.pk))
            if offer is not None:
                price = line_price(sku=sku, shop_price=offer.shop_price_amount, quantity=line.quantity)
                found = PricedLine(request=line, sku=sku, shop=offer.shop, price=price)
        elif sku is not None and sku.is_buyable:
            price = line_price(sku=sku, shop_price=None, quantity=line.quantity)
            found = PricedLine(request=line, sku=sku, shop=None, price=price)
        priced.append(found)
    return priced


# --- coupons (docs/coupons.md) ---------------------------------------------------------


def coupon_line(line: PricedLine) -> CouponLine:
    """What the coupon arithmetic reads of a priced line. ``is_flash``: the
    flash-sale helper's line attribute, when it lands (a coupon that does not
    combine with flash prices skips those lines); False until then."""
    return CouponLine(
        amount=line.total_amount,
        product_id=line.sku.product_id,
        category_id=line.sku.product.category_id,
        supplier_id=line.sku.product.supplier_id,
        is_flash=getattr(line.price, "is_flash", False),
    )


def lines_discounted_by_coupons(
    priced: list[PricedLine], rules: list[CouponRule]
) -> tuple[list[PricedLine], list[list[int]]]:
    """The one place an order's coupons meet its prices, after
    ``lines_priced``: each coupon's share of each line
    (``coupons.calculations.coupons_shares``: in proportion, rounded down,
    the remainder on the largest line), and the lines with their
    ``discount_amount`` (the shares added up), so what the buyer pays for a
    line is its price less its discount. No query."""
    if not rules:
        return priced, []
    shares = coupons_shares(rules, [coupon_line(line) for line in priced])
    discounted = [
        replace(line, price=replace(line.price, discount_amount=sum(share[at] for share in shares)))
        for at, line in enumerate(priced)
    ]
    return discounted, shares
