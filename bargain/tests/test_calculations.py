"""The cut plan: for any seed, K, start and floor, the K cuts land exactly
on the floor, each is at least one fen, the running price never goes below
the floor, and the same seed always gives the same cuts."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bargain.calculations import bargain_cut, bargain_cuts


@st.composite
def plans(draw):
    helps = draw(st.integers(min_value=1, max_value=100))
    floor = draw(st.integers(min_value=1, max_value=10**9))
    span = draw(st.integers(min_value=helps, max_value=max(helps, 10**7)))
    return draw(st.integers(min_value=0, max_value=2**62)), helps, floor + span, floor


@given(plans())
def test_k_cuts_reach_the_floor_exactly_each_positive_never_below(plan):
    seed, helps, start, floor = plan

    cuts = bargain_cuts(seed=seed, helps_needed=helps, start_amount=start, floor_amount=floor)

    assert len(cuts) == helps
    assert all(isinstance(cut, int) and cut >= 1 for cut in cuts)
    assert sum(cuts) == start - floor
    price = start
    for cut in cuts:
        price -= cut
        assert price >= floor
    assert price == floor


@given(plans())
def test_the_same_seed_gives_the_same_cuts(plan):
    seed, helps, start, floor = plan
    first = bargain_cuts(seed=seed, helps_needed=helps, start_amount=start, floor_amount=floor)

    assert bargain_cuts(seed=seed, helps_needed=helps, start_amount=start, floor_amount=floor) == first
    assert [
        bargain_cut(seed=seed, helps_needed=helps, start_amount=start, floor_amount=floor, help_number=n)
        for n in range(1, helps + 1)
    ] == first


def test_a_known_seed_keeps_its_cuts_across_releases():
    """Stored seeds must replay: pin one plan."""
    assert bargain_cuts(seed=42, helps_needed=5, start_amount=10000, floor_amount=6000) == [1310, 229, 52, 1127, 1282]


def test_different_seeds_draw_different_plans():
    drawn = {tuple(bargain_cuts(seed=seed, helps_needed=5, start_amount=10000, floor_amount=6000)) for seed in range(9)}
    assert len(drawn) > 5


def test_exactly_one_fen_per_help_is_the_tightest_plan():
    assert bargain_cuts(seed=7, helps_needed=4, start_amount=104, floor_amount=100) == [1, 1, 1, 1]


@pytest.mark.parametrize(("helps", "start", "floor"), [(0, 100, 50), (5, 104, 100), (3, 100, 100)])
def test_a_span_too_small_for_one_fen_per_help_is_refused(helps, start, floor):
    with pytest.raises(ValueError):
        bargain_cuts(seed=1, helps_needed=helps, start_amount=start, floor_amount=floor)
