"""Placing an order: the one service the checkout page and the API share.

In one transaction, in a constant number of SQL statements whatever the
size of the catalogue, the tree or the order (tests assert it):

1. lock the SKUs, **in id order** (``… ORDER BY id FOR UPDATE``), so two
   checkouts of overlapping carts never deadlock;
2. price every line where it is bought (``orders.pricing.lines_priced``, as
   the cart does): in a shop at that shop's price, outside any shop at the
   list price;
3. attribute every line (DESIGN §3): bought in a shop → the shop's owner;
   outside any shop → the reseller the buyer's binding points to now (read
   only then);
4. check the stock on the locked rows, then take it with **one conditional
   update** (``catalog.stock``, the one writer of stock: ``stock = stock − q``
   only where ``stock >= q``); fewer rows updated than SKUs means someone
   else was faster, and the whole order rolls back (``CHECK stock >= 0``
   backs it);
5. write the order, one fulfilment group per supplier (一件代发) and the
   lines with their snapshots.

Steps 2–4 are decided here, once, in Python. Reading (1–3) and writing
(4–5) go through a ``PlacingStore`` chosen once per order by
``placing_store``: on PostgreSQL ``placing_pg.SqlStore`` (one prepared
statement reads and one writes), elsewhere ``OrmStore`` (the SKUs,
``shops.selectors.shop_sku_offers_many``,
``distribution.selectors.binding_reseller_for`` with its settings, the
stock, three inserts). ``test_placing_paths`` holds them to the same result.
"""

from collections import Counter
from typing import Protocol, overload

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.models import Sku
from catalog.stock import stock_lock, stock_take
from coupons.exceptions import CouponUnavailable
from coupons.models import ClaimedCoupon
from coupons.selectors import claims_usable, coupon_rule
from coupons.services import coupons_combination_check, coupons_use, promo_code_redeem
from distribution.models import Reseller
from distribution.selectors import binding_reseller_for
from shops.selectors import ShopOffer, shop_sku_offers_many
from socialshop.idempotency import Answer, Idempotency, idempotent

from ..exceptions import EmptyOrder, NotBuyable, OutOfStock
from ..models import MAX_LINES, MAX_QUANTITY, FulfilmentGroup, Order, OrderDiscount, OrderLine
from ..pricing import LineRequest, PricedLine, lines_discounted_by_coupons, lines_priced
from . import placing_pg
from .addresses import ShippingAddress, shipping_address_clean

__all__ = ["LineRequest", "order_place", "order_loaded_in_memory", "placing_in_sql"]


def _lines_checked(lines: list[LineRequest]) -> list[LineRequest]:
    """The same SKU from the same shop twice becomes one line."""
    if not lines:
        raise EmptyOrder()
    merged: dict[tuple, int] = {}
    for line in lines:
        # a group price (拼团, with whether its campaign takes coupons) and flash terms stay with their line
        key = (
            (line.shop_slug or "").lower() or None,
            line.sku_id,
            line.group_price_amount,
            line.group_coupons_apply,
            line.flash,
        )
        merged[key] = merged.get(key, 0) + line.quantity
    if len(merged) > MAX_LINES:
        raise EmptyOrder(_("An order holds at most %(count)d different items.") % {"count": MAX_LINES})
    checked = [
        LineRequest(
            sku_id=sku_id,
            quantity=quantity,
            shop_slug=slug,
            group_price_amount=group_price,
            group_coupons_apply=group_coupons,
            flash=flash,
        )
        for (slug, sku_id, group_price, group_coupons, flash), quantity in merged.items()
    ]
    bad = {
        f"lines.{index}.quantity": [_("Between 1 and %(most)d.") % {"most": MAX_QUANTITY}]
        for index, line in enumerate(checked)
        if not 1 <= line.quantity <= MAX_QUANTITY
    }
    if bad:
        raise EmptyOrder(_("Check the quantities."), fields=bad)
    return checked


@overload
def order_place(
    *,
    buyer: User,
    lines: list[LineRequest],
    address: ShippingAddress,
    note: str = "",
    coupon_ids: list[int] | None = None,
    promo_code: str = "",
    idempotency: None = None,
) -> Order: ...


@overload
def order_place(
    *,
    buyer: User,
    lines: list[LineRequest],
    address: ShippingAddress,
    note: str = "",
    coupon_ids: list[int] | None = None,
    promo_code: str = "",
    idempotency: Idempotency[Order],
) -> Answer: ...


def order_place(
    *,
    buyer: User,
    lines: list[LineRequest],
    address: ShippingAddress,
    note: str = "",
    coupon_ids: list[int] | None = None,
    promo_code: str = "",
    idempotency: Idempotency[Order] | None = None,
) -> Order | Answer:
    """Place an order for ``buyer``; see the module's docstring. Raises
    EmptyOrder, InvalidAddress, NotBuyable (a line that cannot be bought
    where it says) or OutOfStock, and then nothing is written. The order
    comes back with its lines and fulfilment groups loaded.

    With ``idempotency`` (the API's request and its ``Idempotency-Key``),
    the key is claimed first in the same transaction and the answer kept
    under it; what comes back is the ``Answer``: the new order's, or the
    first request's when the key was used before (nothing placed then).
    IdempotencyKeyReused when the key was used for another request.

    ``coupon_ids``: the buyer's claimed coupons to apply (docs/coupons.md);
    CouponUnavailable or CouponsDoNotCombine refuse the order, nothing
    written, and a coupon used by a concurrent checkout rolls this one back.
    ``promo_code``: a reseller's code typed at checkout (``promo_code_redeem``:
    binds the buyer to the reseller, and adds the coupon it gives)."""
    requested = _lines_checked(lines)
    address_fields = shipping_address_clean(address)
    note = (note or "").strip()[:200]
    coupons = (sorted(set(coupon_ids or [])), (promo_code or "").strip())
    with transaction.atomic():
        if idempotency is None:
            return _place(buyer, requested, address_fields, note, coupons)
        return idempotent(idempotency, lambda: _place(buyer, requested, address_fields, note, coupons))


def _place(
    buyer: User, requested: list[LineRequest], address_fields: dict, note: str, coupons: tuple[list[int], str]
) -> Order:
    now = timezone.now()
    coupon_ids = _coupon_ids_with_promo_code(buyer, *coupons, now)  # before the read: a code may bind the buyer
    store = placing_store()
    wanted = _quantities(requested)
    skus, shop_offers, binding = store.read(
        buyer=buyer,
        sku_ids=sorted(wanted),
        shop_slugs={line.shop_slug for line in requested if line.shop_slug},
        needs_binding=any(line.shop_slug is None for line in requested),
    )
    priced = _priced(requested, skus, shop_offers, binding)
    priced, applied = _priced_with_coupons(buyer, priced, coupon_ids, now)
    short = {sku_id for sku_id, quantity in wanted.items() if skus[sku_id].stock < quantity}
    if short:
        raise _out_of_stock(skus, short, requested)
    order, groups, lines = _rows(buyer, priced, address_fields, note)
    if not store.write(order=order, groups=groups, lines=lines, wanted=wanted):
        # cannot happen under the lock; the database said no, so say it plainly
        raise _out_of_stock(skus, set(wanted), requested)
    _coupons_record(buyer, order, lines, applied, now)
    # no audit row for the creation: the order's own created_at and buyer say who placed it when;
    # every later move of the order and its parcels is audited (states.status_set)
    return order_loaded_in_memory(order, lines, groups)


ReadResult = tuple[dict[int, Sku], dict[tuple[str, int], ShopOffer], Reseller | None]


class PlacingStore(Protocol):
    """Where placing reads and writes its rows; the rules stay in this module.
    Two stores give the same answers (``test_placing_paths_agree``): the ORM
    one below, anywhere, and ``placing_pg.SqlStore`` on PostgreSQL. Both
    hand back whole model instances (no deferred fields), so what the rules
    and the answer read never depends on the store."""

    def read(self, *, buyer: User, sku_ids: list[int], shop_slugs: set[str], needs_binding: bool) -> ReadResult:
        """The SKUs locked in id order (``catalog.stock``'s lock order), with
        product and supplier, by id; their offers in the named shops as
        ``shops.selectors.shop_sku_offers_many`` gives them; and the reseller
        the buyer's binding attributes lines outside any shop to now (None
        unless ``needs_binding``)."""

    def write(self, *, order: Order, groups: list[FulfilmentGroup], lines: list[OrderLine], wanted: Counter) -> bool:
        """Take ``wanted`` (``catalog.stock``'s conditional decrement), then
        insert the order, its groups and its lines, which get their ids;
        False, with nothing inserted, when a SKU gave fewer units."""


class OrmStore:
    """The portable store: the ORM's statements (the locked SKUs, the shops'
    offers, the binding and its settings, the stock taken, three inserts)."""

    def read(self, *, buyer: User, sku_ids: list[int], shop_slugs: set[str], needs_binding: bool) -> ReadResult:
        skus = {sku.pk: sku for sku in stock_lock(sku_ids).select_related("product__supplier")}
        shop_offers = shop_sku_offers_many(skus=skus.values(), shop_slugs=shop_slugs) if shop_slugs else {}
        return skus, shop_offers, binding_reseller_for(customer=buyer) if needs_binding else None

    def write(self, *, order: Order, groups: list[FulfilmentGroup], lines: list[OrderLine], wanted: Counter) -> bool:
        if not stock_take(wanted):
            return False
        order.save(force_insert=True)
        FulfilmentGroup.objects.bulk_create(groups)
        OrderLine.objects.bulk_create(lines)
        return True


def placing_store() -> PlacingStore:
    """The store placing uses, chosen here and only here: on PostgreSQL the
    SQL one (one read and one write, ``placing_pg``) unless
    ``ORDERS_PLACE_IN_SQL`` is off, elsewhere the ORM one."""
    return placing_pg.SqlStore() if placing_in_sql() else OrmStore()


Priced = tuple[PricedLine, Reseller | None]  # the line at its price, attributed to


def _priced(
    requested: list[LineRequest],
    skus: dict[int, Sku],
    shop_offers: dict[tuple[str, int], ShopOffer],
    binding: Reseller | None,
) -> list[Priced]:
    """Each line at its price (``lines_priced``, as the cart shows it) and
    attribution; NotBuyable names every line that cannot be bought where it
    says."""
    priced = lines_priced(requested, skus=skus, shop_offers=shop_offers)
    refused = [index for index, line in enumerate(priced) if line is None]
    if refused:
        raise NotBuyable(
            fields={f"lines.{index}.sku_id": [str(NotBuyable.default_message)] for index in refused},
            sku_ids=sorted({requested[index].sku_id for index in refused}),
        )
    return [(line, line.shop.owner if line.shop is not None else binding) for line in priced]


def _rows(
    buyer: User, priced: list[Priced], address_fields: dict, note: str
) -> tuple[Order, list[FulfilmentGroup], list[OrderLine]]:
    """The order, one fulfilment group per supplier and the lines with their
    snapshots, not saved yet."""
    order = Order(
        buyer=buyer,
        total_amount=sum(line.total_amount for line, _reseller in priced),
        discount_amount=sum(line.price.discount_amount for line, _reseller in priced),
        currency=settings.CURRENCY,
        note=note,
        awaiting_group=any(line.request.group_price_amount is not None for line, _reseller in priced),  # 拼团
        **address_fields,
    )
    groups: dict[int, FulfilmentGroup] = {}
    for line, _reseller in priced:
        supplier = line.sku.product.supplier
        groups.setdefault(supplier.pk, FulfilmentGroup(order=order, supplier=supplier))
    lines = [
        OrderLine(
            order=order,
            fulfilment=groups[line.sku.product.supplier_id],
            sku=line.sku,
            product=line.sku.product,
            category_id=line.sku.product.category_id,
            supplier_id=line.sku.product.supplier_id,
            title=line.sku.product.title[:120],
            spec_label=line.sku.spec_label[:120],
            quantity=line.quantity,
            unit_price_amount=line.price.unit_price_amount,
            list_price_amount=line.price.list_price_amount,
            cost_amount=line.sku.cost_amount,
            discount_amount=line.price.discount_amount,
            line_total_amount=line.price.total_amount,
            shop=line.shop,
            attributed_reseller=reseller,
            buyer_is_attributed_reseller=reseller is not None and reseller.user_id == buyer.pk,
            # flash sales: the campaign's commission share, kept on the line (None: not a flash line)
            flash_commission_share_bps=line.request.flash.commission_share_bps if line.is_flash else None,
        )
        for line, reseller in priced
    ]
    return order, list(groups.values()), lines


# --- coupons (docs/coupons.md) ---------------------------------------------------------

AppliedCoupons = list[tuple[ClaimedCoupon, list[int]]]  # each claim with its share of each line


def _coupon_ids_with_promo_code(buyer: User, coupon_ids: list[int], promo_code: str, now) -> list[int]:
    """The claims to apply: those chosen, and the one a typed promo code
    gives (``promo_code_redeem``, which also binds the buyer to the code's
    reseller, so the lines outside any shop are attributed to it)."""
    if not promo_code:
        return coupon_ids
    return sorted({*coupon_ids, promo_code_redeem(buyer=buyer, code=promo_code, now=now)})


def _priced_with_coupons(
    buyer: User, priced: list[Priced], coupon_ids: list[int], now
) -> tuple[list[Priced], AppliedCoupons]:
    """The lines less the chosen coupons (``lines_discounted_by_coupons``,
    the one place coupons meet prices). CouponUnavailable when a coupon is
    not the buyer's, not usable now, or takes nothing off these lines;
    CouponsDoNotCombine for a combination the rules refuse. Nothing is
    locked here: ``_coupons_record`` takes them with a conditional update."""
    if not coupon_ids:
        return priced, []
    claims = claims_usable(user=buyer, now=now, ids=coupon_ids)
    if len(claims) != len(coupon_ids):
        raise CouponUnavailable()
    coupons_combination_check(claims)
    lines, shares = lines_discounted_by_coupons(
        [line for line, _reseller in priced], [coupon_rule(claim.coupon) for claim in claims]
    )
    if any(sum(share) == 0 for share in shares):
        raise CouponUnavailable(_("This coupon does not apply to these items, or they do not reach its threshold."))
    return (
        [(line, reseller) for line, (_before, reseller) in zip(lines, priced, strict=True)],
        list(zip(claims, shares, strict=True)),
    )


def _coupons_record(buyer: User, order: Order, lines: list[OrderLine], coupons: AppliedCoupons, now) -> None:
    """After the order's rows are written (either store): use the coupons,
    exactly once (``coupons_use``' conditional update: a concurrent checkout
    that used one first rolls this order back), and keep each line's share."""
    if not coupons:
        return
    coupons_use(claim_ids=[claim.pk for claim, _shares in coupons], buyer=buyer, order_id=order.pk, now=now)
    OrderDiscount.objects.bulk_create(
        OrderDiscount(
            order=order,
            line=line,
            claim=claim,
            funder=claim.coupon.funder,
            funder_id=claim.coupon.funder_id,
            amount=share,
        )
        for claim, shares in coupons
        for line, share in zip(lines, shares, strict=True)
        if share > 0
    )


def placing_in_sql() -> bool:
    """Whether ``placing_store`` picks the PostgreSQL store (one read and one
    write, see ``placing_pg``) rather than the portable ORM one: on PostgreSQL
    unless ``ORDERS_PLACE_IN_SQL`` is off. Both give the same orders, the same
    refusals and the same locks (``test_placing_paths_agree``)."""
    return settings.ORDERS_PLACE_IN_SQL and connection.vendor == "postgresql"


def _quantities(requested: list[LineRequest]) -> Counter:
    counts: Counter = Counter()
    for line in requested:
        counts[line.sku_id] += line.quantity
    return counts


def _out_of_stock(skus: dict[int, Sku], short: set[int], requested: list[LineRequest]) -> OutOfStock:
    """OutOfStock naming the short lines and what is left of each."""
    return OutOfStock(
        fields={
            f"lines.{index}.quantity": [_("Only %(stock)d left.") % {"stock": skus[line.sku_id].stock}]
            for index, line in enumerate(requested)
            if line.sku_id in short
        },
        sku_ids=sorted(short),
    )


def order_loaded_in_memory(order: Order, lines: list[OrderLine], groups: list[FulfilmentGroup]) -> Order:
    """Give ``order.lines.all()``, ``order.fulfilments.all()`` and
    ``order.refunds.all()`` the rows just written, as a prefetch would, so
    answering with the order costs no query (a filter on them still asks the
    database)."""
    cache = {}
    for name, rows in (("lines", lines), ("fulfilments", groups), ("refunds", [])):
        # the related manager's own queryset: its filter on the order is built only if someone filters further
        queryset = getattr(order, name).all()
        queryset._result_cache = list(rows)
        queryset._prefetch_done = True
        cache[name] = queryset
    order._prefetched_objects_cache = cache
    return order
