from hypothesis import given
from hypothesis import strategies as st

from catalog.calculations import price_bound_errors

amounts = st.integers(min_value=-10, max_value=10**7)


@given(cost=amounts, low=amounts, list_price=amounts, high=amounts)
def test_prices_pass_exactly_when_they_are_ordered(cost, low, list_price, high):
    errors = price_bound_errors(cost=cost, min_resale=low, list_price=list_price, max_resale=high)

    assert (errors == {}) == (0 <= cost <= low <= list_price <= high and low >= 1)


def test_each_broken_bound_is_reported_on_its_own_field():
    errors = price_bound_errors(cost=5000, min_resale=4000, list_price=3000, max_resale=2000)

    assert set(errors) == {"min_resale_amount", "list_price_amount", "max_resale_amount"}


def test_equal_prices_are_allowed():
    assert price_bound_errors(cost=100, min_resale=100, list_price=100, max_resale=100) == {}
