from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialshop.money import (
    BASIS_POINTS,
    InvalidAmount,
    fen_to_yuan,
    format_yuan,
    proportion_of,
    share_of,
    yuan_to_fen,
)


@pytest.mark.parametrize(
    "typed, fen",
    [("12", 1200), ("12.3", 1230), ("12.30", 1230), ("0.01", 1), (" 7.50 ", 750), (5, 500), ("1.500", 150)],
)
def test_yuan_strings_parse_to_exact_fen(typed, fen):
    assert yuan_to_fen(typed) == fen


@pytest.mark.parametrize(
    "typed", ["12.345", "-1", "abc", "", "NaN", "Infinity", "1e30", "1e999999", "-1e999999", "1e-999999", 12.5, True]
)
def test_anything_else_is_refused(typed):
    with pytest.raises(InvalidAmount):
        yuan_to_fen(typed)


def test_amounts_are_shown_as_yuan():
    assert format_yuan(123456) == "¥1,234.56"
    assert format_yuan(-5) == "-¥0.05"
    assert fen_to_yuan(5) == Decimal("0.05")


@given(amount=st.integers(min_value=0, max_value=10**12))
def test_fen_and_yuan_round_trip(amount):
    assert yuan_to_fen(str(fen_to_yuan(amount))) == amount


@given(
    amount=st.integers(min_value=0, max_value=10**12),
    rates=st.lists(st.integers(min_value=0, max_value=BASIS_POINTS), min_size=1, max_size=3).filter(
        lambda rates: sum(rates) <= BASIS_POINTS
    ),
)
def test_shares_never_add_up_to_more_than_the_whole(amount, rates):
    shares = [share_of(amount, rate) for rate in rates]

    assert sum(shares) <= amount
    # rounding loses less than one fen per share, and that fen stays with the platform
    assert amount * sum(rates) / BASIS_POINTS - sum(shares) < len(rates)


@given(amount=st.integers(min_value=0, max_value=10**12), data=st.data())
def test_proportional_parts_never_exceed_the_whole(amount, data):
    whole = data.draw(st.integers(min_value=1, max_value=10**9))
    parts = data.draw(st.lists(st.integers(min_value=0, max_value=whole), min_size=1, max_size=5))
    if sum(parts) > whole:
        parts = [whole]

    assert sum(proportion_of(amount, part, whole) for part in parts) <= amount
