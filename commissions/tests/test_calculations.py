import pytest
from hypothesis import given
from hypothesis import strategies as st

from commissions.calculations import (
    CommissionBase,
    LineMoney,
    amount_after_refund,
    line_split,
    withdrawal_fee,
)
from socialshop.money import BASIS_POINTS


def test_a_line_sold_at_list_price_splits_its_margin_by_tier():
    # cost 50.00, list 100.00, sold at list: margin 50.00
    line = LineMoney(quantity=1, unit_price_amount=10000, list_price_amount=10000, cost_amount=5000)

    split = line_split(line=line, tier_basis_points=[3000, 1000])

    assert split.margin_amount == 5000
    assert split.markup_amount == 0
    assert split.tier_amounts == (1500, 500)
    assert split.platform_keeps_amount == 3000


def test_the_shop_markup_is_its_own_and_not_shared_with_the_upline():
    # sold at 120.00 against a list price of 100.00: 20.00 markup per unit
    line = LineMoney(quantity=2, unit_price_amount=12000, list_price_amount=10000, cost_amount=5000)

    split = line_split(line=line, tier_basis_points=[3000, 1000])

    assert split.markup_amount == 4000
    assert split.base_amount == 10000  # the margin at list price
    assert split.tier_amounts == (3000, 1000)
    assert split.paid_out_amount <= split.margin_amount


def test_a_paid_base_is_cut_so_nothing_exceeds_the_margin():
    line = LineMoney(quantity=1, unit_price_amount=10000, list_price_amount=10000, cost_amount=9000)

    split = line_split(line=line, tier_basis_points=[5000, 3000], base=CommissionBase.PAID)

    # 50% and 30% of 100.00 would be 80.00, but the margin is only 10.00: tier 2 is cut first
    assert split.tier_amounts == (1000, 0)
    assert split.paid_out_amount == split.margin_amount == 1000


def test_rounding_goes_down_and_the_fen_stays_with_the_platform():
    line = LineMoney(quantity=1, unit_price_amount=1001, list_price_amount=1001, cost_amount=0)

    split = line_split(line=line, tier_basis_points=[3333, 3333, 3333])

    assert split.tier_amounts == (333, 333, 333)
    assert split.platform_keeps_amount == 2


def test_a_line_sold_below_cost_pays_nobody():
    line = LineMoney(quantity=1, unit_price_amount=5000, list_price_amount=5000, cost_amount=4000, discount_amount=2000)

    split = line_split(line=line, tier_basis_points=[3000, 1000])

    assert split.margin_amount == 0 and split.tier_amounts == (0, 0) and split.markup_amount == 0


@pytest.mark.parametrize("shares", [[], [1, 1, 1, 1], [6000, 5000], [-1, 100]])
def test_impossible_plans_are_refused(shares):
    line = LineMoney(quantity=1, unit_price_amount=100, list_price_amount=100, cost_amount=0)

    with pytest.raises(ValueError):
        line_split(line=line, tier_basis_points=shares)


lines = st.builds(
    LineMoney,
    quantity=st.integers(min_value=1, max_value=50),
    unit_price_amount=st.integers(min_value=0, max_value=10**7),
    list_price_amount=st.integers(min_value=0, max_value=10**7),
    cost_amount=st.integers(min_value=0, max_value=10**7),
    discount_amount=st.integers(min_value=0, max_value=10**8),
)
plans = st.lists(st.integers(min_value=0, max_value=BASIS_POINTS), min_size=1, max_size=3).filter(
    lambda shares: sum(shares) <= BASIS_POINTS
)


@given(line=lines, shares=plans, base=st.sampled_from([CommissionBase.MARGIN, CommissionBase.PAID]))
def test_commissions_and_markup_never_exceed_the_margin(line, shares, base):
    split = line_split(line=line, tier_basis_points=shares, base=base)

    assert all(amount >= 0 for amount in split.tier_amounts)
    assert split.markup_amount >= 0
    assert split.paid_out_amount <= split.margin_amount
    assert split.platform_keeps_amount >= 0


@given(
    amount=st.integers(min_value=0, max_value=10**9),
    paid=st.integers(min_value=1, max_value=10**9),
    refunds=st.lists(st.integers(min_value=0, max_value=10**9), max_size=5),
)
def test_refunds_shrink_a_commission_in_proportion_never_below_zero_or_above_itself(amount, paid, refunds):
    refunded = 0
    previous = amount
    for refund in refunds:
        refunded = min(refunded + refund, paid)
        now = amount_after_refund(amount=amount, paid_amount=paid, refunded_amount=refunded)
        assert 0 <= now <= previous  # only ever shrinks
        previous = now
    if refunded == paid:
        assert previous == 0


@given(amount=st.integers(min_value=0, max_value=10**9), fixed=st.integers(0, 10**4), bps=st.integers(0, 10**4))
def test_a_withdrawal_fee_never_exceeds_the_withdrawal(amount, fixed, bps):
    assert 0 <= withdrawal_fee(amount=amount, fixed_amount=fixed, basis_points=bps) <= amount
