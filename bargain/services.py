"""Bargaining (砍价): the only writers of campaigns, bargains and helps.

Lock order: the bargain, then (through ``orders``' services) its order, then
the SKU. A help locks the bargain row, so helps of one bargain land one at a
time: the ``n``-th help takes the ``n``-th cut of the bargain's seeded plan
(``calculations.bargain_cuts``), and two helps can never both take the last
one. Buying places the order through ``orders.services.placing.order_place``
at the bargain's price (the campaign-price case of ``orders.pricing``,
``FlashTerms``: the price and the campaign's commission share, which the line
keeps and the payment's snapshot records) and moves the bargain to
``ordered``: no more helps. docs/bargaining.md.
"""

import secrets
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.models import Sku
from groupbuy.choices import CommissionMode
from orders.choices import OrderStatus
from orders.models import Order
from orders.pricing import FlashTerms, LineRequest
from orders.services.addresses import ShippingAddress
from orders.services.placing import order_place
from socialshop.errors import NotFound
from socialshop.events import event_emit
from socialshop.money import BASIS_POINTS
from socialshop.states import SYSTEM, StateMachine, state_set, state_set_many

from .calculations import bargain_cut
from .choices import BARGAIN_TRANSITIONS, BUYER, HELPS_MAX, HELPS_MIN, BargainStatus
from .events import bargain_bought, bargain_helped
from .exceptions import (
    AlreadyHelped,
    AlreadyStarted,
    BargainClosed,
    CampaignInvalid,
    CampaignNotRunning,
    FloorReached,
    InvalidTransition,
    NewUsersOnly,
    SelfHelp,
)
from .models import Bargain, BargainCampaign, Help, StatusChange

BARGAIN_MACHINE = StateMachine(transitions=BARGAIN_TRANSITIONS, error=InvalidTransition)

TIME_LIMIT_MIN, TIME_LIMIT_MAX = timedelta(minutes=5), timedelta(days=7)


def _audit(actor_kind: str, actor: User | None, reason: str):
    def write(row, from_status: str, to_status: str) -> StatusChange:
        return StatusChange(
            bargain_id=row.pk,
            from_status=from_status,
            to_status=to_status,
            actor_kind=actor_kind,
            actor=actor,
            reason=reason[:200],
        )

    return write


def _move(bargain: Bargain, to_status: str, *, actor_kind: str = SYSTEM, actor=None, reason: str = "", **kw):
    audit = _audit(actor_kind, actor, reason)
    state_set(bargain, to_status, machine=BARGAIN_MACHINE, actor_kind=actor_kind, audit=audit, **kw)


def commission_share_bps(campaign: BargainCampaign) -> int:
    """The share of the plan's commission a bargain line earns: group
    buying's modes (full, reduced, none), read the same way."""
    return {CommissionMode.FULL: BASIS_POINTS, CommissionMode.NONE: 0}.get(
        campaign.commission_mode, campaign.commission_bps
    )


# --- campaigns ---------------------------------------------------------------------------------


def campaign_create(
    *,
    by: User,
    sku: Sku,
    title: str,
    start_price_amount: int,
    floor_price_amount: int,
    helps_needed: int,
    time_limit: timedelta,
    starts_at: datetime,
    ends_at: datetime,
    helpers_must_be_new: bool = False,
    commission_mode: str = CommissionMode.NONE,
    commission_bps: int = 0,
) -> BargainCampaign:
    """An operator's campaign. The floor is never below the SKU's cost (as
    group buying checks its prices: nobody sells below cost) and the start
    never above its list price; each help must be able to cut at least one
    fen (start − floor ≥ K). CampaignInvalid names what is wrong, and
    nothing is written."""
    errors: dict[str, list[str]] = {}
    if not HELPS_MIN <= helps_needed <= HELPS_MAX:
        errors["helps_needed"] = [_("Between %(low)d and %(high)d.") % {"low": HELPS_MIN, "high": HELPS_MAX}]
    if not TIME_LIMIT_MIN <= time_limit <= TIME_LIMIT_MAX:
        errors["time_limit"] = [_("Between 5 minutes and 7 days.")]
    if ends_at <= starts_at:
        errors["ends_at"] = [_("After the start.")]
    if floor_price_amount < sku.cost_amount:
        errors["floor_price_amount"] = [_("Not below the SKU's cost.")]
    if start_price_amount > sku.list_price_amount:
        errors["start_price_amount"] = [_("Not above the SKU's list price.")]
    elif start_price_amount - floor_price_amount < helps_needed:
        errors["start_price_amount"] = [_("At least one fen above the floor for every help.")]
    if commission_mode not in CommissionMode.values:
        errors["commission_mode"] = [_("Choose from the list.")]
    elif (commission_mode == CommissionMode.REDUCED) != (1 <= commission_bps <= 9999) or (
        commission_mode != CommissionMode.REDUCED and commission_bps
    ):
        errors["commission_bps"] = [_("A reduced commission is 0.01% to 99.99% of the full one.")]
    if errors:
        raise CampaignInvalid(fields=errors)
    return BargainCampaign.objects.create(
        title=title.strip()[:60] or sku.product.title[:60],
        sku=sku,
        start_price_amount=start_price_amount,
        floor_price_amount=floor_price_amount,
        helps_needed=helps_needed,
        time_limit=time_limit,
        helpers_must_be_new=helpers_must_be_new,
        commission_mode=commission_mode,
        commission_bps=commission_bps,
        starts_at=starts_at,
        ends_at=ends_at,
        created_by=by,
    )


def campaign_end(*, campaign_id: int, now: datetime | None = None) -> BargainCampaign:
    """No new bargains from now; running ones keep their own time."""
    now = now or timezone.now()
    with transaction.atomic():
        campaign = BargainCampaign.objects.select_for_update().filter(pk=campaign_id).first()
        if campaign is None:
            raise NotFound()
        if campaign.ends_at > now:
            campaign.ends_at = max(now, campaign.starts_at + timedelta(seconds=1))
            campaign.save(update_fields=["ends_at"])
    return campaign


# --- starting and helping ------------------------------------------------------------------------


def bargain_start(*, starter: User, campaign_id: int, now: datetime | None = None) -> Bargain:
    """The buyer starts its bargain (发起砍价) at the campaign's starting
    price, with a fresh seed; it may buy until ``expires_at`` (the
    campaign's time limit, at most the campaign's end). One per person per
    campaign (AlreadyStarted, backed by the unique constraint)."""
    now = now or timezone.now()
    campaign = BargainCampaign.objects.select_related("sku__product__supplier").filter(pk=campaign_id).first()
    if campaign is None:
        raise NotFound()
    if not campaign.starts_at <= now < campaign.ends_at or not campaign.sku.is_buyable:
        raise CampaignNotRunning()
    if Bargain.objects.filter(campaign=campaign, starter=starter).exists():
        raise AlreadyStarted()
    try:
        with transaction.atomic():
            return Bargain.objects.create(
                campaign=campaign,
                starter=starter,
                seed=secrets.randbits(62),
                start_price_amount=campaign.start_price_amount,
                floor_price_amount=campaign.floor_price_amount,
                helps_needed=campaign.helps_needed,
                current_price_amount=campaign.start_price_amount,
                expires_at=min(now + campaign.time_limit, campaign.ends_at),
            )
    except IntegrityError as error:  # the same buyer starting twice at once: the constraint decides
        raise AlreadyStarted() from error


def _is_new_user(user: User, bargain: Bargain) -> bool:
    """New (拉新): the account was made after the bargain started and has
    never paid an order."""
    return (
        user.date_joined >= bargain.created_at and not Order.objects.filter(buyer=user, paid_at__isnull=False).exists()
    )


def bargain_help(*, helper: User, bargain_id: int, client_address: str = "", now: datetime | None = None) -> Help:
    """A friend helps (帮砍): under the bargain's row lock, the next cut of
    its seeded plan lands and the price drops by it; the K-th lands on the
    floor. Refused, with nothing written: SelfHelp, BargainClosed (bought,
    ordered or out of time), FloorReached, AlreadyHelped (once per friend,
    backed by the unique constraint), NewUsersOnly. Writes
    ``bargain.helped`` for the starter's notice."""
    now = now or timezone.now()
    with transaction.atomic():
        bargain = Bargain.objects.select_for_update().filter(pk=bargain_id).first()
        if bargain is None:
            raise NotFound()
        if bargain.starter_id == helper.pk:
            raise SelfHelp()
        _order_outcome_apply(bargain, now)
        if bargain.status != BargainStatus.ACTIVE or bargain.expires_at <= now:
            raise BargainClosed()
        if bargain.helps_count >= bargain.helps_needed:
            raise FloorReached()
        if Help.objects.filter(bargain=bargain, helper=helper).exists():
            raise AlreadyHelped()
        campaign = BargainCampaign.objects.only("helpers_must_be_new").get(pk=bargain.campaign_id)
        if campaign.helpers_must_be_new and not _is_new_user(helper, bargain):
            raise NewUsersOnly()
        number = bargain.helps_count + 1
        cut = bargain_cut(
            seed=bargain.seed,
            helps_needed=bargain.helps_needed,
            start_amount=bargain.start_price_amount,
            floor_amount=bargain.floor_price_amount,
            help_number=number,
        )
        price_after = bargain.current_price_amount - cut
        try:
            with transaction.atomic():
                help_row = Help.objects.create(
                    bargain=bargain,
                    helper=helper,
                    number=number,
                    cut_amount=cut,
                    price_after_amount=price_after,
                    client_address=client_address[:45],
                )
        except IntegrityError as error:
            raise AlreadyHelped() from error
        bargain.current_price_amount, bargain.helps_count = price_after, number
        bargain.save(update_fields=["current_price_amount", "helps_count"])
        event_emit(
            type=bargain_helped,
            aggregate_type="bargain",
            aggregate_id=bargain.pk,
            payload={
                "bargain_id": bargain.pk,
                "starter_id": bargain.starter_id,
                "helper_id": helper.pk,
                "cut_amount": cut,
                "price_amount": price_after,
                "helps_left": bargain.helps_needed - number,
            },
        )
    return help_row


# --- buying ----------------------------------------------------------------------------------------


def bargain_buy(
    *, starter: User, bargain_id: int, address: ShippingAddress, note: str = "", now: datetime | None = None
) -> Order:
    """The starter buys one unit at the price reached (立即购买), at any time
    before ``expires_at``: the order is placed through the placing service
    (its checks, attribution, stock) and the bargain moves to ``ordered``,
    so no more helps land. Buying again while that order waits answers the
    same order. NotFound for another's bargain; BargainClosed once bought or
    out of time; placing's own errors change nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        bargain = (
            Bargain.objects.select_for_update(of=("self",))
            .select_related("campaign")
            .filter(pk=bargain_id, starter=starter)
            .first()
        )
        if bargain is None:
            raise NotFound()
        _order_outcome_apply(bargain, now)
        if bargain.status == BargainStatus.ORDERED:
            return Order.objects.get(pk=bargain.order_id)
        if bargain.status != BargainStatus.ACTIVE or bargain.expires_at <= now:
            raise BargainClosed()
        campaign = bargain.campaign
        order = order_place(
            buyer=starter,
            lines=[
                LineRequest(
                    sku_id=campaign.sku_id,
                    quantity=1,
                    flash=FlashTerms(
                        price_amount=bargain.current_price_amount,
                        commission_share_bps=commission_share_bps(campaign),
                        coupons_apply=False,
                    ),
                )
            ],
            address=address,
            note=note,
        )
        _move(bargain, BargainStatus.ORDERED, actor_kind=BUYER, actor=starter, reason=order.number, order=order)
    return order


def _order_outcome_apply(bargain: Bargain, now: datetime) -> str:
    """Under the bargain's lock: an ``ordered`` bargain follows its order.
    Paid → ``bought``. Cancelled unpaid → the bargain reopens with its helps
    (``active``) if its time is left, else ``expired``. Otherwise nothing.
    A caller that then refuses (and so rolls back) loses the move; the
    sweep makes it again."""
    if bargain.status != BargainStatus.ORDERED:
        return ""
    status, paid_at = Order.objects.filter(pk=bargain.order_id).values_list("status", "paid_at")[0]
    if paid_at is not None:
        _bought(bargain, now)
        return BargainStatus.BOUGHT
    if status == OrderStatus.CANCELLED:
        reopen = bargain.expires_at > now
        target = BargainStatus.ACTIVE if reopen else BargainStatus.EXPIRED
        reason = f"order #{bargain.order_id} cancelled unpaid"
        _move(bargain, target, reason=reason, order=None, finished_at=None if reopen else now)
        return target
    return ""


def _bought(bargain: Bargain, now: datetime) -> None:
    def event(row):
        return (
            bargain_bought,
            "bargain",
            row.pk,
            {
                "bargain_id": row.pk,
                "starter_id": row.starter_id,
                "order_id": row.order_id,
                "price_amount": row.current_price_amount,
            },
        )

    state_set(
        bargain,
        BargainStatus.BOUGHT,
        machine=BARGAIN_MACHINE,
        actor_kind=SYSTEM,
        audit=_audit(SYSTEM, None, "order paid"),
        event=event,
        finished_at=now,
    )


def bargain_order_paid(*, order_id: int) -> str:
    """On ``order.paid``: the bargain whose order it is becomes ``bought``.
    Idempotent; a note for the event's receipt."""
    with transaction.atomic():
        bargain_id = Bargain.objects.filter(order_id=order_id).values_list("pk", flat=True).first()
        if bargain_id is None:
            return "not a bargain order"
        bargain = Bargain.objects.select_for_update().get(pk=bargain_id)
        if bargain.status != BargainStatus.ORDERED or bargain.order_id != order_id:
            return f"bargain already {bargain.status}"
        _bought(bargain, timezone.now())
        return "bargain bought"


def bargains_sweep(*, now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Beat: ordered bargains follow their orders (paid → bought, cancelled
    unpaid → reopened or expired); active bargains past their time expire.
    ``SKIP LOCKED``: two sweeps take different rows; safe to run twice."""
    now = now or timezone.now()
    counts = {BargainStatus.BOUGHT: 0, BargainStatus.ACTIVE: 0, BargainStatus.EXPIRED: 0}
    settled = Bargain.objects.filter(status=BargainStatus.ORDERED).exclude(
        order__status=OrderStatus.PENDING_PAYMENT, order__paid_at__isnull=True
    )
    for bargain_id in list(settled.values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            bargain = Bargain.objects.select_for_update(skip_locked=True).filter(pk=bargain_id).first()
            if bargain is not None and (moved := _order_outcome_apply(bargain, now)):
                counts[moved] += 1
    with transaction.atomic():
        due = list(
            Bargain.objects.select_for_update(skip_locked=True)
            .filter(status=BargainStatus.ACTIVE, expires_at__lte=now)
            .order_by("pk")[:limit]
        )
        counts[BargainStatus.EXPIRED] += len(
            state_set_many(
                Bargain,
                due,
                BargainStatus.EXPIRED,
                machine=BARGAIN_MACHINE,
                actor_kind=SYSTEM,
                audit=_audit(SYSTEM, None, "time ran out"),
                finished_at=now,
            )
        )
    return counts
