"""The only writers of coupons (docs/coupons.md): claiming and issuing,
using one in the placing transaction (exactly once), giving it back, the
expiry sweep, and the funders' postings.

| event | debit | credit | key |
| --- | --- | --- | --- |
| order paid with a coupon | the funder's coupon discount | revenue | ``coupon-charge:<order>:<claim>`` |
| the same, a reseller's | reseller withdrawable | reseller coupon discount | ``coupon-offset:<order>:<claim>`` |
| a refund gives back part of it | refunds | the funder's coupon discount | ``coupon-return:<refund>:<claim>`` |
| the same, a reseller's | reseller coupon discount | withdrawable | ``coupon-offset-return:<refund>:<claim>`` |

A supplier's coupon is taken from what the supplier is owed when its
payable is posted (``commissions.services.payables``:
``coupon-payable-offset:<line>``).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from distribution.choices import BindingSource
from distribution.codes import invite_code_normalize
from distribution.models import Reseller
from distribution.services import binding_touch
from distribution.tree import is_in_subtree
from ledger.choices import AccountKind
from ledger.services import Posting, ledger_accounts, ledger_post_batch
from socialshop.errors import NotFound
from socialshop.events import event_emit
from socialshop.states import StateMachine, state_set_query

from .choices import BUYER, CLAIM_TRANSITIONS, SYSTEM, ClaimSource, ClaimStatus, CouponFunder, CouponKind, CouponScope
from .exceptions import (
    CouponLimitReached,
    CouponNotClaimable,
    CouponsDoNotCombine,
    CouponUnavailable,
    OwnPromoCodeRefused,
    PromoCodeInvalid,
    PromoCodeStopped,
    PromoCodeUnknown,
)
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


def coupons_combination_check(claims: list[ClaimedCoupon], *, stacking_allowed: bool | None = None) -> None:
    """One coupon per order; with the operator's stacking setting, one
    platform coupon and one supplier coupon. CouponsDoNotCombine otherwise.
    ``stacking_allowed``: the setting, when the caller has read it already."""
    if len(claims) <= 1:
        return
    funders = sorted(claim.coupon.funder for claim in claims)
    if len(claims) == 2 and funders == [CouponFunder.PLATFORM, CouponFunder.SUPPLIER]:
        if stacking_allowed is None:
            stacking_allowed = coupon_settings_get().stacking_allowed
        if stacking_allowed:
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


def _reseller_offset(funding: Funding, accounts: dict, *, key: str, description: str, back: bool) -> Posting:
    """A reseller-funded discount settled against the reseller's own money:
    taken from its withdrawable balance (``back``: given back to it), so
    its coupon discount account returns to zero in the same transaction.
    The balance may go negative, which refuses its withdrawals until
    earnings cover it, as a clawback does (docs/coupons.md)."""
    withdrawable = accounts[(AccountKind.RESELLER_WITHDRAWABLE, funding.funder_id)]
    discount = accounts[(AccountKind.RESELLER_COUPON_DISCOUNT, funding.funder_id)]
    legs = ((discount, funding.amount),), ((withdrawable, funding.amount),)
    debits, credits = legs if back else legs[::-1]
    return Posting(idempotency_key=key, description=description, debits=debits, credits=credits)


def _funder_accounts_with_withdrawable(fundings: list[Funding]) -> dict:
    return ledger_accounts(
        keys=[(AccountKind.PLATFORM_REVENUE, None), (AccountKind.PLATFORM_REFUNDS, None)]
        + [(FUNDER_ACCOUNTS[funding.funder], funding.funder_id) for funding in fundings]
        + [
            (AccountKind.RESELLER_WITHDRAWABLE, funding.funder_id)
            for funding in fundings
            if funding.funder == CouponFunder.RESELLER
        ]
    )


def coupon_charges_post(*, order_id: int, fundings: list[Funding]) -> int:
    """The order is paid: each funder is charged what its coupon took off
    (its discount account debited, the revenue credited: revenue stays the
    list value, the buyer's cash plus the funders' share). A reseller's
    share is taken from its withdrawable money at once, in the same
    transaction (``coupon-offset``); a supplier's waits for its payable.
    Once per order and coupon. Returns how many charges it posted now."""
    fundings = [funding for funding in fundings if funding.amount > 0]
    if not fundings:
        return 0
    accounts = _funder_accounts_with_withdrawable(fundings)
    revenue = accounts[(AccountKind.PLATFORM_REVENUE, None)]
    posted = ledger_post_batch(
        [
            Posting(
                idempotency_key=f"coupon-charge:{order_id}:{funding.claim_id}",
                description=f"coupon {funding.claim_id} on order {order_id}, funded by {funding.funder}",
                debits=((accounts[(FUNDER_ACCOUNTS[funding.funder], funding.funder_id)], funding.amount),),
                credits=((revenue, funding.amount),),
            )
            for funding in fundings
        ]
        + [
            _reseller_offset(
                funding,
                accounts,
                key=f"coupon-offset:{order_id}:{funding.claim_id}",
                description=f"reseller {funding.funder_id} pays coupon {funding.claim_id} on order {order_id}",
                back=False,
            )
            for funding in fundings
            if funding.funder == CouponFunder.RESELLER
        ]
    )
    return sum(1 for key in posted if key.startswith("coupon-charge:"))


def coupon_returns_post(*, refund_id: int, fundings: list[Funding]) -> int:
    """A refund gave back part of a line's discount: each funder is credited
    what its coupon's share shrank by (refunds debited, as for the cash).
    Once per refund and coupon."""
    fundings = [funding for funding in fundings if funding.amount > 0]
    if not fundings:
        return 0
    accounts = _funder_accounts_with_withdrawable(fundings)
    refunds = accounts[(AccountKind.PLATFORM_REFUNDS, None)]
    posted = ledger_post_batch(
        [
            Posting(
                idempotency_key=f"coupon-return:{refund_id}:{funding.claim_id}",
                description=f"refund {refund_id} gives back coupon {funding.claim_id}'s share",
                debits=((refunds, funding.amount),),
                credits=((accounts[(FUNDER_ACCOUNTS[funding.funder], funding.funder_id)], funding.amount),),
            )
            for funding in fundings
        ]
        + [
            _reseller_offset(
                funding,
                accounts,
                key=f"coupon-offset-return:{refund_id}:{funding.claim_id}",
                description=f"refund {refund_id} gives reseller {funding.funder_id} back coupon {funding.claim_id}",
                back=True,
            )
            for funding in fundings
            if funding.funder == CouponFunder.RESELLER
        ]
    )
    return sum(1 for key in posted if key.startswith("coupon-return:"))


# --- promo codes (a reseller's own, docs/coupons.md) -----------------------------------

MAX_OWN_CODES = 3  # the coupons with a code a reseller may fund at once


def _promo_code_coupon(code: str) -> tuple[Coupon | None, Reseller | None]:
    """What a typed code gives and whose it is: a coupon's own code (its
    funding reseller's, if any), else a reseller's invite code, which gives
    the platform's coupon for personal codes (``CouponSettings``)."""
    coupon = Coupon.objects.select_related("funder_reseller").filter(code=code.upper()).first()
    if coupon is not None:
        return coupon, coupon.funder_reseller
    owner = Reseller.objects.filter(invite_code=invite_code_normalize(code)).first()
    settings_row = coupon_settings_get()
    if owner is None or settings_row.reseller_code_coupon_id is None:
        return None, None
    return Coupon.objects.filter(pk=settings_row.reseller_code_coupon_id, is_active=True).first(), owner


def promo_code_redeem(*, buyer: User, code: str, now: datetime | None = None) -> int:
    """A buyer typed a promo code at checkout (in the placing transaction):
    binds the buyer to the code's reseller under the binding rules
    (``distribution.services.binding_touch``) and gives back the id of the
    claimed coupon to apply: one the buyer already holds unused, or a new
    claim (``coupon_claim``, so the per-person limit holds). PromoCodeUnknown
    for a code nobody has; PromoCodeStopped for a stopped code the buyer
    holds no unused claim of; OwnPromoCodeRefused when the buyer is a reseller
    and the code is its own or its team's (a reseller cannot discount its
    own purchases with its team's codes)."""
    now = now or timezone.now()
    code = (code or "").strip()
    coupon, owner = _promo_code_coupon(code) if 0 < len(code) <= 20 else (None, None)
    if coupon is None:
        raise PromoCodeUnknown(fields={"promo_code": [str(PromoCodeUnknown.default_message)]})
    if owner is not None:
        buyer_reseller = Reseller.objects.filter(user=buyer).first()
        if buyer_reseller is not None and is_in_subtree(node_id=owner.pk, root_id=buyer_reseller.pk):
            raise OwnPromoCodeRefused(fields={"promo_code": [str(OwnPromoCodeRefused.default_message)]})
        binding_touch(customer=buyer, reseller=owner, source=BindingSource.INVITE_CODE, at=now)
    held = (
        ClaimedCoupon.objects.filter(
            coupon=coupon, user=buyer, status=ClaimStatus.UNUSED, valid_from__lte=now, valid_until__gt=now
        )
        .values_list("pk", flat=True)
        .first()
    )
    if held is not None:
        return held  # claimed before its code was stopped: still the buyer's (docs/coupons.md)
    if not coupon.is_active:
        raise PromoCodeStopped(fields={"promo_code": [str(PromoCodeStopped.default_message)]})
    return coupon_claim(coupon_id=coupon.pk, user=buyer, source=ClaimSource.CODE, now=now).pk


def reseller_code_create(
    *, reseller: Reseller, code: str, name: str, off_amount: int, threshold_amount: int = 0, valid_days: int = 30
) -> Coupon:
    """A reseller's own promo code: a coupon it funds from its earnings
    (``RESELLER_COUPON_DISCOUNT``), amount off above a threshold (or none),
    valid N days after a buyer claims it by typing the code. At most
    ``MAX_OWN_CODES`` active ones; a code already taken is refused."""
    code = (code or "").strip().upper()
    if not (4 <= len(code) <= 20 and code.isascii() and code.isalnum()):
        raise PromoCodeInvalid(fields={"code": [str(PromoCodeInvalid.default_message)]})
    if off_amount <= 0 or threshold_amount < 0 or (threshold_amount and threshold_amount <= off_amount):
        raise PromoCodeInvalid(fields={"off_amount": [_("The amount off must be positive and below the threshold.")]})
    with transaction.atomic():
        Reseller.objects.select_for_update().filter(pk=reseller.pk).exists()  # one creation at a time per reseller
        if Coupon.objects.filter(funder_reseller=reseller, is_active=True, code__isnull=False).count() >= MAX_OWN_CODES:
            raise PromoCodeInvalid(_("You already have as many promo codes as allowed."))
        if Coupon.objects.filter(code=code).exists() or Reseller.objects.filter(invite_code=code).exists():
            raise PromoCodeInvalid(fields={"code": [_("This code is taken.")]})
        return Coupon.objects.create(
            name=name[:60] or code,
            kind=CouponKind.AMOUNT_OFF if threshold_amount else CouponKind.NO_THRESHOLD,
            threshold_amount=threshold_amount,
            off_amount=off_amount,
            valid_days=valid_days,
            funder=CouponFunder.RESELLER,
            funder_reseller=reseller,
            code=code,
            in_centre=False,
        )


def supplier_coupon_create(
    *,
    supplier,
    name: str,
    off_amount: int,
    threshold_amount: int = 0,
    valid_days: int = 30,
    total_limit: int | None = None,
    in_centre: bool = True,
) -> Coupon:
    """A supplier's own coupon (its portal): amount off its own products
    (above a threshold, or none), funded by it (``SUPPLIER_COUPON_DISCOUNT``),
    valid N days after claiming."""
    if off_amount <= 0 or threshold_amount < 0 or (threshold_amount and threshold_amount <= off_amount):
        raise PromoCodeInvalid(fields={"off_amount": [_("The amount off must be positive and below the threshold.")]})
    return Coupon.objects.create(
        name=name[:60],
        kind=CouponKind.AMOUNT_OFF if threshold_amount else CouponKind.NO_THRESHOLD,
        threshold_amount=threshold_amount,
        off_amount=off_amount,
        scope=CouponScope.SUPPLIER,
        supplier=supplier,
        valid_days=valid_days,
        total_limit=total_limit,
        funder=CouponFunder.SUPPLIER,
        funder_supplier=supplier,
        in_centre=in_centre,
    )


def reseller_code_stop(*, reseller: Reseller, coupon_id: int) -> Coupon:
    """The reseller stops one of its own promo codes: no buyer claims it any
    more (typing it is refused with PromoCodeStopped), and it no longer
    counts against ``MAX_OWN_CODES``. Coupons buyers already claimed with it
    stay theirs until their own validity ends, still funded by the reseller
    (a discount promised is kept). Locks the coupon's row, so a claim in
    flight finishes before or sees it stopped. Idempotent; NotFound for a
    code that is not the reseller's own."""
    with transaction.atomic():
        coupon = (
            Coupon.objects.select_for_update()
            .filter(pk=coupon_id, funder_reseller=reseller, code__isnull=False)
            .first()
        )
        if coupon is None:
            raise NotFound(_("No such promo code of yours."))
        if coupon.is_active:
            coupon.is_active = False
            coupon.save(update_fields=["is_active"])
        return coupon
