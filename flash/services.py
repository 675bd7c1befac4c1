"""Flash sales: the only writers of campaigns' stock, counts and admissions.

The path of a tap on 立即抢购 (docs/flash-sales.md):

1. ``flash_admit`` asks the Redis gate (``flash.gate``, one Lua script):
   sold out, limit reached, not started or ended are answered there, with
   no query;
2. an admitted buyer is written to PostgreSQL with one conditional UPDATE
   (``taken = taken + 1`` only where ``taken < flash_stock``) and the
   per-person count re-checked under that row's lock: PostgreSQL can still
   refuse, and then the gate is rebuilt from it;
3. ``flash_order_place`` turns the admission into an order through the
   normal placing service (``orders.services.placing.order_place``) at the
   flash price (``orders.pricing.FlashTerms``);
4. ``flash_admissions_expire`` gives back what was not ordered or not paid
   within the campaign's ``hold_minutes`` (and what a cancelled order held);
   the gate gets the unit back once that commits.

Stock: when a slot opens, ``flash_item_open`` takes the flash stock from the
SKU through ``catalog.stock`` (conditional, in the lock order); the slot's
close gives back what was not sold. A flash order's unit is handed back to
the SKU and taken again by placing in one transaction, the SKU locked
throughout, so placing's check and conditional update still back it.

Locks, always in this order: admission, flash item, order, SKU.
"""

import logging
import secrets
import time
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from redis.exceptions import RedisError

from accounts.models import User
from catalog.stock import stock_lock, stock_return, stock_take
from orders.choices import Actor, OrderStatus, Reason
from orders.models import Order
from orders.pricing import FlashTerms, LineRequest
from orders.services.addresses import ShippingAddress
from orders.services.lifecycle import order_cancel
from orders.services.placing import order_place
from socialshop.errors import NotFound
from socialshop.states import SYSTEM, StateMachine, state_set

from . import gate
from .choices import ACTIVE_ADMISSIONS, ADMISSION_TRANSITIONS, BUYER, AdmissionStatus
from .exceptions import (
    AdmissionExpired,
    FlashEnded,
    FlashLimitReached,
    FlashNotStarted,
    FlashSoldOut,
    FlashUnavailable,
)
from .models import FlashAdmission, FlashItem

logger = logging.getLogger(__name__)

ADMISSION_MACHINE = StateMachine(transitions=ADMISSION_TRANSITIONS, error=AdmissionExpired)
GATE_KEPT_AFTER_CLOSE_SECONDS = 3600
REBUILD_WAIT_SECONDS = 2.0

_REFUSALS = {
    gate.SOLD_OUT: FlashSoldOut,
    gate.LIMIT_REACHED: FlashLimitReached,
    gate.NOT_STARTED: FlashNotStarted,
    gate.ENDED: FlashEnded,
}


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


# --- the slot's stock ------------------------------------------------------------------------


def flash_item_open(*, item_id: int, now: datetime | None = None) -> bool:
    """Take the item's flash stock from its SKU as its slot opens: as many
    of ``planned_stock`` as the SKU has (``catalog.stock``'s conditional
    take, under the SKU's lock), then rebuild the gate. Idempotent: False
    when already opened, closed, or outside the slot."""
    now = now or timezone.now()
    with transaction.atomic():
        item = FlashItem.objects.select_for_update().select_related("campaign").filter(pk=item_id).first()
        if item is None or item.opened_at or item.closed_at:
            return False
        if not item.campaign.starts_at <= now < item.campaign.ends_at:
            return False
        sku = stock_lock([item.sku_id]).get()
        units = min(sku.stock, item.planned_stock)
        if units and not stock_take({sku.pk: units}):
            raise RuntimeError("the locked SKU gave fewer units than it has")  # cannot happen under the lock
        FlashItem.objects.filter(pk=item.pk).update(flash_stock=units, opened_at=now)
        transaction.on_commit(lambda: _gate_rebuild_quietly(item.pk))
    return True


def _gate_rebuild_quietly(item_id: int) -> None:
    try:
        flash_gate_rebuild(item_id=item_id)
    except RedisError as error:  # the first tap rebuilds it
        logger.warning("flash gate of item %s not rebuilt: %s", item_id, error)


def flash_items_open(*, now: datetime | None = None) -> int:
    """Beat: open every item whose slot has started (and not ended)."""
    now = now or timezone.now()
    due = FlashItem.objects.filter(
        opened_at__isnull=True, closed_at__isnull=True, campaign__starts_at__lte=now, campaign__ends_at__gt=now
    ).values_list("pk", flat=True)
    return sum(flash_item_open(item_id=item_id, now=now) for item_id in list(due))


def flash_items_close(*, now: datetime | None = None) -> int:
    """Beat: for every item whose slot has ended, release the admissions not
    ordered and give the flash stock not sold back to the SKU (one
    ``stock_return``). Idempotent (``closed_at``). Returns how many closed."""
    now = now or timezone.now()
    due = FlashItem.objects.filter(closed_at__isnull=True, campaign__ends_at__lte=now).values_list("pk", flat=True)
    closed = 0
    for item_id in list(due):
        with transaction.atomic():
            item = FlashItem.objects.select_for_update().filter(pk=item_id, closed_at__isnull=True).first()
            if item is None:
                continue
            waiting = list(
                FlashAdmission.objects.select_for_update().filter(item=item, status=AdmissionStatus.ADMITTED)
            )
            for admission in waiting:
                state_set(
                    admission, AdmissionStatus.RELEASED, machine=ADMISSION_MACHINE, actor_kind=SYSTEM, released_at=now
                )
            unsold = item.flash_stock - item.sold
            if unsold:
                stock_return({item.sku_id: unsold})
            FlashItem.objects.filter(pk=item.pk).update(taken=F("taken") - len(waiting), closed_at=now)
            closed += 1
    return closed


# --- the gate ----------------------------------------------------------------------------------


def _gate_rebuild_locked(item_id: int) -> None:
    """Write the gate from PostgreSQL's counts, the item row locked (by the
    caller's transaction, or here): an admission or a release commits
    either before the read, or after the gate is written (its own gate
    call then finds the rebuilt keys)."""
    item = FlashItem.objects.select_for_update().select_related("campaign").get(pk=item_id)
    held = list(
        FlashAdmission.objects.filter(item_id=item_id, status__in=ACTIVE_ADMISSIONS).values_list("buyer_id", "token")
    )
    buyers: dict[int, int] = {}
    for buyer_id, _token in held:
        buyers[buyer_id] = buyers.get(buyer_id, 0) + 1
    ready = item.opened_at is not None and item.closed_at is None
    state = gate.GateState(
        left=item.flash_stock - item.taken if ready else 0,
        limit=item.campaign.per_person_limit,
        opens_ms=_ms(item.campaign.starts_at),
        closes_ms=_ms(item.campaign.ends_at),
        ready=ready,
        buyers=buyers,
        tokens=[token for _buyer, token in held],
    )
    ttl = int((item.campaign.ends_at - timezone.now()).total_seconds()) + GATE_KEPT_AFTER_CLOSE_SECONDS
    gate.gate_rebuild(item_id=item_id, state=state, ttl_seconds=ttl)


def flash_gate_rebuild(*, item_id: int) -> None:
    """Rebuild the item's gate from PostgreSQL (after a Redis restart, or
    when PostgreSQL refused someone the gate let through)."""
    with transaction.atomic():
        _gate_rebuild_locked(item_id)


def _gate_ensure(item_id: int, now: datetime) -> None:
    """The gate has no keys for the item, or its slot opened before the
    beat took the stock: open the item if due, and rebuild the gate (one
    caller at a time; the others wait for it)."""
    if not FlashItem.objects.filter(pk=item_id).exists():
        raise NotFound()
    if gate.gate_lock(item_id=item_id):
        try:
            flash_item_open(item_id=item_id, now=now)  # does nothing unless due
            flash_gate_rebuild(item_id=item_id)
        finally:
            gate.gate_unlock(item_id=item_id)
        return
    deadline = time.monotonic() + REBUILD_WAIT_SECONDS
    while time.monotonic() < deadline and gate.gate_read(item_id=item_id) is None:
        time.sleep(0.02)


@dataclass(frozen=True)
class Admitted:
    token: str
    expires_at: datetime
    item_id: int


def flash_admit(*, item_id: int, buyer: User, now: datetime | None = None) -> Admitted:
    """One tap on 立即抢购. Answers from the gate when the buyer is refused
    (FlashSoldOut, FlashLimitReached, FlashNotStarted, FlashEnded: no query);
    an admitted buyer is recorded in PostgreSQL, which may still refuse
    (then the gate is rebuilt from it) and gets a token to place the order
    with before ``expires_at``. FlashUnavailable when Redis does not answer;
    NotFound for an unknown item."""
    now = now or timezone.now()
    token = secrets.token_urlsafe(16)
    try:
        for _attempt in range(3):
            outcome = gate.gate_admit(item_id=item_id, buyer_id=buyer.pk, token=token, now_ms=_ms(now))
            if outcome != gate.REBUILD:
                break
            _gate_ensure(item_id, now)
        else:
            raise FlashUnavailable()
    except RedisError as error:
        logger.warning("flash gate unavailable: %s", error)
        raise FlashUnavailable() from error
    if outcome != gate.ADMITTED:
        raise _REFUSALS[outcome]()
    try:
        admission = _admission_record(item_id, buyer, token, now)
    except (FlashSoldOut, FlashLimitReached):
        # the gate let through someone PostgreSQL refuses: the gate was behind (a lost release, a rebuild
        # racing an admission); PostgreSQL's counts put it right
        flash_gate_rebuild(item_id=item_id)
        raise
    return Admitted(token=admission.token, expires_at=admission.expires_at, item_id=item_id)


def _admission_record(item_id: int, buyer: User, token: str, now: datetime) -> FlashAdmission:
    with transaction.atomic():
        took = FlashItem.objects.filter(
            pk=item_id, taken__lt=F("flash_stock"), opened_at__isnull=False, closed_at__isnull=True
        ).update(taken=F("taken") + 1)
        if not took:
            raise FlashSoldOut()
        # the row is locked by the update until commit: the buyer's count cannot change meanwhile
        item = FlashItem.objects.select_related("campaign").get(pk=item_id)
        holding = FlashAdmission.objects.filter(item_id=item_id, buyer=buyer, status__in=ACTIVE_ADMISSIONS).count()
        if holding >= item.campaign.per_person_limit:
            raise FlashLimitReached()
        return FlashAdmission.objects.create(
            item=item, buyer=buyer, token=token, created_at=now, expires_at=now + item.campaign.hold
        )


def _gate_release_on_commit(admission: FlashAdmission) -> None:
    def release():
        try:
            gate.gate_release(item_id=admission.item_id, buyer_id=admission.buyer_id, token=admission.token)
        except RedisError as error:  # the gate is rebuilt from PostgreSQL when Redis is back
            logger.warning("flash gate release failed (%s); the next rebuild restores the unit", error)

    transaction.on_commit(release)


# --- ordering ----------------------------------------------------------------------------------


def flash_order_place(
    *,
    buyer: User,
    token: str,
    address: ShippingAddress,
    note: str = "",
    shop_slug: str | None = None,
    now: datetime | None = None,
) -> Order:
    """Turn the buyer's admission into an order of one unit at the flash
    price, through ``order_place`` (its checks, attribution and stock). The
    unit goes from the flash stock to the SKU and is taken by placing, in
    this transaction, the SKU locked throughout. Sending the same token
    again answers the order already placed. NotFound for another's or an
    unknown token; AdmissionExpired once released or past its time; the
    placing service's errors (address, not buyable) change nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        admission = FlashAdmission.objects.select_for_update().filter(token=token, buyer=buyer).first()
        if admission is None:
            raise NotFound()
        if admission.status == AdmissionStatus.ORDERED:
            return Order.objects.get(pk=admission.order_id)
        if admission.status != AdmissionStatus.ADMITTED or admission.expires_at <= now:
            raise AdmissionExpired()
        item = FlashItem.objects.select_for_update().select_related("campaign").get(pk=admission.item_id)
        if item.closed_at is not None or item.sold >= item.taken:
            raise AdmissionExpired()
        campaign = item.campaign
        stock_return({item.sku_id: 1})  # locks the SKU until commit: the unit is placing's to take
        order = order_place(
            buyer=buyer,
            lines=[
                LineRequest(
                    sku_id=item.sku_id,
                    quantity=1,
                    shop_slug=shop_slug or None,
                    flash=FlashTerms(
                        price_amount=item.flash_price_amount,
                        commission_share_bps=campaign.commission_share,
                        coupons_apply=campaign.coupons_apply,
                    ),
                )
            ],
            address=address,
            note=note,
        )
        FlashItem.objects.filter(pk=item.pk).update(sold=F("sold") + 1)
        state_set(admission, AdmissionStatus.ORDERED, machine=ADMISSION_MACHINE, actor_kind=BUYER, order=order)
    return order


# --- giving back -----------------------------------------------------------------------------


def _due(now: datetime) -> Q:
    return (
        Q(status=AdmissionStatus.ADMITTED, expires_at__lte=now)
        | Q(status=AdmissionStatus.ORDERED, order__status=OrderStatus.PENDING_PAYMENT, expires_at__lte=now)
        | Q(status=AdmissionStatus.ORDERED, order__status=OrderStatus.CANCELLED)
    )


def flash_admissions_expire(*, now: datetime | None = None) -> int:
    """Beat: give back every unit an admission holds in vain: not ordered,
    or ordered and not paid, within the campaign's ``hold_minutes`` (the
    order is cancelled), or ordered and the order cancelled since. During
    the slot the unit goes back to the flash stock (from the SKU, where the
    cancellation put it) and to the gate once this commits; after it, the
    cancellation already gave it to the SKU. Idempotent. Returns how many."""
    now = now or timezone.now()
    released = 0
    for admission_id in list(FlashAdmission.objects.filter(_due(now)).values_list("pk", flat=True)[:1000]):
        with transaction.atomic():
            admission = FlashAdmission.objects.select_for_update(skip_locked=True).filter(pk=admission_id).first()
            if admission is None or admission.status == AdmissionStatus.RELEASED:
                continue
            if _admission_release(admission, now):
                released += 1
    return released


def _admission_release(admission: FlashAdmission, now: datetime) -> bool:
    item = FlashItem.objects.select_for_update().get(pk=admission.item_id)
    ordered = admission.status == AdmissionStatus.ORDERED
    if ordered:
        order = Order.objects.select_for_update().get(pk=admission.order_id)
        if order.status == OrderStatus.PENDING_PAYMENT:
            if admission.expires_at > now:
                return False
            order_cancel(order_id=order.pk, by=None, actor_kind=Actor.SYSTEM, reason=Reason.NOT_PAID_IN_TIME)
        elif order.status != OrderStatus.CANCELLED:
            return False  # paid meanwhile: the unit is sold
    elif admission.expires_at > now:
        return False
    state_set(admission, AdmissionStatus.RELEASED, machine=ADMISSION_MACHINE, actor_kind=SYSTEM, released_at=now)
    counts = {"taken": F("taken") - 1}
    back_to_gate = item.closed_at is None
    if ordered:
        counts["sold"] = F("sold") - 1
        # the cancellation gave the unit to the SKU: during the slot it comes back to the flash stock, unless
        # a regular buyer took it in between (the flash stock then shrinks by it)
        if item.closed_at is None and not stock_take({item.sku_id: 1}):
            counts["flash_stock"] = F("flash_stock") - 1
            back_to_gate = False
            transaction.on_commit(lambda: flash_gate_rebuild(item_id=item.pk))
    FlashItem.objects.filter(pk=item.pk).update(**counts)
    if back_to_gate:
        _gate_release_on_commit(admission)
    return True


def flash_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """The beat's one task: open due slots, give back what was held in vain,
    close ended slots."""
    now = now or timezone.now()
    return {
        "opened": flash_items_open(now=now),
        "released": flash_admissions_expire(now=now),
        "closed": flash_items_close(now=now),
    }
