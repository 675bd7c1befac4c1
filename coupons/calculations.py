"""Coupon arithmetic: pure functions over integer fen, no database
(docs/coupons.md, the money rules).

- A coupon applies to the lines in its **scope** (everything, a category, a
  supplier, chosen products); a supplier-funded coupon only ever to that
  supplier's own lines; a coupon that does not combine with flash prices
  skips flash lines.
- Its **value**: 满减 / 无门槛 the amount off; 折扣 the percentage of the
  eligible amount (``share_of``, rounded down), at most the cap. Nothing
  when the eligible lines come to less than the threshold.
- The **discount** is the value, but never so much that an eligible line
  would be paid nothing: each keeps at least 1 fen (an order line is always
  paid something; the database holds it).
- It is **split** across the eligible lines in proportion to their amounts,
  rounded down, the remainder on the largest line
  (``socialshop.money.split_in_proportion``).
- Two coupons (a platform's and a supplier's, when stacking is allowed)
  apply one after the other, the supplier's first: each threshold is
  checked against the lines' amounts before any coupon, each split over
  what the lines still cost.
"""

from dataclasses import dataclass

from socialshop.money import proportion_of, share_of, split_in_proportion

from .choices import CouponFunder, CouponKind, CouponScope


@dataclass(frozen=True)
class CouponRule:
    """What the arithmetic reads of a coupon (``Coupon`` loaded with its product ids)."""

    kind: str
    scope: str = CouponScope.ALL
    threshold_amount: int = 0
    off_amount: int = 0
    percent_off_bps: int = 0
    cap_amount: int = 0
    category_id: int | None = None
    supplier_id: int | None = None
    product_ids: frozenset[int] = frozenset()
    combines_with_flash: bool = False
    funder: str = CouponFunder.PLATFORM
    funder_supplier_id: int | None = None


@dataclass(frozen=True)
class CouponLine:
    """What the arithmetic reads of an order line: what it costs before
    coupons, and what decides whether a coupon reaches it."""

    amount: int
    product_id: int
    category_id: int | None
    supplier_id: int
    is_flash: bool = False
    # a flash line whose campaign lets no coupon apply (flash's ``coupons_apply``)
    refuses_coupons: bool = False


def coupon_reaches(rule: CouponRule, line: CouponLine) -> bool:
    """Whether the coupon applies to the line (scope, funder, flash: both the
    coupon and the flash campaign must allow it)."""
    if line.refuses_coupons or (line.is_flash and not rule.combines_with_flash):
        return False
    if rule.funder == CouponFunder.SUPPLIER and line.supplier_id != rule.funder_supplier_id:
        return False
    if rule.scope == CouponScope.CATEGORY:
        return line.category_id == rule.category_id
    if rule.scope == CouponScope.SUPPLIER:
        return line.supplier_id == rule.supplier_id
    if rule.scope == CouponScope.PRODUCTS:
        return line.product_id in rule.product_ids
    return True


def coupon_value(rule: CouponRule, eligible_amount: int) -> int:
    """What the coupon takes off ``eligible_amount`` before the 1-fen floor:
    0 below the threshold."""
    if eligible_amount <= 0 or eligible_amount < rule.threshold_amount:
        return 0
    if rule.kind == CouponKind.PERCENT_OFF:
        return min(share_of(eligible_amount, rule.percent_off_bps), rule.cap_amount)
    return rule.off_amount


def coupon_shares(rule: CouponRule, lines: list[CouponLine], *, left: list[int] | None = None) -> list[int]:
    """Each line's share of the coupon's discount (0 for lines it does not
    reach; all 0 below the threshold). ``left``: what each line still costs
    after an earlier coupon (default: its amount); the threshold is always
    read on the amounts before any coupon."""
    left = [line.amount for line in lines] if left is None else left
    reached = [index for index, line in enumerate(lines) if coupon_reaches(rule, line)]
    value = coupon_value(rule, sum(lines[index].amount for index in reached))
    shares = [0] * len(lines)
    if value <= 0:
        return shares
    room = [max(left[index] - 1, 0) for index in reached]  # each line keeps at least 1 fen
    discount = min(value, sum(room))
    if discount <= 0:
        return shares
    for index, share in zip(
        reached, split_in_proportion(discount, [left[index] for index in reached], limits=room), strict=True
    ):
        shares[index] = share
    return shares


def coupons_shares(rules: list[CouponRule], lines: list[CouponLine]) -> list[list[int]]:
    """Each coupon's shares (in ``rules``' order), the coupons applied one
    after the other, a supplier's before the platform's (module docstring)."""
    order = sorted(range(len(rules)), key=lambda at: (rules[at].funder != CouponFunder.SUPPLIER, at))
    left = [line.amount for line in lines]
    shares: list[list[int]] = [[] for _rule in rules]
    for at in order:
        shares[at] = coupon_shares(rules[at], lines, left=left)
        left = [amount - share for amount, share in zip(left, shares[at], strict=True)]
    return shares


def coupon_best(rules: list[CouponRule], lines: list[CouponLine]) -> int | None:
    """The index of the rule that takes the most off ``lines`` (the first of
    equals), None when none takes anything: what checkout suggests."""
    best, best_amount = None, 0
    for at, rule in enumerate(rules):
        amount = sum(coupon_shares(rule, lines))
        if amount > best_amount:
            best, best_amount = at, amount
    return best


def share_returned(*, share_amount: int, paid_amount: int, refunded_amount: int) -> int:
    """How much of a coupon's share of a line is given back once
    ``refunded_amount`` of the line's ``paid_amount`` was refunded: the same
    proportion, rounded down, computed from the total refunded (so partial
    refunds never drift) and all of it once the line is refunded in full."""
    if paid_amount <= 0:
        return 0
    return proportion_of(share_amount, min(max(refunded_amount, 0), paid_amount), paid_amount)
