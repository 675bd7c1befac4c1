"""Cancelling, confirming receipt, and the periodic work: cancelling unpaid
orders (their stock comes back), completing delivered ones.

The periodic services are set-based: each batch locks its rows with
``FOR UPDATE SKIP LOCKED`` (two workers take different rows), moves them
with one conditional UPDATE and writes their audit rows in one insert
(``states.status_set_many``). Run twice, the second run finds nothing to do.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone

from accounts.models import User
from catalog.stock import stock_return
from socialshop.errors import NotFound

from ..choices import Actor, FulfilmentStatus, OrderStatus, Reason, RefundKind
from ..events import order_completed, order_event_emit
from ..exceptions import CancelNotAllowed
from ..models import FulfilmentGroup, Order, OrderLine
from ..selectors import order_settings_get
from .coupons import order_coupons_give_back
from .payments import payment_close_queue
from .refunds import refund_open, refunds_supersede
from .states import status_set, status_set_many

BATCH_SIZE = 500


def _units_reserved(order_ids: list[int]) -> dict[int, int]:
    """SKU id → the units the orders' lines reserved: what a cancellation
    gives back through ``catalog.stock.stock_return`` (which locks the SKUs
    in id order, like placing, and adds the units)."""
    return dict(
        OrderLine.objects.filter(order_id__in=order_ids)
        .values("sku_id")
        .annotate(total=Sum("quantity"))
        .values_list("sku_id", "total")
    )


def _fulfilments_cancel(order_ids: list[int], actor_kind: str, actor: User | None, reason: str) -> None:
    groups = list(
        FulfilmentGroup.objects.select_for_update().filter(order_id__in=order_ids, status=FulfilmentStatus.TO_SHIP)
    )
    status_set_many(
        FulfilmentGroup, groups, FulfilmentStatus.CANCELLED, actor_kind=actor_kind, actor=actor, reason=reason
    )


def order_cancel(*, order_id: int, by: User | None, actor_kind: str, reason: str, buyer: User | None = None) -> Order:
    """Cancel an order: unpaid (by its buyer or an operator), or paid with
    nothing shipped yet, which refunds every line in full through the
    provider: what open refund requests hold too (they close as superseded,
    ``refunds_supersede``), except approved refunds, which finish on their
    own. The stock comes back. ``buyer`` narrows to the buyer's own
    orders (NotFound otherwise). 409 ``cancel_not_allowed`` once part has
    shipped, ``invalid_transition`` in any other state."""
    with transaction.atomic():
        orders = Order.objects.select_for_update().filter(pk=order_id)
        if buyer is not None:
            orders = orders.filter(buyer=buyer)
        order = orders.first()
        if order is None:
            raise NotFound()
        was_paid = order.status == OrderStatus.PAID
        if was_paid and order.fulfilments.exclude(status=FulfilmentStatus.TO_SHIP).exists():
            raise CancelNotAllowed(current_state=order.status)
        if was_paid and order.awaiting_group and actor_kind != Actor.GROUP:  # 拼团: its group's outcome decides
            raise CancelNotAllowed(current_state=order.status)
        status_set(
            order, OrderStatus.CANCELLED, actor_kind=actor_kind, actor=by, reason=reason, cancelled_at=timezone.now()
        )
        _fulfilments_cancel([order.pk], actor_kind, by, reason)
        stock_return(_units_reserved([order.pk]))
        if not was_paid:
            payment_close_queue([order.pk])
            order_coupons_give_back(order_ids=[order.pk])
        if was_paid:
            refunds_supersede(order=order, actor_kind=actor_kind, actor=by)
            for line in OrderLine.objects.filter(order=order).order_by("pk"):
                if line.refundable_amount > 0:
                    refund_open(
                        order=order,
                        line=line,
                        amount=line.refundable_amount,
                        reason=reason or Reason.ORDER_CANCELLED,
                        kind=RefundKind.CANCELLATION,
                        actor_kind=actor_kind,
                        actor=by,
                    )
    return order


def orders_group_decided(*, order_ids: list[int]) -> int:
    """Group buying (拼团, ``groupbuy``): these orders' group is decided, in
    the caller's transaction. Filled: they go on to fulfilment (suppliers
    see them, they may ship). Failed: the caller cancels them (refunded),
    and reconcile expects their commission decision like any paid order's.
    Returns how many were waiting."""
    return Order.objects.filter(pk__in=order_ids, awaiting_group=True).update(awaiting_group=False)


def _completed_fields(now: datetime) -> dict:
    return {"completed_at": now, "after_sales_ends_at": now + order_settings_get().after_sales_window}


def order_confirm_receipt(*, order_id: int, buyer: User) -> Order:
    """The buyer says the parcels arrived: any parcel still on its way counts
    as delivered, and the order completes (its after-sales window starts)."""
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(pk=order_id, buyer=buyer).first()
        if order is None:
            raise NotFound()
        now = timezone.now()
        if order.status == OrderStatus.SHIPPED:
            groups = list(
                FulfilmentGroup.objects.select_for_update().filter(order=order, status=FulfilmentStatus.SHIPPED)
            )
            status_set_many(
                FulfilmentGroup,
                groups,
                FulfilmentStatus.DELIVERED,
                actor_kind=Actor.BUYER,
                actor=buyer,
                reason=Reason.RECEIPT_CONFIRMED,
                delivered_at=now,
            )
        status_set(
            order,
            OrderStatus.COMPLETED,
            actor_kind=Actor.BUYER,
            actor=buyer,
            reason=Reason.RECEIPT_CONFIRMED,
            delivered_at=order.delivered_at or now,
            **_completed_fields(now),
        )
        order_event_emit(order_completed, order_id=order.pk)
    return order


def _in_batches(orders, batch_size: int, handle) -> int:
    """Lock ``batch_size`` orders at a time (``SKIP LOCKED``: another worker
    takes others), hand them to ``handle`` in that batch's transaction, until
    none is left; ``handle`` answers how many it moved."""
    done = 0
    while True:
        with transaction.atomic():
            batch = list(orders.select_for_update(skip_locked=True).order_by("pk")[:batch_size])
            if not batch:
                return done
            done += handle(batch)


def orders_expire_unpaid(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Cancel orders unpaid for longer than the setting (30 minutes by
    default) and give their stock back. Returns how many."""
    now = now or timezone.now()
    cutoff = now - order_settings_get().unpaid_expiry
    reason = Reason.NOT_PAID_IN_TIME

    def expire(orders: list[Order]) -> int:
        ids = status_set_many(
            Order, orders, OrderStatus.CANCELLED, actor_kind=Actor.SYSTEM, reason=reason, cancelled_at=now
        )
        _fulfilments_cancel(ids, Actor.SYSTEM, None, reason)
        stock_return(_units_reserved(ids))
        payment_close_queue(ids)
        order_coupons_give_back(order_ids=ids, now=now)
        return len(ids)

    return _in_batches(
        Order.objects.filter(status=OrderStatus.PENDING_PAYMENT, created_at__lte=cutoff), batch_size, expire
    )


def orders_auto_complete(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Complete orders delivered longer ago than the setting (7 days by
    default); each sends ``order_completed`` after its batch commits."""
    now = now or timezone.now()
    settings = order_settings_get()

    def complete(orders: list[Order]) -> int:
        ids = status_set_many(
            Order,
            orders,
            OrderStatus.COMPLETED,
            actor_kind=Actor.SYSTEM,
            reason=Reason.COMPLETED_AUTOMATICALLY,
            completed_at=now,
            after_sales_ends_at=now + settings.after_sales_window,
        )
        for order_id in ids:
            order_event_emit(order_completed, order_id=order_id)
        return len(ids)

    due = Order.objects.filter(status=OrderStatus.DELIVERED, delivered_at__lte=now - settings.auto_complete_window)
    return _in_batches(due, batch_size, complete)


def fulfilments_auto_deliver(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Parcels shipped longer ago than the setting (7 days by default) count
    as delivered; an order whose parcels are all delivered becomes
    delivered. Orders are locked before their parcels, as everywhere."""
    now = now or timezone.now()
    due = FulfilmentGroup.objects.filter(
        status=FulfilmentStatus.SHIPPED, shipped_at__lte=now - order_settings_get().auto_deliver_window
    )

    def deliver(orders: list[Order]) -> int:
        groups = list(due.select_for_update().filter(order__in=[order.pk for order in orders]).order_by("pk"))
        moved = status_set_many(
            FulfilmentGroup,
            groups,
            FulfilmentStatus.DELIVERED,
            actor_kind=Actor.SYSTEM,
            reason=Reason.DELIVERED_AUTOMATICALLY,
            delivered_at=now,
        )
        orders_delivered_if_complete(orders, now)
        return len(moved)

    return _in_batches(Order.objects.filter(Exists(due.filter(order=OuterRef("pk")))), batch_size, deliver)


def orders_delivered_if_complete(orders: list[Order], now: datetime) -> list[int]:
    """Of these locked orders, those shipped whose every parcel is delivered
    (or cancelled) become delivered."""
    still_out = FulfilmentGroup.objects.filter(
        order=OuterRef("pk"), status__in=[FulfilmentStatus.TO_SHIP, FulfilmentStatus.SHIPPED]
    )
    complete = set(
        Order.objects.filter(pk__in=[order.pk for order in orders], status=OrderStatus.SHIPPED)
        .exclude(Exists(still_out))
        .values_list("pk", flat=True)
    )
    return status_set_many(
        Order,
        [order for order in orders if order.pk in complete],
        OrderStatus.DELIVERED,
        actor_kind=Actor.SYSTEM,
        reason=Reason.EVERY_PARCEL_DELIVERED,
        delivered_at=now,
    )
