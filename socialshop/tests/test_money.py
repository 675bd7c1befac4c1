import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialshop.money import (
    AMOUNT_PATTERN,
    BASIS_POINTS,
    MAX_AMOUNT,
    SIGNED_AMOUNT_PATTERN,
    InvalidAmount,
    amount_pattern,
    fen_to_yuan,
    format_yuan,
    proportion_of,
    share_of,
    yuan_to_fen,
)


@pytest.mark.parametrize(
    "typed, fen",
    [
        ("12", 1200),
        ("12.3", 1230),
        ("12.30", 1230),
        ("0.01", 1),
        ("0", 0),
        ("007.50", 750),
        ("10000000000000", MAX_AMOUNT),
    ],
)
def test_yuan_strings_parse_to_exact_fen(typed, fen):
    assert yuan_to_fen(typed) == fen


EXOTIC = [
    ("1e9", "amount_malformed"),
    ("1E1", "amount_malformed"),
    ("+10.00", "amount_malformed"),
    ("10.", "amount_malformed"),
    (".5", "amount_malformed"),
    ("１０.００", "amount_malformed"),  # full-width
    ("١٠", "amount_malformed"),  # Arabic-Indic digits: Python's int() takes them
    (" 7.50 ", "amount_malformed"),
    ("7.50\n", "amount_malformed"),
    ("1_000", "amount_malformed"),
    ("1,000.00", "amount_malformed"),
    ("¥12", "amount_malformed"),
    ("0x10", "amount_malformed"),
    ("NaN", "amount_malformed"),
    ("Infinity", "amount_malformed"),
    ("", "amount_malformed"),
    ("abc", "amount_malformed"),
    ("12.345", "amount_too_precise"),
    ("1.500", "amount_too_precise"),
    ("-1", "amount_negative"),
    ("10000000000000.01", "amount_too_large"),
    ("9" * 5000, "amount_too_large"),
    (12, "amount_not_text"),
    (12.5, "amount_not_text"),
    (True, "amount_not_text"),
    (Decimal("12"), "amount_not_text"),
    (None, "amount_not_text"),
]


@pytest.mark.parametrize("typed, code", EXOTIC)
def test_anything_else_is_refused_with_the_reason_as_a_code(typed, code):
    with pytest.raises(InvalidAmount) as refused:
        yuan_to_fen(typed)

    assert refused.value.code == code and str(refused.value.message)


def test_a_sign_only_where_the_field_allows_it_and_zero_only_where_it_may_be():
    assert yuan_to_fen("-12.5", signed=True) == -1250
    with pytest.raises(InvalidAmount, match="amount_not_positive"):
        yuan_to_fen("0.00", positive=True)
    with pytest.raises(InvalidAmount, match="amount_not_positive"):
        yuan_to_fen("-1", signed=True, positive=True)
    with pytest.raises(InvalidAmount, match="amount_malformed"):
        yuan_to_fen("--1", signed=True)


def test_the_pattern_the_schema_promises_is_the_grammar():
    for typed, code in EXOTIC:
        if isinstance(typed, str) and code != "amount_too_large":  # the schema does not spell out the bound
            assert not re.fullmatch(amount_pattern(), typed)
    assert re.fullmatch(amount_pattern(signed=True), "-0.05")


def test_amounts_are_shown_as_yuan():
    assert format_yuan(123456) == "¥1,234.56"
    assert format_yuan(-5) == "-¥0.05"
    assert fen_to_yuan(5) == Decimal("0.05")


@given(amount=st.integers(min_value=-MAX_AMOUNT, max_value=MAX_AMOUNT))
def test_fen_and_yuan_round_trip(amount):
    assert yuan_to_fen(str(fen_to_yuan(amount)), signed=True) == amount


@given(typed=st.from_regex(SIGNED_AMOUNT_PATTERN, fullmatch=True) | st.text(alphabet="-0123456789.", max_size=12))
def test_what_is_accepted_is_the_schemas_pattern_and_round_trips_through_fen(typed):
    if not re.fullmatch(SIGNED_AMOUNT_PATTERN, typed) or abs(Decimal(typed)) * 100 > MAX_AMOUNT:
        with pytest.raises(InvalidAmount):
            yuan_to_fen(typed, signed=True)
        return

    fen = yuan_to_fen(typed, signed=True)

    assert fen == Decimal(typed) * 100
    assert yuan_to_fen(str(fen_to_yuan(fen)), signed=True) == fen


_amount = st.from_regex(AMOUNT_PATTERN, fullmatch=True).filter(lambda typed: len(typed) < 14)
_float_like = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True)
    .map(repr)
    .filter(
        lambda typed: not re.fullmatch(SIGNED_AMOUNT_PATTERN, typed)  # "10.0" is a float's repr and a fine amount
    ),
    st.builds("{}e{}".format, _amount, st.integers(-20, 20)),
    st.builds("{}E+{}".format, _amount, st.integers(0, 20)),
    _amount.map(lambda typed: "+" + typed),
    _amount.filter(lambda typed: "." not in typed).map(lambda typed: typed + "."),
    _amount.map(lambda typed: "." + typed.replace(".", "")),
    st.builds("{}{}".format, _amount, st.sampled_from([" ", "\n", "\t", "\u3000", "元", "_0", ",000"])),
    st.builds("{}{}".format, st.sampled_from([" ", "¥", "＋", "0x", "\ufeff"]), _amount),
    # one ASCII digit swapped for another script's digit (full-width, Arabic-Indic, Devanagari …)
    st.builds(
        lambda typed, digit, index: typed[: index % len(typed)] + digit + typed[index % len(typed) + 1 :],
        _amount,
        st.characters(categories=["Nd"]).filter(lambda char: char not in "0123456789"),
        st.integers(min_value=0),
    ).filter(lambda typed: not typed.isascii()),
)


@given(typed=_float_like)
def test_every_float_like_or_exotic_string_is_refused(typed):
    with pytest.raises(InvalidAmount):
        yuan_to_fen(typed, signed=True)


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
