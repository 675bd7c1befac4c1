"""Readers of shops: what a visitor may see, and at which price.

The contract the orders app builds on (cart and checkout hang off the
product page) is ``shop_product_offers`` / ``shop_sku_offer``: for a shop and
a product (or one SKU) they give each buyable SKU with the price *this shop*
charges (``SkuOffer.price_amount``: ``shops.calculations.line_price``, the
shop's price kept within the SKU's current resale bounds, else the list
price) and the shop's markup
(price − list price, DESIGN §3). See docs/shops.md.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Prefetch, Q, QuerySet

from accounts.models import User
from catalog.models import Category, Product, ProductImage, Sku
from catalog.selectors import product_search_filter
from distribution.choices import ResellerStatus
from distribution.models import Reseller
from socialshop.errors import NotFound
from socialshop.sql import SqlJoin, sql_column, sql_table, sql_word

from .calculations import line_price, markup
from .choices import ShopStatus
from .models import Shop, ShopProduct, ShopSkuPrice, ShopVisitor


@dataclass(frozen=True)
class SkuOffer:
    """One SKU as a shop sells it."""

    sku: Sku
    price_amount: int  # what the buyer pays per unit in this shop
    list_price_amount: int
    markup_amount: int  # price − list price: the shop's 加价
    has_shop_price: bool  # False: the shop follows the list price

    @property
    def in_stock(self) -> bool:
        return self.sku.stock > 0


@dataclass(frozen=True)
class ShopOffer:
    """A buyable SKU in one shop that picked it: the shop (owner loaded) and
    the price the shop stored for it (None: the list price), not yet clamped
    (``line_price`` prices the line)."""

    shop: Shop
    shop_price_amount: int | None


@dataclass
class ProductCard:
    """A picked product as the storefront shows it (built from prefetched rows)."""

    pick: ShopProduct
    product: Product
    image: ProductImage | None
    offers: list[SkuOffer] = field(default_factory=list)

    @property
    def min_price_amount(self) -> int | None:
        return min((offer.price_amount for offer in self.offers), default=None)

    @property
    def max_price_amount(self) -> int | None:
        return max((offer.price_amount for offer in self.offers), default=None)

    @property
    def in_stock(self) -> bool:
        return any(offer.in_stock for offer in self.offers)


# --- open to buyers: the rule, in each form its readers need -----------------------
#
# A shop is open to buyers when it is open and its owner is active; a pick is, when it is not hidden and its
# shop is. (Whether the picked product's SKUs can be bought is catalog's rule: ``Sku.objects.buyable()``.)
# The forms sit together so that a change to the rule changes all of them, and
# ``shops/tests/test_open_to_buyers.py`` holds them to the same rows on generated worlds.


def _open_to_buyers(shop: str = "") -> Q:
    """The rule on a shop, reached through ``shop`` (a lookup prefix)."""
    return Q(**{f"{shop}status": ShopStatus.OPEN, f"{shop}owner__status": ResellerStatus.ACTIVE})


def _pick_shown(pick: str = "") -> Q:
    """A pick its owner has not hidden, reached through ``pick``."""
    return Q(**{f"{pick}is_hidden": False})


def shops_open_to_buyers() -> QuerySet[Shop]:
    """The rule for queries on shops."""
    return Shop.objects.filter(_open_to_buyers())


def shop_is_public(shop: Shop) -> bool:
    """The rule on a shop already loaded with its owner (no query)."""
    return shop.status == ShopStatus.OPEN and shop.owner.status == ResellerStatus.ACTIVE


def picks_open_to_buyers() -> QuerySet[ShopProduct]:
    """The rule for queries on picks: not hidden, in a shop open to buyers."""
    return ShopProduct.objects.filter(_open_to_buyers("shop__"), _pick_shown())


def picks_open_to_buyers_sql(*, pick: str, shop: str, owner: str) -> SqlJoin:
    """``picks_open_to_buyers`` as SQL, for hand-written statements
    (``orders.services.placing_pg`` reads the picks of a cart's shops in the
    statement that locks its SKUs): the picks joined to their shops and the
    shops' owners under the aliases given, and the rule on those rows. Table
    and column names and values come from the models and choices."""
    return SqlJoin(
        tables=(
            f"{sql_table(ShopProduct)} {pick}"
            f" JOIN {sql_table(Shop)} {shop}"
            f" ON {shop}.{sql_column(Shop, 'id')} = {pick}.{sql_column(ShopProduct, 'shop')}"
            f" JOIN {sql_table(Reseller)} {owner}"
            f" ON {owner}.{sql_column(Reseller, 'id')} = {shop}.{sql_column(Shop, 'owner')}"
        ),
        condition=(
            f"NOT {pick}.{sql_column(ShopProduct, 'is_hidden')}"
            f" AND {shop}.{sql_column(Shop, 'status')} = {sql_word(ShopStatus.OPEN)}"
            f" AND {owner}.{sql_column(Reseller, 'status')} = {sql_word(ResellerStatus.ACTIVE)}"
        ),
    )


# --- shops --------------------------------------------------------------


def shop_list_public() -> QuerySet[Shop]:
    """Shops a visitor can browse: those open to buyers."""
    return shops_open_to_buyers().order_by("-created_at")


def shop_get_by_slug(*, slug: str) -> Shop | None:
    """Any shop by its address, whatever its status (pages explain a closed one)."""
    return Shop.objects.select_related("owner__user").filter(slug=slug.lower()).first()


def shop_get_public(*, slug: str) -> Shop:
    shop = shop_get_by_slug(slug=slug)
    if shop is None or not shop_is_public(shop):
        raise NotFound()
    return shop


def shop_for_user(*, user: User) -> Shop | None:
    """The shop the user owns, if any."""
    if not user.is_authenticated:
        return None
    return Shop.objects.select_related("owner__user").filter(owner__user=user).first()


# --- picks and prices ------------------------------------------------------


def _picks_loaded(picks: QuerySet[ShopProduct]) -> QuerySet[ShopProduct]:
    """Everything a card needs in a constant number of queries: the product
    and category joined, then one query each for images, active SKUs and
    shop prices, whatever the number of picks."""
    return picks.select_related("product__category", "product__supplier").prefetch_related(
        Prefetch("product__images", queryset=ProductImage.objects.order_by("position", "id"), to_attr="ordered_images"),
        Prefetch("product__skus", queryset=Sku.objects.active().order_by("id"), to_attr="active_skus"),
        Prefetch("prices", queryset=ShopSkuPrice.objects.all(), to_attr="loaded_prices"),
    )


def shop_picks_visible(
    *, shop: Shop, category_slug: str | None = None, query: str | None = None
) -> QuerySet[ShopProduct]:
    """The picks a visitor sees in the shop, in the owner's order: not hidden,
    the product on sale (reviewed, supplier active) with an active SKU.
    Optionally narrowed to a category and to words in the title/description."""
    picks = ShopProduct.objects.filter(_pick_shown(), shop=shop).filter(
        Exists(Sku.objects.buyable().filter(product=OuterRef("product_id")))
    )
    if category_slug:
        picks = picks.filter(product__category__slug=category_slug)
    if query:
        picks = picks.filter(product_search_filter(query, prefix="product__"))
    return _picks_loaded(picks).order_by("position", "id")


def shop_picks_for_owner(*, shop: Shop) -> QuerySet[ShopProduct]:
    """All of the shop's picks (hidden ones and those no longer on sale too)."""
    return _picks_loaded(ShopProduct.objects.filter(shop=shop)).order_by("position", "id")


def shop_categories(*, shop: Shop) -> QuerySet[Category]:
    """Categories that have at least one product visible in the shop."""
    visible = shop_picks_visible(shop=shop).filter(product__category=OuterRef("pk"))
    return Category.objects.filter(Exists(visible)).order_by("position", "name")


def pick_offers(pick: ShopProduct) -> list[SkuOffer]:
    """The pick's active SKUs at the shop's prices, from rows loaded by
    ``_picks_loaded`` (no query)."""
    shop_prices = {price.sku_id: price.price_amount for price in pick.loaded_prices}
    return [sku_offer(sku, shop_prices.get(sku.id)) for sku in pick.product.active_skus]


def sku_offer(sku: Sku, shop_price: int | None) -> SkuOffer:
    """The SKU at a shop's stored price (None: the list price), kept within
    the SKU's current bounds (``line_price``). No query."""
    price = line_price(sku=sku, shop_price=shop_price).unit_price_amount
    return SkuOffer(
        sku=sku,
        price_amount=price,
        list_price_amount=sku.list_price_amount,
        markup_amount=markup(price=price, list_price=sku.list_price_amount),
        has_shop_price=shop_price is not None,
    )


def product_card(pick: ShopProduct) -> ProductCard:
    images = pick.product.ordered_images
    return ProductCard(pick=pick, product=pick.product, image=images[0] if images else None, offers=pick_offers(pick))


def shop_pick_get_visible(*, shop: Shop, product_id: int) -> ShopProduct:
    """The pick of ``product_id`` as a visitor sees it, or NotFound (not
    picked, hidden, off sale, no active SKU, or the shop is not public)."""
    if not shop_is_public(shop):
        raise NotFound()
    pick = shop_picks_visible(shop=shop).filter(product_id=product_id).first()
    if pick is None:
        raise NotFound()
    return pick


def shop_product_offers(*, shop: Shop, product_id: int) -> list[SkuOffer]:
    """Each buyable SKU of a product in a shop, at that shop's price. NotFound
    when the product cannot be bought there (see ``shop_pick_get_visible``).
    Stock is reported (``SkuOffer.in_stock``), not checked: reserving it is
    the orders app's job."""
    return pick_offers(shop_pick_get_visible(shop=shop, product_id=product_id))


def shop_sku_offer(*, shop: Shop, sku_id: int) -> SkuOffer:
    """One SKU at the shop's price (what a cart line needs), or NotFound when
    it cannot be bought in this shop (the SKU, then the shop's stored price)."""
    if not shop_is_public(shop):
        raise NotFound()
    sku = (
        Sku.objects.buyable()
        .select_related("product")
        .filter(_pick_shown("product__picks__"), pk=sku_id, product__picks__shop=shop)
        .first()
    )
    if sku is None:
        raise NotFound()
    shop_price = ShopSkuPrice.objects.filter(pick__shop=shop, sku=sku).values_list("price_amount", flat=True).first()
    return sku_offer(sku, shop_price)


def shop_sku_offers_many(*, skus: Iterable[Sku], shop_slugs: Iterable[str]) -> dict[tuple[str, int], ShopOffer]:
    """Each (shop address, SKU id) among ``shop_slugs`` × ``skus`` that can be
    bought there, at that shop's price: what checkout needs for a whole cart,
    in **one query** whatever the number of lines or shops (the picks with
    their shop and owner, each joined to its stored prices for those SKUs).
    The SKUs come loaded with ``product__supplier`` (orders locks them
    first); a pair is missing when the shop is not public, the product is not
    picked there or hidden, not on sale, its supplier inactive, or the SKU
    inactive. (Orders' PostgreSQL placing path reads the same picks in its
    own statement, ``orders.services.placing_pg``, through
    ``picks_open_to_buyers_sql``, and builds the offers with
    ``shop_offers_build``.)"""
    skus = [sku for sku in skus if sku.is_buyable]
    slugs = {slug.lower() for slug in shop_slugs}
    if not skus or not slugs:
        return {}
    sku_ids = [sku.pk for sku in skus]
    rows = (
        picks_open_to_buyers()
        .filter(shop__slug__in=slugs, product_id__in={sku.product_id for sku in skus})
        .annotate(
            wanted_prices=FilteredRelation("prices", condition=Q(prices__sku_id__in=sku_ids)),
            price_sku_id=F("wanted_prices__sku_id"),
            price_amount=F("wanted_prices__price_amount"),
        )
        .select_related("shop__owner")
        .order_by()  # the rows fill dicts: no ORDER BY to build or sort (placing an order asks this every time)
    )
    picks, prices = {}, {}
    for row in rows:  # one row per (pick, stored price); a pick without prices comes once, with None
        picks[row.pk] = row
        if row.price_sku_id is not None:
            prices[(row.pk, row.price_sku_id)] = row.price_amount
    return shop_offers_build(skus=skus, picks=picks.values(), prices=prices)


def shop_offers_build(
    *, skus: Iterable[Sku], picks: Iterable[ShopProduct], prices: dict[tuple[int, int], int]
) -> dict[tuple[str, int], ShopOffer]:
    """The offers of ``skus`` in shops that picked their products and are
    open to buyers (``picks``: each with its shop and the shop's owner
    loaded, already narrowed to public shops and visible picks), at each
    shop's stored price (``prices[(pick id, SKU id)]``). A SKU that is not
    buyable (``Sku.is_buyable``) gets no offer. No query."""
    buyable = [sku for sku in skus if sku.is_buyable]
    offers = {}
    for pick in picks:
        for sku in buyable:
            if sku.product_id == pick.product_id:
                offers[(pick.shop.slug, sku.pk)] = ShopOffer(
                    shop=pick.shop, shop_price_amount=prices.get((pick.pk, sku.pk))
                )
    return offers


# --- visitors ---------------------------------------------------------------


@dataclass(frozen=True)
class VisitorCounts:
    today: int  # browsers that opened the shop today (Beijing)
    month: int  # different browsers that opened it since the 1st of this month


def shop_visitor_counts(*, shop: Shop, today: date) -> VisitorCounts:
    """How many visitors the shop had today and this month (the owner's own
    views are never recorded). One query over the (shop, day, visitor)
    index."""
    counts = ShopVisitor.objects.filter(shop=shop, day__gte=today.replace(day=1), day__lte=today).aggregate(
        today=Count("id", filter=Q(day=today)), month=Count("visitor_key", distinct=True)
    )
    return VisitorCounts(today=counts["today"], month=counts["month"])


def shop_sku_prices(*, shop: Shop, product_ids: Iterable[int]) -> dict[int, int]:
    """SKU id → the price the shop stored for it, among ``product_ids``
    (one query; a SKU without a row sells at its list price)."""
    rows = ShopSkuPrice.objects.filter(pick__shop=shop, pick__product_id__in=list(product_ids))
    return dict(rows.values_list("sku_id", "price_amount"))
