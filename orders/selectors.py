"""The complex readers of orders: who may see which order, line or parcel,
and the contracts the commission engine reads (docs/orders.md)."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from accounts.models import User
from catalog.models import Sku, Supplier
from shops.models import Shop
from shops.selectors import shop_sku_offers_many
from socialshop.errors import NotFound

from .choices import REFUND_OPEN, OrderStatus
from .models import FulfilmentGroup, Order, OrderLine, OrderSettings, PaymentSession, Refund, StatusChange
from .pricing import LineRequest, PricedLine, lines_priced


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


def order_list_for_buyer(*, buyer: User) -> QuerySet[Order]:
    return _order_loaded(Order.objects.filter(buyer=buyer)).order_by("-created_at", "-id")


def order_get_for_buyer(*, buyer: User, order_id: int) -> Order:
    """The buyer's own order, or NotFound (someone else's answers the same)."""
    order = _order_loaded(Order.objects.filter(buyer=buyer, pk=order_id)).first() if buyer.is_authenticated else None
    if order is None:
        raise NotFound()
    return order


def order_history(*, order: Order) -> QuerySet[StatusChange]:
    return StatusChange.objects.filter(order=order).select_related("actor").order_by("changed_at", "id")


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
    order's), with their lines and the order's address; oldest first, so the
    longest waiting ship first."""
    groups = FulfilmentGroup.objects.filter(supplier=supplier).exclude(
        order__status__in=[OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED]
    )
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
    return refunds.select_related("line", "order").order_by("-requested_at", "-id")


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
