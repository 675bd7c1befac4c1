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

A flash-sale line (秒杀, the ``flash`` app) carries ``FlashTerms``, which
that app sets from its own rows once the buyer was admitted (never from
what a buyer sent): ``lines_priced`` prices it at the flash price and marks
it (``PricedLine.is_flash``), so a coupon can tell. A bargain's line (砍价,
the ``bargain`` app) is priced by the same case: ``bargain_buy`` sets the
terms from the locked bargain (its price, its campaign's commission share,
no coupons).
"""

from dataclasses import dataclass, replace

from catalog.models import Sku
from coupons.calculations import CouponLine, CouponRule, coupons_shares
from shops.calculations import LinePrice, line_price
from shops.models import Shop
from shops.selectors import ShopOffer

# --- flash sales (秒杀): the flash app's terms for one line -----------------------------------


@dataclass(frozen=True)
class FlashTerms:
    """A flash-sale line's terms, from the campaign (``flash.models``):
    the unit price, and the share of the plan's commission the line earns
    (``BASIS_POINTS`` full, less for a lower rate, 0 none), which the line
    keeps and the payment's snapshot records."""

    price_amount: int
    commission_share_bps: int
    coupons_apply: bool = False


# --- end flash sales ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LineRequest:
    """One line as the buyer asks for it: a SKU, how many, and the shop (by
    its address) it is bought in, or None outside any shop. ``flash``: set
    only by the flash app for an admitted buyer (see the module)."""

    sku_id: int
    quantity: int
    shop_slug: str | None = None
    # group buying (拼团): the campaign's unit price, set only by groupbuy's services (read under the group's
    # lock), never from a request body; such a line is bought outside any shop
    group_price_amount: int | None = None
    # whether the group's campaign lets coupons apply to the line (its ``coupons_apply``), set with the price
    group_coupons_apply: bool = False
    # flash sales: the campaign's terms, set only by flash's services from an admission (and by bargain's from a
    # locked bargain: a campaign's price, docs/bargaining.md)
    flash: FlashTerms | None = None


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

    @property
    def is_flash(self) -> bool:
        """A flash-sale line, at the campaign's price (coupons read it)."""
        return self.request.flash is not None


def lines_priced(
    requested: list[LineRequest], *, skus: dict[int, Sku], shop_offers: dict[tuple[str, int], ShopOffer]
) -> list[PricedLine | None]:
    """Each requested line priced where it says it is bought, or None when it
    cannot be bought there: the SKU unknown, not offered by the named shop
    (``shop_offers``, as ``shop_sku_offers_many`` gives them), or, outside
    any shop, not buyable. A flash line (``LineRequest.flash``) costs the
    flash price wherever it is bought, and needs a buyable SKU (and the
    shop's offer when it names a shop). ``skus`` come with
    ``product__supplier``. No query."""
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
        # --- flash sales: the campaign's price, in the shop named if it offers the SKU, else outside any
        if sku is not None and line.flash is not None:
            if sku.is_buyable and (not line.shop_slug or (line.shop_slug, sku.pk) in shop_offers):
                offer = shop_offers.get((line.shop_slug, sku.pk)) if line.shop_slug else None
                price = LinePrice(
                    unit_price_amount=line.flash.price_amount,
                    list_price_amount=sku.list_price_amount,
                    quantity=line.quantity,
                )
                found = PricedLine(request=line, sku=sku, shop=offer.shop if offer else None, price=price)
        # --- end flash sales
        elif sku is not None and line.shop_slug:
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
    """What the coupon arithmetic reads of a priced line. A flash line takes
    a coupon only when the coupon combines with flash prices and the flash
    campaign lets coupons apply; a group-buying line only when its campaign
    lets coupons apply (``Campaign.coupons_apply``)."""
    return CouponLine(
        amount=line.total_amount,
        product_id=line.sku.product_id,
        category_id=line.sku.product.category_id,
        supplier_id=line.sku.product.supplier_id,
        is_flash=line.is_flash,
        refuses_coupons=(line.is_flash and not line.request.flash.coupons_apply)
        or (line.request.group_price_amount is not None and not line.request.group_coupons_apply),
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
