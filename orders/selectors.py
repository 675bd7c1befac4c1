"""The complex readers of orders: who may see which order, line or parcel,
and the contracts the commission engine reads (docs/orders.md)."""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import user_wechat_openid
from catalog.models import ProductImage, Sku, Supplier
from coupons.choices import CouponFunder
from coupons.exceptions import CouponsDoNotCombine
from coupons.models import ClaimedCoupon
from coupons.selectors import claims_usable, coupon_rule, coupon_settings_get
from coupons.services import coupons_combination_check
from shops.models import Shop
from shops.selectors import shop_sku_offers_many
from socialshop.errors import NotFound

from .choices import REFUND_OPEN, OrderStatus, RefundKind
from .models import (
    CartItem,
    FulfilmentGroup,
    Order,
    OrderLine,
    OrderSettings,
    PaymentSession,
    Refund,
    RefundPhoto,
    StatusChange,
)
from .pricing import LineRequest, PricedLine, lines_discounted_by_coupons, lines_priced


def order_settings_get() -> OrderSettings:
    """The platform's order timings (the defaults when no operator saved them)."""
    return OrderSettings.objects.filter(pk=OrderSettings.SINGLETON_ID).first() or OrderSettings()


# --- buyers ---------------------------------------------------------------


def _order_loaded(orders: QuerySet[Order]) -> QuerySet[Order]:
    """Lines (with their shop), parcels (with their supplier) and refunds,
    a query per relation whatever the number of orders."""
    return orders.prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.select_related("shop").order_by("id")),
        Prefetch("fulfilments", queryset=FulfilmentGroup.objects.select_related("supplier").order_by("id")),
        Prefetch("refunds", queryset=Refund.objects.order_by("-requested_at", "-id")),
    )


def _with_pictures(orders: QuerySet[Order]) -> QuerySet[Order]:
    """What the buyer's pages show besides: each line's product with its
    pictures (a thumbnail per line) and each refund's photos, in three more
    queries whatever the number of orders (the API answers without them)."""
    return orders.prefetch_related(
        Prefetch(
            "lines",
            queryset=OrderLine.objects.select_related("shop", "product")
            .prefetch_related(
                Prefetch(
                    "product__images", queryset=ProductImage.objects.order_by("position", "id"), to_attr="pictures"
                )
            )
            .order_by("id"),
        ),
        Prefetch("fulfilments", queryset=FulfilmentGroup.objects.select_related("supplier").order_by("id")),
        Prefetch(
            "refunds",
            queryset=Refund.objects.prefetch_related(
                Prefetch("photos", queryset=RefundPhoto.objects.order_by("position", "id"))
            ).order_by("-requested_at", "-id"),
        ),
    )


# the buyer's order tabs (我的订单): (tab, the orders it holds); 全部 holds all, 售后 those with an after-sales request
BUYER_ORDER_TABS = {
    "to_pay": Q(status=OrderStatus.PENDING_PAYMENT),
    "to_ship": Q(status=OrderStatus.PAID),
    "to_receive": Q(status__in=[OrderStatus.SHIPPED, OrderStatus.DELIVERED]),
    "completed": Q(status=OrderStatus.COMPLETED),
    "after_sales": Q(Exists(Refund.objects.filter(order=OuterRef("pk"), kind=RefundKind.AFTER_SALES))),
}


def order_list_for_buyer(*, buyer: User, tab: str | None = None, with_pictures: bool = False) -> QuerySet[Order]:
    """The buyer's orders, newest first; ``tab`` narrows them to one of
    ``BUYER_ORDER_TABS``."""
    orders = Order.objects.filter(buyer=buyer)
    if tab in BUYER_ORDER_TABS:
        orders = orders.filter(BUYER_ORDER_TABS[tab])
    loaded = _with_pictures(orders) if with_pictures else _order_loaded(orders)
    return loaded.order_by("-created_at", "-id")


def order_counts_for_buyer(*, buyer: User) -> dict[str, int]:
    """How many of the buyer's orders each tab holds (``all`` too), in one query."""
    return Order.objects.filter(buyer=buyer).aggregate(
        all=Count("pk"), **{tab: Count("pk", filter=condition) for tab, condition in BUYER_ORDER_TABS.items()}
    )


def order_get_for_buyer(*, buyer: User, order_id: int, with_pictures: bool = False) -> Order:
    """The buyer's own order, or NotFound (someone else's answers the same)."""
    order = None
    if buyer.is_authenticated:
        orders = Order.objects.filter(buyer=buyer, pk=order_id)
        order = (_with_pictures(orders) if with_pictures else _order_loaded(orders)).first()
    if order is None:
        raise NotFound()
    return order


def order_history(*, order: Order) -> QuerySet[StatusChange]:
    return StatusChange.objects.filter(order=order).select_related("actor").order_by("changed_at", "id")


@dataclass(frozen=True)
class OrderStep:
    """One step of an order's progress as its buyer reads it (下单, 付款 …)."""

    label: str
    at: object  # the datetime it happened, or None while still ahead
    done: bool


def order_steps(order: Order) -> list[OrderStep]:
    """The order's progress: placed, paid, shipped, received, completed,
    each with when it happened; a cancelled order ends at 已取消. From the
    order's own timestamps (no query)."""
    placed = OrderStep(label=str(_("Placed")), at=order.created_at, done=True)
    if order.status == OrderStatus.CANCELLED:
        steps = [placed]
        if order.paid_at:
            steps.append(OrderStep(label=str(_("Payment")), at=order.paid_at, done=True))
        return [*steps, OrderStep(label=str(_("Cancelled")), at=order.cancelled_at, done=True)]
    return [
        placed,
        OrderStep(label=str(_("Payment")), at=order.paid_at, done=order.paid_at is not None),
        OrderStep(label=str(_("Dispatch")), at=order.shipped_at, done=order.shipped_at is not None),
        OrderStep(
            label=str(_("Receipt")),
            at=order.delivered_at or order.completed_at,  # confirming receipt completes a shipped order at once
            done=order.delivered_at is not None or order.completed_at is not None,
        ),
        OrderStep(label=str(_("Completion")), at=order.completed_at, done=order.completed_at is not None),
    ]


def order_expires_at(order: Order, settings: OrderSettings | None = None):
    """When an unpaid order is cancelled by the expiry task."""
    return order.created_at + (settings or order_settings_get()).unpaid_expiry


def order_is_expired(order: Order, settings: OrderSettings | None = None, now=None) -> bool:
    return (now or timezone.now()) >= order_expires_at(order, settings)


def payment_session_open(
    *, order: Order, now=None, provider: str | None = None, method: str | None = None
) -> PaymentSession | None:
    """An unexpired, unfinished payment session of the order (by that
    provider and method, when given), to send the shopper back to instead of
    opening another."""
    sessions = PaymentSession.objects.filter(order=order, status="open", expires_at__gt=now or timezone.now())
    if provider is not None:
        sessions = sessions.filter(provider=provider, method=method or "")
    return sessions.order_by("-created_at").first()


# --- resellers: their shop's orders ------------------------------------------------


def shop_orders(*, shop: Shop) -> QuerySet[Order]:
    """Orders with at least one line sold in ``shop``; each carries only
    those lines (``shop_lines``), never the rest of the order."""
    return (
        Order.objects.filter(Exists(OrderLine.objects.filter(order=OuterRef("pk"), shop=shop)))
        .select_related("buyer")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.filter(shop=shop).order_by("id"), to_attr="shop_lines")
        )
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class ShopSales:
    orders: int  # orders paid in the period with at least one line sold in the shop
    sales_amount: int  # what buyers paid for the shop's lines, less what was refunded


def shop_sales_since(*, shop: Shop, month_start: datetime, day_start: datetime) -> tuple[ShopSales, ShopSales]:
    """The shop's paid orders and sales since ``day_start`` and since
    ``month_start`` (by payment time), in one query over its lines."""
    net = F("paid_amount") - F("refunded_amount")
    today = Q(order__paid_at__gte=day_start)
    totals = OrderLine.objects.filter(shop=shop, order__paid_at__gte=month_start).aggregate(
        orders_today=Count("order_id", distinct=True, filter=today),
        orders_month=Count("order_id", distinct=True),
        sales_today=Sum(net, filter=today),
        sales_month=Sum(net),
    )
    return (
        ShopSales(orders=totals["orders_today"], sales_amount=totals["sales_today"] or 0),
        ShopSales(orders=totals["orders_month"], sales_amount=totals["sales_month"] or 0),
    )


def shop_order_get(*, shop: Shop, order_id: int) -> Order:
    order = shop_orders(shop=shop).filter(pk=order_id).first()
    if order is None:
        raise NotFound()
    return order


# --- suppliers: the parcels they ship ----------------------------------------------


def fulfilments_for_supplier(*, supplier: Supplier, status: str | None = None) -> QuerySet[FulfilmentGroup]:
    """The supplier's parcels of paid orders (never an unpaid or cancelled
    order's, nor one whose buying group has not filled), with their lines and the order's address; oldest first, so the
    longest waiting ship first."""
    groups = FulfilmentGroup.objects.filter(supplier=supplier, order__awaiting_group=False).exclude(
        order__status__in=[OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED]
    )  # a group-buying order waits for its group to fill (拼团) before its supplier sees it
    if status:
        groups = groups.filter(status=status)
    return (
        groups.select_related("order")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("id")))
        .order_by("id")
    )


def fulfilment_get_for_supplier(*, supplier: Supplier, fulfilment_id: int) -> FulfilmentGroup:
    group = fulfilments_for_supplier(supplier=supplier).filter(pk=fulfilment_id).first()
    if group is None:
        raise NotFound()
    return group


def refunds_for_supplier(*, supplier: Supplier, status: str | None = None) -> QuerySet[Refund]:
    refunds = Refund.objects.filter(line__supplier=supplier)
    if status:
        refunds = refunds.filter(status=status)
    return (
        refunds.select_related("line", "order")
        .prefetch_related(Prefetch("photos", queryset=RefundPhoto.objects.order_by("position", "id")))
        .order_by("-requested_at", "-id")
    )


# --- the commission engine's contracts ------------------------------------------------


def line_has_open_refund(*, line_id: int) -> bool:
    """Whether a refund of the line is asked for and not finished (requested,
    approved, or failed and waiting for an operator's retry)."""
    return Refund.objects.filter(line_id=line_id, status__in=REFUND_OPEN).exists()


def lines_with_open_refunds(*, line_ids) -> set[int]:
    """The same question for many lines, in one query."""
    return set(
        Refund.objects.filter(line_id__in=list(line_ids), status__in=REFUND_OPEN).values_list("line_id", flat=True)
    )


def refund_get(*, refund_id: int) -> Refund:
    """A refund with its line (what ``order_refunded``'s receivers read: the
    amount, the line it came off)."""
    refund = Refund.objects.select_related("line", "order").filter(pk=refund_id).first()
    if refund is None:
        raise NotFound()
    return refund


def order_event_data(*, order_id: int) -> tuple[Order, list[int], list[int]] | None:
    """For partners' webhooks: the order, the users who may read it whole
    (its buyer) and those who may read part of it (the shops' owners and the
    suppliers' staff)."""
    order = Order.objects.filter(pk=order_id).first()
    if order is None:
        return None
    partial = set(
        OrderLine.objects.filter(order=order, shop__isnull=False).values_list("shop__owner__user_id", flat=True)
    )
    partial |= set(
        User.objects.filter(
            supplier_membership__supplier__in=FulfilmentGroup.objects.filter(order=order).values("supplier")
        ).values_list("pk", flat=True)
    )
    partial.discard(order.buyer_id)
    return order, [order.buyer_id], sorted(partial)


# --- prices for a cart ------------------------------------------------------------------


def cart_priced(*, entries: list[LineRequest]) -> list[tuple[LineRequest, PricedLine | None]]:
    """Each cart entry with its line at today's price (``lines_priced``), or
    None when it cannot be bought any more: the SKUs, then the shops' offers,
    whatever the number of entries."""
    skus = {
        sku.pk: sku
        for sku in Sku.objects.select_related("product__supplier").filter(pk__in={e.sku_id for e in entries})
    }
    shop_slugs = {entry.shop_slug for entry in entries if entry.shop_slug}
    shop_offers = shop_sku_offers_many(skus=skus.values(), shop_slugs=shop_slugs) if shop_slugs else {}
    return list(zip(entries, lines_priced(entries, skus=skus, shop_offers=shop_offers), strict=True))


def cart_count(*, user: User) -> int:
    """How many lines the signed-in shopper's cart holds (the tab bar's badge)."""
    return CartItem.objects.filter(user=user).count()


@dataclass(frozen=True)
class CartRow:
    """A cart entry as the cart page shows it: the SKU (None when it is gone),
    its line at today's price (``lines_priced``; None when it cannot be
    bought where it was added), its first picture, and why it cannot be
    checked out (``off_sale``, ``sold_out``), if so."""

    entry: LineRequest
    sku: Sku | None
    line: PricedLine | None
    picture: ProductImage | None
    problem: str = ""

    @property
    def key(self) -> str:
        """How a checkout names the row it takes: ``<SKU id>@<shop address>``."""
        return cart_row_key(self.entry)

    @property
    def short_of_stock(self) -> bool:
        return self.sku is not None and 0 < self.sku.stock < self.entry.quantity


@dataclass
class CartGroup:
    shop: Shop | None
    rows: list[CartRow] = field(default_factory=list)


@dataclass
class CartView:
    groups: list[CartGroup]  # the rows that can be checked out, by the shop they were added in
    invalid: list[CartRow]  # off sale or sold out: shown apart, never checked out
    total_amount: int  # of the rows that can be checked out

    @property
    def rows(self) -> list[CartRow]:
        return [row for group in self.groups for row in group.rows]


def cart_row_key(entry: LineRequest) -> str:
    return f"{entry.sku_id}@{entry.shop_slug or ''}"


def cart_view(*, entries: list[LineRequest]) -> CartView:
    """The cart page's rows, priced by ``lines_priced`` (the one pricing
    owner), grouped by shop, with a picture each. Three queries (the SKUs,
    their pictures, the shops' offers), whatever the number of lines."""
    skus = {
        sku.pk: sku
        for sku in Sku.objects.select_related("product__supplier")
        .prefetch_related(
            Prefetch("product__images", queryset=ProductImage.objects.order_by("position", "id"), to_attr="pictures")
        )
        .filter(pk__in={entry.sku_id for entry in entries})
    }
    shop_slugs = {entry.shop_slug for entry in entries if entry.shop_slug}
    shop_offers = shop_sku_offers_many(skus=skus.values(), shop_slugs=shop_slugs) if shop_slugs else {}
    groups: dict[int | None, CartGroup] = {}
    invalid = []
    for entry, line in zip(entries, lines_priced(entries, skus=skus, shop_offers=shop_offers), strict=True):
        sku = skus.get(entry.sku_id)
        picture = sku.product.pictures[0] if sku is not None and sku.product.pictures else None
        problem = "off_sale" if line is None else "sold_out" if line.sku.stock <= 0 else ""
        row = CartRow(entry=entry, sku=sku, line=line, picture=picture, problem=problem)
        if problem:
            invalid.append(row)
            continue
        key = line.shop.pk if line.shop else None
        groups.setdefault(key, CartGroup(shop=line.shop)).rows.append(row)
    view = CartView(groups=list(groups.values()), invalid=invalid, total_amount=0)
    view.total_amount = sum(row.line.total_amount for row in view.rows)
    return view


# --- what a product page says of sales ------------------------------------------------


def product_sold_count(*, product_id: int) -> int:
    """已售: units of the product on paid lines, in any shop, less those of
    orders cancelled after paying and lines refunded in full. One query."""
    sold = (
        OrderLine.objects.filter(product_id=product_id, paid_amount__gt=0)
        .exclude(order__status=OrderStatus.CANCELLED)
        .exclude(refunded_amount=F("paid_amount"))
        .aggregate(units=Sum("quantity"))["units"]
    )
    return sold or 0


# --- coupons (docs/coupons.md) ---------------------------------------------------------


@dataclass(frozen=True)
class CouponOption:
    """One of the buyer's coupons at checkout and what it takes off these
    lines; with stacking allowed, a platform coupon with a supplier coupon
    (``also``), and what both take off together."""

    claim: ClaimedCoupon
    saving_amount: int
    also: ClaimedCoupon | None = None  # the second coupon of a pair

    @property
    def claims(self) -> list[ClaimedCoupon]:
        return [self.claim] if self.also is None else [self.claim, self.also]

    @property
    def key(self) -> str:
        """What the page's form sends for this option: a claim id, or two, comma-separated."""
        return ",".join(str(claim.pk) for claim in self.claims)


def checkout_coupon_options(
    *, buyer, priced: list[PricedLine], now=None, with_pairs: bool = False
) -> list[CouponOption]:
    """The buyer's usable coupons that take something off ``priced`` (the
    checkout's lines, as ``lines_priced`` gave them), each with its saving
    as placing would compute it (``lines_discounted_by_coupons``), the best
    first: what checkout suggests. Two queries (the claims and their
    coupons' products). ``with_pairs`` (the page): where the operator allows
    stacking, also each platform coupon with each supplier coupon that both
    take something off (the pairs ``coupons_combination_check`` accepts),
    with their saving together: one more query."""
    if not priced or not buyer.is_authenticated:
        return []
    options = []
    for claim in claims_usable(user=buyer, now=now):
        _lines, shares = lines_discounted_by_coupons(priced, [coupon_rule(claim.coupon)])
        if saving := sum(shares[0]):
            options.append(CouponOption(claim=claim, saving_amount=saving))
    if with_pairs and len(options) > 1 and coupon_settings_get().stacking_allowed:
        options += _coupon_pairs(priced, [option.claim for option in options])
    return sorted(
        options,
        key=lambda option: (-option.saving_amount, option.also is not None, option.claim.valid_until, option.key),
    )


def _coupon_pairs(priced: list[PricedLine], claims: list[ClaimedCoupon]) -> list[CouponOption]:
    pairs = []
    platform = [claim for claim in claims if claim.coupon.funder == CouponFunder.PLATFORM]
    supplier = [claim for claim in claims if claim.coupon.funder == CouponFunder.SUPPLIER]
    for first in platform:
        for second in supplier:
            try:
                coupons_combination_check([first, second], stacking_allowed=True)
            except CouponsDoNotCombine:
                continue
            _lines, shares = lines_discounted_by_coupons(
                priced, [coupon_rule(first.coupon), coupon_rule(second.coupon)]
            )
            if all(sum(share) for share in shares):  # each takes something off: a pair worth offering
                pairs.append(CouponOption(claim=first, also=second, saving_amount=sum(map(sum, shares))))
    return pairs


def buyer_openid(user) -> str:
    """The buyer's openid under the app WeChat Pay charges through (``WECHATPAY_APPID``, the official
    account's), or "" when the buyer never logged in through it."""
    if not user.is_authenticated or not settings.WECHATPAY_APPID:
        return ""
    return user_wechat_openid(user, settings.WECHATPAY_APPID) or ""
