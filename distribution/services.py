"""The only writers of resellers, the invite tree, its totals and bindings.

Every writer of links or totals above a reseller runs in one transaction
that starts with ``tree_lock`` (distribution.tree), so moves, joins and the
sales roll-up are serialised and the totals stay equal to a recount.
"""

from datetime import datetime
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from accounts.services import user_promote
from socialshop.events import task_wake_on_commit
from socialshop.states import StateMachine, state_set

from .choices import (
    OPERATOR,
    RESELLER_MOVE_KINDS,
    RESELLER_TRANSITIONS,
    BindingRule,
    BindingSource,
    ResellerEventKind,
    ResellerStatus,
)
from .codes import invite_code_generate, invite_code_normalize
from .events import reseller_joined_emit
from .exceptions import (
    AlreadyReseller,
    BindingMissing,
    BindingReleaseRefused,
    InvalidStatusChange,
    InviteCodeUnknown,
    InviterNotActive,
    MoveChangesNothing,
    MoveWouldCreateCycle,
    ReasonRequired,
    SelfBindingRefused,
)
from .models import Binding, Reseller, ResellerEvent, ResellerSale, ResellerTotals
from .selectors import binding_state, distribution_settings_get
from .tree import (
    NEW_MEMBER,
    Branch,
    bounded_path,
    bounded_path_rewrite,
    is_in_subtree,
    sales_fold,
    totals_shift,
    tree_lock,
)

RESELLER_MACHINE = StateMachine(transitions=RESELLER_TRANSITIONS, error=InvalidStatusChange)

INVITE_CODE_ATTEMPTS = 5
ROLL_UP_BATCH_SIZE = 500


def _reseller_insert(*, user: User, inviter: Reseller | None, status: str) -> Reseller:
    # A fresh random code collides rarely; the unique index decides, and we
    # draw again inside a savepoint.
    for _attempt in range(INVITE_CODE_ATTEMPTS):
        try:
            with transaction.atomic():
                reseller = Reseller.objects.create(
                    user=user, invite_code=invite_code_generate(), status=status, **bounded_path(inviter)
                )
                break
        except IntegrityError:
            if Reseller.objects.filter(user=user).exists():
                raise AlreadyReseller() from None
    else:
        raise RuntimeError("could not draw a free invite code")
    ResellerTotals.objects.create(reseller=reseller)
    if inviter is not None:
        totals_shift(inviter_id=inviter.id, branch=NEW_MEMBER, sign=+1)
    return reseller


def _reason_required(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired(fields={"reason": [str(ReasonRequired.default_message)]})
    return reason


@transaction.atomic
def reseller_create_root(*, user: User, actor: User | None = None) -> Reseller:
    """An operator makes a reseller with no inviter (a root of the tree)."""
    if Reseller.objects.filter(user=user).exists():
        raise AlreadyReseller()
    user_promote(user=user, role=Role.RESELLER)
    reseller = _reseller_insert(user=user, inviter=None, status=ResellerStatus.ACTIVE)
    ResellerEvent.objects.create(reseller=reseller, kind=ResellerEventKind.CREATED_ROOT, actor=actor)
    return reseller


@transaction.atomic
def reseller_join(*, user: User, invite_code: str) -> Reseller:
    """A customer becomes a reseller under the owner of ``invite_code``, who
    must be active. Joining is free and pays nobody. The new reseller waits
    for approval (``pending``) when the platform says so, and is bound to its
    inviter as a customer (it typed the inviter's code). Takes the tree lock."""
    code = invite_code_normalize(invite_code)
    inviter = Reseller.objects.filter(invite_code=code).first()
    if inviter is None:
        raise InviteCodeUnknown(fields={"invite_code": [str(InviteCodeUnknown.default_message)]})
    if Reseller.objects.filter(user=user).exists():
        raise AlreadyReseller()
    user_promote(user=user, role=Role.RESELLER)
    tree_lock()
    inviter = Reseller.objects.get(pk=inviter.pk)  # re-read after the lock: it may have been frozen meanwhile
    if not inviter.is_active:
        raise InviterNotActive(fields={"invite_code": [str(InviterNotActive.default_message)]})
    settings = distribution_settings_get()
    status = ResellerStatus.PENDING if settings.reseller_approval_required else ResellerStatus.ACTIVE
    reseller = _reseller_insert(user=user, inviter=inviter, status=status)
    ResellerEvent.objects.create(reseller=reseller, kind=ResellerEventKind.JOINED, actor=user, new_inviter=inviter)
    binding_touch(customer=user, reseller=inviter, source=BindingSource.INVITE_CODE)
    reseller_joined_emit(reseller_id=reseller.pk, inviter_id=inviter.pk)
    return reseller


def _status_change(*, reseller: Reseller, to: str, kind: str, actor: User, reason: str) -> Reseller:
    """Make the move ``kind`` names (RESELLER_MOVE_KINDS) from the locked
    reseller's status to ``to``, through the kernel, with its ResellerEvent;
    InvalidStatusChange (409) when its status does not allow that move."""
    locked = Reseller.objects.select_for_update().get(pk=reseller.pk)
    if RESELLER_MOVE_KINDS.get((locked.status, to)) != kind:
        raise RESELLER_MACHINE.refuse(locked.status, to)
    state_set(locked, to, machine=RESELLER_MACHINE, actor_kind=OPERATOR, audit=partial(_event, kind, actor, reason))
    reseller.refresh_from_db(fields=["status"])  # the caller's copy, as the kernel left the row
    return locked


def _event(kind: str, actor: User, reason: str, reseller: Reseller, from_status: str, to_status: str):
    return ResellerEvent(reseller=reseller, kind=kind, actor=actor, reason=reason)


@transaction.atomic
def reseller_approve(*, reseller: Reseller, actor: User) -> Reseller:
    """An operator lets a pending reseller sell and invite."""
    return _status_change(
        reseller=reseller, to=ResellerStatus.ACTIVE, kind=ResellerEventKind.APPROVED, actor=actor, reason=""
    )


@transaction.atomic
def reseller_freeze(*, reseller: Reseller, actor: User, reason: str) -> Reseller:
    """An operator freezes a reseller (active or pending): from now on it
    earns no commission, its shop is closed (shops show only active owners'
    shops) and its code invites and binds nobody. Its team stays where it
    is; past commissions are untouched."""
    return _status_change(
        reseller=reseller,
        to=ResellerStatus.FROZEN,
        kind=ResellerEventKind.FROZEN,
        actor=actor,
        reason=_reason_required(reason),
    )


@transaction.atomic
def reseller_unfreeze(*, reseller: Reseller, actor: User, reason: str) -> Reseller:
    return _status_change(
        reseller=reseller,
        to=ResellerStatus.ACTIVE,
        kind=ResellerEventKind.UNFROZEN,
        actor=actor,
        reason=_reason_required(reason),
    )


@transaction.atomic
def reseller_move(*, reseller: Reseller, new_inviter: Reseller | None, actor: User, reason: str) -> Reseller:
    """An operator moves a reseller, with its whole team, under ``new_inviter``
    (or makes it a root with None). Refuses a move under itself or its own
    team (a cycle) and a move that changes nothing; records who, when, from,
    to and why. Takes the tree lock; costs one walk up each of the old and
    new upline plus a rewrite of the moved team's first two levels' upline
    links, whatever the size of the team below. Commissions already made are
    snapshots and do not change."""
    reason = _reason_required(reason)
    tree_lock()
    locked = Reseller.objects.select_for_update().get(pk=reseller.pk)
    previous_inviter_id = locked.inviter_id
    new_inviter_id = new_inviter.pk if new_inviter is not None else None
    if new_inviter_id == previous_inviter_id:
        raise MoveChangesNothing()
    if new_inviter_id is not None and is_in_subtree(node_id=new_inviter_id, root_id=locked.pk):
        raise MoveWouldCreateCycle()
    new_inviter = Reseller.objects.get(pk=new_inviter_id) if new_inviter_id is not None else None  # as committed
    branch = Branch.of(ResellerTotals.objects.get(pk=locked.pk))
    if previous_inviter_id is not None:
        totals_shift(inviter_id=previous_inviter_id, branch=branch, sign=-1)
    bounded_path_rewrite(head_id=locked.pk, inviter=new_inviter)
    if new_inviter_id is not None:
        totals_shift(inviter_id=new_inviter_id, branch=branch, sign=+1)
    locked.refresh_from_db(fields=["inviter", "inviter_2", "inviter_3"])
    ResellerEvent.objects.create(
        reseller=locked,
        kind=ResellerEventKind.MOVED,
        actor=actor,
        previous_inviter_id=previous_inviter_id,
        new_inviter_id=new_inviter_id,
        reason=reason,
    )
    reseller.inviter_id, reseller.inviter_2_id, reseller.inviter_3_id = (
        locked.inviter_id,
        locked.inviter_2_id,
        locked.inviter_3_id,
    )
    return locked


# --- binding (锁粉) ---------------------------------------------------------


@transaction.atomic
def binding_touch(*, customer: User, reseller: Reseller, source: str, at: datetime | None = None) -> Binding | None:
    """``customer`` arrived through ``reseller``'s link, or typed its invite
    code, at ``at`` (default now). Binds, renews, replaces or leaves alone,
    as the platform's rule says (docs/invite-tree.md):

    - no current binding: bind;
    - bound to this reseller: renew (the lifetime counts from this visit);
    - bound to another: replace it under last touch, or under first touch
      once the binding is older than its lifetime; otherwise keep it. A
      visit older than the binding's last visit never replaces it.

    A reseller is never bound to itself (SelfBindingRefused); a reseller that
    is not active binds nobody. Returns the customer's current binding.
    Serialised per customer (locks the user row)."""
    if reseller.user_id == customer.pk:
        raise SelfBindingRefused()
    now = timezone.now()
    at = min(at or now, now)
    User.objects.select_for_update().filter(pk=customer.pk).exists()
    current = Binding.objects.filter(customer=customer, ended_at__isnull=True).first()
    if not reseller.is_active:
        return current
    if current is None:
        return Binding.objects.create(customer=customer, reseller=reseller, source=source, bound_at=at, touched_at=at)
    if at <= current.touched_at:
        return current
    if current.reseller_id == reseller.pk:
        current.touched_at = at
        current.save(update_fields=["touched_at"])
        return current
    settings = distribution_settings_get()
    lifetime = settings.binding_lifetime
    outlived = lifetime is not None and current.touched_at + lifetime <= at
    if settings.binding_rule == BindingRule.FIRST_TOUCH and not outlived:
        return current
    current.ended_at = at
    current.save(update_fields=["ended_at"])
    return Binding.objects.create(customer=customer, reseller=reseller, source=source, bound_at=at, touched_at=at)


@transaction.atomic
def binding_release(*, customer: User, at: datetime | None = None) -> Binding:
    """The customer asks to be unbound from its reseller. Allowed when the
    platform's rule would let another reseller's link take it over now (last
    touch: always; first touch: once the binding outlived its lifetime);
    otherwise BindingReleaseRefused, saying from when it can. Ends the
    current binding (its row stays, with ``ended_at``); the next link binds
    afresh. Serialised per customer like ``binding_touch``."""
    now = at or timezone.now()
    User.objects.select_for_update().filter(pk=customer.pk).exists()
    state = binding_state(customer=customer, now=now)
    if state is None:
        raise BindingMissing()
    if state.replaceable_from is None or state.replaceable_from > now:
        when = timezone.localtime(state.replaceable_from).strftime("%Y-%m-%d") if state.replaceable_from else None
        message = (
            _("Under the platform's rules your binding holds until %(date)s; you can end it from then.")
            % {"date": when}
            if when
            else _("Under the platform's rules a binding does not expire and cannot be ended.")
        )
        raise BindingReleaseRefused(message, available_from=when)
    binding = state.binding
    binding.ended_at = max(now, binding.bound_at)
    binding.save(update_fields=["ended_at"])
    return binding


def binding_touch_by_code(*, customer: User, invite_code: str, source: str, at: datetime | None = None):
    """``binding_touch`` for a code as typed or carried by a link; an unknown
    code binds nobody (InviteCodeUnknown)."""
    reseller = Reseller.objects.filter(invite_code=invite_code_normalize(invite_code)).first()
    if reseller is None:
        raise InviteCodeUnknown(fields={"invite_code": [str(InviteCodeUnknown.default_message)]})
    return binding_touch(customer=customer, reseller=reseller, source=source, at=at)


# --- team sales -----------------------------------------------------------


def reseller_sale_record(*, reseller_id: int, amount: int, key: str, occurred_at: datetime | None = None) -> bool:
    """The orders app's contract for team sales: call it when a payment of a
    line attributed to ``reseller_id`` is confirmed (positive ``amount`` in
    fen) and when a refund is made (negative). ``key`` makes it idempotent
    (e.g. ``"order-line:123:paid"``); a second call with the same key records
    nothing and returns False. Only inserts a row: no lock on the tree, so
    orders never wait for it; the roll-up folds it into the team totals
    after commit (and every minute)."""
    if amount == 0:
        return False
    with transaction.atomic():
        created = _sale_insert(reseller_id=reseller_id, amount=amount, key=key, occurred_at=occurred_at)
        if created:
            from .tasks import team_sales_roll_up_task  # tasks import this module

            task_wake_on_commit(team_sales_roll_up_task)  # the minute's roll-up folds it if this is lost
    return created


def _sale_insert(*, reseller_id: int, amount: int, key: str, occurred_at: datetime | None) -> bool:
    try:
        with transaction.atomic():
            ResellerSale.objects.create(
                reseller_id=reseller_id, amount=amount, key=key, occurred_at=occurred_at or timezone.now()
            )
    except IntegrityError:
        if ResellerSale.objects.filter(key=key).exists():
            return False
        raise
    return True


def team_sales_roll_up(*, batch_size: int = ROLL_UP_BATCH_SIZE, max_batches: int | None = None) -> int:
    """Fold the reported sales not folded yet into the team totals, in
    batches of ``batch_size`` rows, each batch one transaction under the tree
    lock (so a move sees totals and pending sales consistently). Safe to run
    twice or concurrently: a row is folded once. Returns how many rows."""
    folded = 0
    batches = 0
    while max_batches is None or batches < max_batches:
        with transaction.atomic():
            tree_lock()
            sale_ids = list(
                ResellerSale.objects.filter(rolled_up_at__isnull=True)
                .order_by("id")
                .values_list("id", flat=True)[:batch_size]
            )
            if not sale_ids:
                break
            sales_fold(sale_ids=sale_ids, sales_table=ResellerSale._meta.db_table)
            ResellerSale.objects.filter(id__in=sale_ids).update(rolled_up_at=timezone.now())
        folded += len(sale_ids)
        batches += 1
    return folded
