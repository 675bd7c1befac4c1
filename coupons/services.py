"""The only writers of coupons (docs/coupons.md): claiming and issuing,
using one in the placing transaction (exactly once), giving it back, the
expiry sweep, and the funders' postings.

| event | debit | credit | key |
| --- | --- | --- | --- |
| order paid with a coupon | the funder's coupon discount | revenue | ``coupon-charge:<order>:<claim>`` |
| a refund gives back part of it | refunds | the funder's coupon discount | ``coupon-return:<refund>:<claim>`` |
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import User
from ledger.choices import AccountKind
from ledger.services import Posting, ledger_accounts, ledger_post_batch
from socialshop.events import event_emit
from socialshop.states import StateMachine, state_set_query

from .choices import BUYER, CLAIM_TRANSITIONS, SYSTEM, ClaimSource, ClaimStatus, CouponFunder
from .exceptions import CouponLimitReached, CouponNotClaimable, CouponsDoNotCombine, CouponUnavailable
from .models import ClaimedCoupon, Coupon
from .selectors import coupon_settings_get

CLAIM_MACHINE = StateMachine(transitions=CLAIM_TRANSITIONS, error=CouponUnavailable)

coupon_used = "coupon.used"  # payload: order_id, claim_ids (docs/events.md)

FUNDER_ACCOUNTS = {
    CouponFunder.PLATFORM: AccountKind.PLATFORM_COUPON_DISCOUNT,
    CouponFunder.SUPPLIER: AccountKind.SUPPLIER_COUPON_DISCOUNT,
    CouponFunder.RESELLER: AccountKind.RESELLER_COUPON_DISCOUNT,
}


def _window(coupon: Coupon, now: datetime) -> tuple[datetime, datetime]:
    """A claim's validity: the coupon's fixed window, or N days from now
    (never past the coupon's own end)."""
    if coupon.valid_days:
        until = now + timedelta(days=coupon.valid_days)
        if coupon.valid_until is not None:
            until = min(until, coupon.valid_until)
        return now, until
    return min(coupon.valid_from or now, now), coupon.valid_until


def coupon_claim(*, coupon_id: int, user: User, source: str, now: datetime | None = None) -> ClaimedCoupon:
    """Give ``user`` one of the coupon. Locks the coupon's row, so two claims
    at once (by one user, or for its last unit) are decided one after the
    other: CouponLimitReached when the user holds its per-person limit or
    none are left, CouponNotClaimable when the coupon is inactive, ended,
    or (from the centre or a product page) not offered there."""
    now = now or timezone.now()
    with transaction.atomic():
        coupon = Coupon.objects.select_for_update().filter(pk=coupon_id).first()
        if coupon is None or not coupon.is_active or (coupon.valid_until is not None and coupon.valid_until <= now):
            raise CouponNotClaimable()
        if source in (ClaimSource.CENTRE, ClaimSource.PRODUCT) and (not coupon.in_centre or coupon.code):
            raise CouponNotClaimable()
        valid_from, valid_until = _window(coupon, now)
        if valid_until <= valid_from:
            raise CouponNotClaimable()
        if ClaimedCoupon.objects.filter(coupon=coupon, user=user).count() >= coupon.per_person_limit:
            raise CouponLimitReached()
        taken = Coupon.objects.filter(pk=coupon.pk).filter(
            Q(total_limit__isnull=True) | Q(issued_count__lt=F("total_limit"))
        )
        if not taken.update(issued_count=F("issued_count") + 1):
            raise CouponLimitReached()
        return ClaimedCoupon.objects.create(
            coupon=coupon, user=user, source=source, valid_from=valid_from, valid_until=valid_until
        )


@dataclass(frozen=True)
class IssueResult:
    issued: int
    skipped: int  # users at their per-person limit, or none left


def coupons_issue(*, coupon_id: int, users: list[User], source: str = ClaimSource.ISSUED) -> IssueResult:
    """Bulk issue (an operator's admin action, a supplier's portal): one
    coupon to each of ``users``, as ``coupon_claim`` would, skipping those at
    their limit; stops when none are left. Each claim commits on its own."""
    issued = skipped = 0
    for user in users:
        try:
            coupon_claim(coupon_id=coupon_id, user=user, source=source)
        except (CouponLimitReached, CouponNotClaimable):
            skipped += 1
        else:
            issued += 1
    return IssueResult(issued=issued, skipped=skipped)


def coupons_on_sign_up(*, user_id: int) -> int:
    """The sign-up gift (on ``user.signed_up``): one of each active coupon
    marked for sign-up. Idempotent: a coupon the user already holds is not
    given again, whatever its per-person limit."""
    user = User.objects.get(pk=user_id)
    held = set(ClaimedCoupon.objects.filter(user=user, source=ClaimSource.SIGN_UP).values_list("coupon_id", flat=True))
    given = 0
    for coupon_id in Coupon.objects.filter(is_active=True, on_sign_up=True).values_list("pk", flat=True):
        if coupon_id in held:
            continue
        try:
            coupon_claim(coupon_id=coupon_id, user=user, source=ClaimSource.SIGN_UP)
        except (CouponLimitReached, CouponNotClaimable):
            continue
        given += 1
    return given


def coupons_combination_check(claims: list[ClaimedCoupon]) -> None:
    """One coupon per order; with the operator's stacking setting, one
    platform coupon and one supplier coupon. CouponsDoNotCombine otherwise."""
    if len(claims) <= 1:
        return
    funders = sorted(claim.coupon.funder for claim in claims)
    if (
        len(claims) == 2
        and funders == [CouponFunder.PLATFORM, CouponFunder.SUPPLIER]
        and coupon_settings_get().stacking_allowed
    ):
        return
    raise CouponsDoNotCombine()


def coupons_use(*, claim_ids: list[int], buyer: User, order_id: int, now: datetime) -> None:
    """In the placing transaction: mark the claims used by ``order_id``, with
    one conditional UPDATE through the transition kernel (only the buyer's
    unused claims valid now move). Two checkouts with the same coupon: the
    second waits on the row and then finds it used, and CouponUnavailable
    rolls its whole order back. Writes ``coupon.used``."""
    claims = ClaimedCoupon.objects.filter(pk__in=claim_ids, user=buyer, valid_from__lte=now, valid_until__gt=now)
    moved = state_set_query(
        claims, ClaimStatus.USED, machine=CLAIM_MACHINE, actor_kind=BUYER, order_id=order_id, used_at=now
    )
    if moved != len(set(claim_ids)):
        raise CouponUnavailable()
    event_emit(
        type=coupon_used,
        aggregate_type="order",
        aggregate_id=order_id,
        payload={"order_id": order_id, "claim_ids": claim_ids},
    )


def coupons_give_back(*, order_ids: list[int], now: datetime | None = None) -> int:
    """An order ended unpaid (cancelled, or expired): its coupons come back
    to their owners while still valid, else they expire. Set-based, safe to
    run twice. Returns how many came back usable."""
    if not order_ids:
        return 0
    now = now or timezone.now()
    used = ClaimedCoupon.objects.filter(order_id__in=order_ids)
    back = state_set_query(
        used.filter(valid_until__gt=now),
        ClaimStatus.UNUSED,
        machine=CLAIM_MACHINE,
        actor_kind=SYSTEM,
        order_id=None,
        used_at=None,
    )
    state_set_query(used.filter(valid_until__lte=now), ClaimStatus.EXPIRED, machine=CLAIM_MACHINE, actor_kind=SYSTEM)
    return back


def coupons_expire(*, now: datetime | None = None) -> int:
    """The sweep: unused coupons past their window become expired (one
    UPDATE). Returns how many."""
    now = now or timezone.now()
    return state_set_query(
        ClaimedCoupon.objects.filter(status=ClaimStatus.UNUSED, valid_until__lte=now),
        ClaimStatus.EXPIRED,
        machine=CLAIM_MACHINE,
        actor_kind=SYSTEM,
    )


@dataclass(frozen=True)
class Funding:
    """What one coupon took off one order (or gives back with one refund),
    and who pays it."""

    claim_id: int
    funder: str
    funder_id: int | None
    amount: int


def _funder_accounts(fundings: list[Funding]) -> dict:
    return ledger_accounts(
        keys=[(AccountKind.PLATFORM_REVENUE, None), (AccountKind.PLATFORM_REFUNDS, None)]
        + [(FUNDER_ACCOUNTS[funding.funder], funding.funder_id) for funding in fundings]
    )


def coupon_charges_post(*, order_id: int, fundings: list[Funding]) -> int:
    """The order is paid: each funder is charged what its coupon took off
    (its discount account debited, the revenue credited: revenue stays the
    list value, the buyer's cash plus the funders' share). Once per order
    and coupon. Returns how many it posted now."""
    fundings = [funding for funding in fundings if funding.amount > 0]
    if not fundings:
        return 0
    accounts = _funder_accounts(fundings)
    revenue = accounts[(AccountKind.PLATFORM_REVENUE, None)]
    return len(
        ledger_post_batch(
            [
                Posting(
                    idempotency_key=f"coupon-charge:{order_id}:{funding.claim_id}",
                    description=f"coupon {funding.claim_id} on order {order_id}, funded by {funding.funder}",
                    debits=((accounts[(FUNDER_ACCOUNTS[funding.funder], funding.funder_id)], funding.amount),),
                    credits=((revenue, funding.amount),),
                )
                for funding in fundings
            ]
        )
    )


def coupon_returns_post(*, refund_id: int, fundings: list[Funding]) -> int:
    """A refund gave back part of a line's discount: each funder is credited
    what its coupon's share shrank by (refunds debited, as for the cash).
    Once per refund and coupon."""
    fundings = [funding for funding in fundings if funding.amount > 0]
    if not fundings:
        return 0
    accounts = _funder_accounts(fundings)
    refunds = accounts[(AccountKind.PLATFORM_REFUNDS, None)]
    return len(
        ledger_post_batch(
            [
                Posting(
                    idempotency_key=f"coupon-return:{refund_id}:{funding.claim_id}",
                    description=f"refund {refund_id} gives back coupon {funding.claim_id}'s share",
                    debits=((refunds, funding.amount),),
                    credits=((accounts[(FUNDER_ACCOUNTS[funding.funder], funding.funder_id)], funding.amount),),
                )
                for funding in fundings
            ]
        )
    )
