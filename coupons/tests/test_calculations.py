"""The coupon arithmetic over generated carts and coupons (kinds, scopes,
thresholds, caps, funders, flash lines, stacking, partial refunds)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coupons.calculations import (
    CouponLine,
    CouponRule,
    coupon_best,
    coupon_reaches,
    coupon_shares,
    coupons_shares,
    share_returned,
)
from coupons.choices import CouponFunder, CouponKind, CouponScope
from socialshop.money import split_in_proportion

lines_st = st.lists(
    st.builds(
        CouponLine,
        amount=st.integers(min_value=1, max_value=10**7),
        product_id=st.integers(min_value=1, max_value=4),
        category_id=st.integers(min_value=1, max_value=3),
        supplier_id=st.integers(min_value=1, max_value=3),
        is_flash=st.booleans(),
    ),
    min_size=1,
    max_size=8,
)


@st.composite
def rules_st(draw, funder=None):
    kind = draw(st.sampled_from(CouponKind.values))
    off = draw(st.integers(min_value=1, max_value=10**6))
    funder = funder or draw(st.sampled_from(CouponFunder.values))
    return CouponRule(
        kind=kind,
        scope=draw(st.sampled_from(CouponScope.values)),
        threshold_amount=draw(st.integers(min_value=off + 1, max_value=10**7))
        if kind == CouponKind.AMOUNT_OFF
        else 0
        if kind == CouponKind.NO_THRESHOLD
        else draw(st.integers(min_value=0, max_value=10**6)),
        off_amount=off if kind != CouponKind.PERCENT_OFF else 0,
        percent_off_bps=draw(st.integers(min_value=1, max_value=9_999)),
        cap_amount=draw(st.integers(min_value=1, max_value=10**6)),
        category_id=draw(st.integers(min_value=1, max_value=3)),
        supplier_id=draw(st.integers(min_value=1, max_value=3)),
        product_ids=frozenset(draw(st.lists(st.integers(min_value=1, max_value=4), max_size=3))),
        combines_with_flash=draw(st.booleans()),
        funder=funder,
        funder_supplier_id=draw(st.integers(min_value=1, max_value=3)) if funder == CouponFunder.SUPPLIER else None,
    )


@given(lines=lines_st, rule=rules_st())
def test_one_coupon_shares_add_up_reach_only_its_lines_and_leave_every_line_paid(lines, rule):
    shares = coupon_shares(rule, lines)
    reached = [line for line in lines if coupon_reaches(rule, line)]
    eligible = sum(line.amount for line in reached)
    discount = sum(shares)
    # paid = list − discount, line by line, and no line at zero or below
    assert all(0 <= share < line.amount for share, line in zip(shares, lines, strict=True))
    assert all(share == 0 for share, line in zip(shares, lines, strict=True) if not coupon_reaches(rule, line))
    if eligible < rule.threshold_amount or not reached:
        assert discount == 0
    else:
        value = (
            min(eligible * rule.percent_off_bps // 10_000, rule.cap_amount)
            if rule.kind == CouponKind.PERCENT_OFF
            else rule.off_amount
        )
        assert discount == min(value, eligible - len(reached))
    if rule.kind == CouponKind.PERCENT_OFF:
        assert discount <= rule.cap_amount


@given(lines=lines_st, supplier=rules_st(funder=CouponFunder.SUPPLIER), platform=rules_st(funder=CouponFunder.PLATFORM))
def test_a_supplier_and_a_platform_coupon_together_never_take_a_line_to_zero(lines, supplier, platform):
    both = coupons_shares([platform, supplier], lines)
    for at, line in enumerate(lines):
        assert both[0][at] >= 0 and both[1][at] >= 0
        assert both[0][at] + both[1][at] < line.amount
    # the supplier's coupon comes first, on the untouched lines
    assert both[1] == coupon_shares(supplier, lines)


@given(lines=lines_st, rules=st.lists(rules_st(), min_size=1, max_size=4))
def test_the_suggested_coupon_takes_the_most_off(lines, rules):
    best = coupon_best(rules, lines)
    amounts = [sum(coupon_shares(rule, lines)) for rule in rules]
    if best is None:
        assert max(amounts) == 0
    else:
        assert amounts[best] == max(amounts) > 0


@given(
    weights=st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=10).filter(lambda w: sum(w) > 0),
    data=st.data(),
)
def test_a_split_adds_up_rounds_down_and_puts_the_remainder_on_the_largest(weights, data):
    amount = data.draw(st.integers(min_value=0, max_value=sum(weights)))
    parts = split_in_proportion(amount, weights)
    assert sum(parts) == amount
    floors = [amount * weight // sum(weights) for weight in weights]
    largest = max(range(len(weights)), key=lambda at: (weights[at], -at))
    # each part its share rounded down, never more than its weight; the fen left go to the largest first
    # (what it cannot take, to the next largest)
    assert all(floor <= part <= weight for part, floor, weight in zip(parts, floors, weights, strict=True))
    assert parts[largest] == min(weights[largest], floors[largest] + amount - sum(floors))


def test_a_split_too_large_for_its_limits_is_refused():
    with pytest.raises(ValueError):
        split_in_proportion(10, [5, 5], limits=[4, 4])


@given(
    share=st.integers(min_value=1, max_value=10**6),
    paid=st.integers(min_value=1, max_value=10**7),
    data=st.data(),
)
def test_refunds_give_back_the_share_in_proportion_never_more_and_all_of_it_at_the_end(share, paid, data):
    steps = data.draw(st.lists(st.integers(min_value=1, max_value=paid), max_size=5))
    refunded, returned = 0, 0
    for step in steps:
        refunded = min(refunded + step, paid)
        now = share_returned(share_amount=share, paid_amount=paid, refunded_amount=refunded)
        assert returned <= now <= share
        assert now == share * refunded // paid
        returned = now
    assert share_returned(share_amount=share, paid_amount=paid, refunded_amount=paid) == share


@pytest.mark.parametrize(
    "combines, campaign_allows, reaches",
    [(True, True, True), (True, False, False), (False, True, False), (False, False, False)],
)
def test_a_flash_line_takes_a_coupon_only_when_the_coupon_and_the_flash_campaign_both_allow_it(
    combines, campaign_allows, reaches
):
    rule = CouponRule(kind=CouponKind.NO_THRESHOLD, off_amount=500, combines_with_flash=combines)
    line = CouponLine(
        amount=9_900, product_id=1, category_id=1, supplier_id=1, is_flash=True, refuses_coupons=not campaign_allows
    )

    assert coupon_reaches(rule, line) is reaches
    assert coupon_reaches(rule, CouponLine(amount=9_900, product_id=1, category_id=1, supplier_id=1)) is True
