"""Group buying (拼团): the only writers of campaigns, groups and members.

Locks are taken group first, then its members, then an order (through
``orders``' own services, which lock the order, then the SKUs): the join,
the payment's consumer and the expiry sweep all follow it, so they never
wait on each other in a circle (payment callbacks lock only the order).

A group never has more than N paid members because only members holding a
seat can pay: a join takes a seat (``seats_taken`` + 1 under the group's
lock, ``CHECK seats_taken <= size`` behind it) and places the order at the
group price; the seat is held for ``GROUPBUY_SEAT_HOLD_MINUTES``; a seat not
paid by then is released and its order cancelled, so a payment that arrives
later is for a cancelled order and goes back automatically (``orders``'
"paid after cancel" refund). docs/group-buying.md.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.models import Product, Sku, Supplier
from orders.choices import Actor, OrderStatus, Reason
from orders.models import Order
from orders.pricing import LineRequest
from orders.services.addresses import ShippingAddress
from orders.services.lifecycle import order_cancel, orders_group_decided
from orders.services.placing import order_place
from socialshop.errors import NotFound
from socialshop.events import event_emit
from socialshop.money import BASIS_POINTS
from socialshop.states import SYSTEM, StateMachine, state_set

from .choices import (
    CAMPAIGN_TRANSITIONS,
    GROUP_SIZE_MAX,
    GROUP_SIZE_MIN,
    GROUP_TRANSITIONS,
    MEMBER_TRANSITIONS,
    OPERATOR,
    SUPPLIER,
    CampaignStatus,
    CommissionMode,
    GroupStatus,
    MemberStatus,
)
from .events import group_failed, group_member_paid, group_succeeded
from .exceptions import (
    AlreadyInGroup,
    CampaignInvalid,
    CampaignNotRunning,
    GroupClosed,
    GroupFull,
    InvalidTransition,
    OverPersonLimit,
)
from .models import Campaign, CampaignSku, Group, Member, StatusChange

CAMPAIGN_MACHINE = StateMachine(transitions=CAMPAIGN_TRANSITIONS, error=InvalidTransition)
GROUP_MACHINE = StateMachine(transitions=GROUP_TRANSITIONS, error=InvalidTransition)
MEMBER_MACHINE = StateMachine(transitions=MEMBER_TRANSITIONS, error=InvalidTransition)

FILL_WITHIN_MIN, FILL_WITHIN_MAX = timedelta(minutes=5), timedelta(days=7)


def _audit(subject: str, actor_kind: str, actor: User | None, reason: str):
    def write(row, from_status: str, to_status: str) -> StatusChange:
        return StatusChange(
            subject=subject,
            object_id=row.pk,
            from_status=from_status,
            to_status=to_status,
            actor_kind=actor_kind,
            actor=actor,
            reason=reason[:200],
        )

    return write


def _move(row, to_status: str, *, actor_kind: str = SYSTEM, actor: User | None = None, reason: str = "", **kw):
    """One locked row of this app through the kernel, with its audit row."""
    machine, subject = {
        Campaign: (CAMPAIGN_MACHINE, "campaign"),
        Group: (GROUP_MACHINE, "group"),
        Member: (MEMBER_MACHINE, "member"),
    }[type(row)]
    state_set(
        row,
        to_status,
        machine=machine,
        actor_kind=actor_kind,
        audit=_audit(subject, actor_kind, actor, reason),
        **kw,
    )


# --- campaigns ---------------------------------------------------------------------------


def campaign_create(
    *,
    by: User,
    product: Product,
    prices: dict[int, tuple[int, int | None]],
    title: str,
    group_size: int,
    fill_within: timedelta,
    starts_at: datetime,
    ends_at: datetime,
    per_person_limit: int = 1,
    coupons_apply: bool = False,
    commission_mode: str = CommissionMode.NONE,
    commission_bps: int = 0,
    supplier: Supplier | None = None,
) -> Campaign:
    """A campaign for ``product``'s SKUs at ``prices`` (SKU id → (group
    price, leader's price or None), fen). An operator's runs at once; a
    supplier's (``supplier``, its own product only) waits for an operator's
    approval. Each price lies between the SKU's cost and its list price: the
    platform gives up part of its margin and nobody sells below cost (who
    funds the discount: docs/group-buying.md). CampaignInvalid names what is
    wrong, and nothing is written."""
    errors: dict[str, list[str]] = {}
    if not GROUP_SIZE_MIN <= group_size <= GROUP_SIZE_MAX:
        errors["group_size"] = [_("Between %(low)d and %(high)d.") % {"low": GROUP_SIZE_MIN, "high": GROUP_SIZE_MAX}]
    if not FILL_WITHIN_MIN <= fill_within <= FILL_WITHIN_MAX:
        errors["fill_within"] = [_("Between 5 minutes and 7 days.")]
    if not 1 <= per_person_limit <= 99:
        errors["per_person_limit"] = [_("Between 1 and 99.")]
    if ends_at <= starts_at:
        errors["ends_at"] = [_("After the start.")]
    if commission_mode not in CommissionMode.values:
        errors["commission_mode"] = [_("Choose from the list.")]
    elif (commission_mode == CommissionMode.REDUCED) != (1 <= commission_bps <= 9999) or (
        commission_mode != CommissionMode.REDUCED and commission_bps
    ):
        errors["commission_bps"] = [_("A reduced commission is 0.01% to 99.99% of the full one.")]
    if supplier is not None and product.supplier_id != supplier.pk:
        raise NotFound()
    skus = {sku.pk: sku for sku in Sku.objects.filter(product=product, pk__in=list(prices))}
    if not prices or len(skus) != len(prices):
        errors["prices"] = [_("Choose SKUs of this product.")]
    for sku_id, (group_price, leader_price) in prices.items():
        sku = skus.get(sku_id)
        if sku is None:
            continue
        if not sku.cost_amount <= group_price <= sku.list_price_amount:
            errors[f"prices.{sku_id}"] = [_("Between the cost and the list price.")]
        elif leader_price is not None and not sku.cost_amount <= leader_price <= group_price:
            errors[f"prices.{sku_id}.leader"] = [_("The leader's price lies between the cost and the group price.")]
    if errors:
        raise CampaignInvalid(fields=errors)
    with transaction.atomic():
        campaign = Campaign.objects.create(
            product=product,
            title=title.strip()[:60] or product.title[:60],
            status=CampaignStatus.PENDING if supplier is not None else CampaignStatus.ACTIVE,
            group_size=group_size,
            fill_within=fill_within,
            per_person_limit=per_person_limit,
            coupons_apply=coupons_apply,
            commission_mode=commission_mode,
            commission_bps=commission_bps,
            starts_at=starts_at,
            ends_at=ends_at,
            created_by=by,
            supplier=supplier,
        )
        CampaignSku.objects.bulk_create(
            CampaignSku(campaign=campaign, sku_id=sku_id, group_price_amount=group, leader_price_amount=leader)
            for sku_id, (group, leader) in prices.items()
        )
    return campaign


def campaign_decide(*, campaign_id: int, by: User, approve: bool, note: str = "") -> Campaign:
    """An operator approves (it runs) or rejects a supplier's campaign."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
        if campaign is None:
            raise NotFound()
        target = CampaignStatus.ACTIVE if approve else CampaignStatus.REJECTED
        _move(campaign, target, actor_kind=OPERATOR, actor=by, reason=note)
    return campaign


def campaign_end(*, campaign_id: int, by: User, supplier: Supplier | None = None) -> Campaign:
    """No new groups; open ones run to their end."""
    with transaction.atomic():
        campaigns = Campaign.objects.select_for_update().filter(pk=campaign_id)
        campaign = (campaigns.filter(supplier=supplier) if supplier else campaigns).first()
        if campaign is None:
            raise NotFound()
        _move(campaign, CampaignStatus.ENDED, actor_kind=SUPPLIER if supplier else OPERATOR, actor=by)
    return campaign


# --- opening and joining -------------------------------------------------------------------


def _seat_hold() -> timedelta:
    return timedelta(minutes=settings.GROUPBUY_SEAT_HOLD_MINUTES)


def group_open(
    *,
    buyer: User,
    campaign_id: int,
    sku_id: int,
    quantity: int,
    address: ShippingAddress,
    note: str = "",
    coupon_ids: list[int] | None = None,
) -> Member:
    """The buyer opens a group (开团) and holds its first seat: its order is
    placed at the leader's price (团长价) if the campaign has one, else the
    group price, less the buyer's ``coupon_ids`` when the campaign lets
    coupons apply (placing applies them, ``orders.pricing``), and waits for
    payment. Refused: CampaignNotRunning, AlreadyInGroup, OverPersonLimit,
    and placing's own errors (NotBuyable, OutOfStock, InvalidAddress,
    CouponUnavailable: a coupon on a campaign that takes none): nothing is
    written then."""
    now = timezone.now()
    with transaction.atomic():
        campaign = Campaign.objects.filter(pk=campaign_id).first()
        if campaign is None:
            raise NotFound()
        if campaign.status != CampaignStatus.ACTIVE or not campaign.starts_at <= now < campaign.ends_at:
            raise CampaignNotRunning()
        group = Group.objects.create(
            campaign=campaign,
            leader=buyer,
            size=campaign.group_size,
            expires_at=min(now + campaign.fill_within, campaign.ends_at),
        )
        group.campaign = campaign
        return _seat_take(group, buyer, sku_id, quantity, address, note, now, coupon_ids, leader=True)


def group_join(
    *,
    buyer: User,
    group_id: int,
    sku_id: int,
    quantity: int,
    address: ShippingAddress,
    note: str = "",
    coupon_ids: list[int] | None = None,
) -> Member:
    """The buyer takes a seat in an open group (参团), if one is free (seats
    whose hold lapsed are freed first), and its order waits for payment.
    GroupClosed when the group is no longer open or its time is up,
    GroupFull when every seat is held, AlreadyInGroup when the buyer holds
    a seat in an open group of the campaign. Coupons as in ``group_open``."""
    now = timezone.now()
    with transaction.atomic():
        group = Group.objects.select_for_update().select_related("campaign").filter(pk=group_id).first()
        if group is None:
            raise NotFound()
        if group.status != GroupStatus.OPEN or group.expires_at <= now:
            raise GroupClosed()
        if group.seats_taken >= group.size:
            _seats_lapsed_release(group, now)
        if group.seats_taken >= group.size:
            raise GroupFull(seats_left=0)
        return _seat_take(group, buyer, sku_id, quantity, address, note, now, coupon_ids, leader=False)


def _seat_take(
    group: Group,
    buyer: User,
    sku_id: int,
    quantity: int,
    address: ShippingAddress,
    note: str,
    now,
    coupon_ids: list[int] | None,
    *,
    leader: bool,
) -> Member:
    campaign = group.campaign
    priced = CampaignSku.objects.filter(campaign=campaign, sku_id=sku_id).first()
    if priced is None:
        raise CampaignInvalid(fields={"sku_id": [_("Choose a SKU of this campaign.")]})
    if not 1 <= quantity <= campaign.per_person_limit:
        raise OverPersonLimit(
            _("At most %(count)d per member.") % {"count": campaign.per_person_limit},
            fields={"quantity": [_("At most %(count)d per member.") % {"count": campaign.per_person_limit}]},
        )
    if Member.objects.filter(campaign=campaign, buyer=buyer, holds_open_seat=True).exists():
        raise AlreadyInGroup()
    price = priced.leader_price_amount if leader and priced.leader_price_amount else priced.group_price_amount
    taken = Group.objects.filter(pk=group.pk, status=GroupStatus.OPEN, seats_taken__lt=F("size")).update(
        seats_taken=F("seats_taken") + 1
    )
    if not taken:
        raise GroupFull(seats_left=0)
    group.seats_taken += 1
    order = order_place(
        buyer=buyer,
        lines=[
            LineRequest(
                sku_id=sku_id, quantity=quantity, group_price_amount=price, group_coupons_apply=campaign.coupons_apply
            )
        ],
        address=address,
        note=note,
        coupon_ids=coupon_ids,
    )
    try:
        with transaction.atomic():
            return Member.objects.create(
                group=group,
                campaign=campaign,
                buyer=buyer,
                order=order,
                is_leader=leader,
                seat_held_until=min(now + _seat_hold(), group.expires_at),
            )
    except IntegrityError as error:  # the same buyer joining twice at once: the partial unique constraint decides
        raise AlreadyInGroup() from error


def _seat_release(group: Group, member: Member, reason: str) -> bool:
    """Free the seat of a member who has not paid: its unpaid order is
    cancelled (a late payment then goes back automatically). A member whose
    order was paid meanwhile keeps its seat (the payment's consumer is on
    its way). Group and member locked by the caller."""
    order = Order.objects.select_for_update().get(pk=member.order_id)
    if order.status == OrderStatus.PAID:
        return False
    if order.status == OrderStatus.PENDING_PAYMENT:
        order_cancel(order_id=order.pk, by=None, actor_kind=SYSTEM, reason=reason)
    _move(member, MemberStatus.RELEASED, reason=reason, holds_open_seat=False)
    Group.objects.filter(pk=group.pk).update(seats_taken=F("seats_taken") - 1)
    group.seats_taken -= 1
    return True


def _seats_lapsed_release(group: Group, now: datetime) -> int:
    """Under the group's lock: release the seats held past their time, or
    whose order was cancelled (its buyer, or orders' unpaid sweep)."""
    lapsed = group.members.filter(
        Q(seat_held_until__lte=now) | Q(order__status=OrderStatus.CANCELLED), status=MemberStatus.PENDING_PAYMENT
    ).values_list("pk", flat=True)
    released = 0
    for member_id in sorted(lapsed):
        member = Member.objects.select_for_update().get(pk=member_id)
        released += _seat_release(group, member, Reason.GROUP_SEAT_NOT_PAID)
    return released


# --- payment, success, failure -----------------------------------------------------------


def _commission_share_bps(campaign: Campaign) -> int:
    return {CommissionMode.FULL: BASIS_POINTS, CommissionMode.NONE: 0}.get(
        campaign.commission_mode, campaign.commission_bps
    )


def _group_succeed(group: Group, members: list[Member]) -> None:
    """The N-th payment committed: the group fills, its orders go on to
    fulfilment, and ``group.succeeded`` says who earns how much."""
    order_ids = [member.order_id for member in members]
    campaign = group.campaign

    def event(row):
        return (
            group_succeeded,
            "group",
            row.pk,
            {
                "group_id": row.pk,
                "order_ids": order_ids,
                "buyer_ids": [member.buyer_id for member in members],
                "commission_mode": campaign.commission_mode,
                "commission_bps": _commission_share_bps(campaign),
            },
        )

    state_set(
        group,
        GroupStatus.SUCCEEDED,
        machine=GROUP_MACHINE,
        actor_kind=SYSTEM,
        audit=_audit("group", SYSTEM, None, "every seat paid"),
        event=event,
        finished_at=timezone.now(),
    )
    Member.objects.filter(group=group).update(holds_open_seat=False)
    orders_group_decided(order_ids=order_ids)


def _locked_group_and_member(order_id: int) -> tuple[Group, Member] | None:
    found = Member.objects.filter(order_id=order_id).values_list("pk", "group_id").first()
    if found is None:
        return None
    group = Group.objects.select_for_update().select_related("campaign").get(pk=found[1])
    return group, Member.objects.select_for_update().get(pk=found[0])


def member_paid(*, order_id: int) -> str:
    """On ``order.paid``: the member's payment counts; the N-th fills the
    group. Idempotent (a member already moved is left alone). Returns a
    note for the event's receipt."""
    with transaction.atomic():
        locked = _locked_group_and_member(order_id)
        if locked is None:
            return "not a group order"
        group, member = locked
        if member.status != MemberStatus.PENDING_PAYMENT:
            return f"member already {member.status}"
        paid_at = Order.objects.filter(pk=order_id).values_list("paid_at", flat=True).first()
        _move(member, MemberStatus.PAID, reason="order paid", paid_at=paid_at)
        if group.status != GroupStatus.OPEN:
            return f"member paid, group already {group.status}"
        paid = list(group.members.filter(status=MemberStatus.PAID).order_by("pk"))
        event_emit(
            type=group_member_paid,
            aggregate_type="group",
            aggregate_id=group.pk,
            payload={
                "group_id": group.pk,
                "member_id": member.pk,
                "buyer_id": member.buyer_id,
                "seats_left": group.size - len(paid),
            },
        )
        if len(paid) >= group.size:
            _group_succeed(group, paid)
            return "member paid, group filled"
        return f"member paid, {group.size - len(paid)} seats left"


def member_refunded(*, order_id: int) -> str:
    """On ``order.refunded``: a member whose order is refunded in full is
    refunded. Idempotent."""
    with transaction.atomic():
        locked = _locked_group_and_member(order_id)
        if locked is None:
            return "not a group order"
        _group, member = locked
        order = Order.objects.get(pk=order_id)
        if order.paid_amount <= 0 or order.refunded_amount < order.paid_amount:
            return "order not refunded in full yet"
        if member.status == MemberStatus.PENDING_PAYMENT:  # its order.paid is handled later (a retry)
            _move(member, MemberStatus.PAID, reason="order paid", paid_at=order.paid_at)
        if member.status != MemberStatus.PAID:
            return f"member already {member.status}"
        _move(member, MemberStatus.REFUNDED, reason="order refunded", holds_open_seat=False)
        return "member refunded"


def group_expire(group: Group, now: datetime) -> str:
    """A locked open group whose time is up. If every seat was paid in time
    (the payments committed, their consumer not yet run), it fills.
    Otherwise it fails: every order is cancelled in this transaction, which
    refunds the paid ones in full through the provider (``order_cancel``:
    ``refund.approved`` events, executed once each by orders' consumer) and
    gives their stock back; ``group.failed`` tells the members why."""
    members = list(
        group.members.select_for_update()
        .filter(status__in=[MemberStatus.PENDING_PAYMENT, MemberStatus.PAID])
        .order_by("pk")
    )
    statuses = dict(Order.objects.filter(pk__in=[m.order_id for m in members]).values_list("pk", "status"))
    paid = [member for member in members if statuses[member.order_id] == OrderStatus.PAID]
    if len(paid) == group.size:
        for member in paid:
            if member.status == MemberStatus.PENDING_PAYMENT:
                _move(member, MemberStatus.PAID, reason="order paid")
        _group_succeed(group, paid)
        return GroupStatus.SUCCEEDED
    order_ids = [member.order_id for member in members]

    def event(row):
        return (
            group_failed,
            "group",
            row.pk,
            {
                "group_id": row.pk,
                "order_ids": order_ids,
                "buyer_ids": [member.buyer_id for member in members],
                "reason": "not_filled",
            },
        )

    state_set(
        group,
        GroupStatus.FAILED,
        machine=GROUP_MACHINE,
        actor_kind=SYSTEM,
        audit=_audit("group", SYSTEM, None, Reason.GROUP_NOT_FILLED),
        event=event,
        finished_at=now,
    )
    for member in members:
        order = Order.objects.select_for_update().get(pk=member.order_id)
        if order.status == OrderStatus.PENDING_PAYMENT:
            order_cancel(order_id=order.pk, by=None, actor_kind=SYSTEM, reason=Reason.GROUP_NOT_FILLED)
        elif order.status == OrderStatus.PAID:  # refunded in full: the actor only a failed group is
            order_cancel(order_id=order.pk, by=None, actor_kind=Actor.GROUP, reason=Reason.GROUP_NOT_FILLED)
        if order.status == OrderStatus.PAID and member.status == MemberStatus.PENDING_PAYMENT:
            _move(member, MemberStatus.PAID, reason="order paid", paid_at=order.paid_at)
        elif member.status == MemberStatus.PENDING_PAYMENT:
            _move(member, MemberStatus.RELEASED, reason=Reason.GROUP_NOT_FILLED)
    Member.objects.filter(group=group).update(holds_open_seat=False)
    orders_group_decided(order_ids=order_ids)
    return GroupStatus.FAILED


def groups_sweep(*, now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Beat: groups whose time is up fill or fail, one transaction each
    (``SKIP LOCKED``: two sweeps take different groups, and a group already
    decided is never taken again), then lapsed seats of open groups are
    freed. Safe to run twice at once and after a worker died anywhere: a
    group's failure, its cancellations and its refund requests commit
    together or not at all. Returns counts."""
    now = now or timezone.now()
    counts = {GroupStatus.SUCCEEDED: 0, GroupStatus.FAILED: 0, "released": 0}
    for _round in range(limit):
        with transaction.atomic():
            group = (
                Group.objects.select_for_update(skip_locked=True)
                .select_related("campaign")
                .filter(status=GroupStatus.OPEN, expires_at__lte=now)
                .order_by("expires_at", "pk")
                .first()
            )
            if group is None:
                break
            counts[group_expire(group, now)] += 1
    holding = (
        Member.objects.filter(
            status=MemberStatus.PENDING_PAYMENT, seat_held_until__lte=now, group__status=GroupStatus.OPEN
        )
        .values_list("group_id", flat=True)
        .distinct()
    )
    for group_id in list(holding[:limit]):
        with transaction.atomic():
            group = Group.objects.select_for_update(skip_locked=True).filter(pk=group_id).first()
            if group is not None and group.status == GroupStatus.OPEN:
                counts["released"] += _seats_lapsed_release(group, now)
    return counts
