from hypothesis import given
from hypothesis import strategies as st

from shops.calculations import effective_price, markup

fen = st.integers(min_value=0, max_value=10**8)


@given(low=fen, spread=fen, extra=fen, shop_price=st.none() | fen)
def test_the_price_a_buyer_pays_is_always_within_the_bounds(low, spread, extra, shop_price):
    list_price = low + spread
    high = list_price + extra

    price = effective_price(list_price=list_price, min_resale=low, max_resale=high, shop_price=shop_price)

    assert low <= price <= high
    if shop_price is None:
        assert price == list_price
    elif low <= shop_price <= high:
        assert price == shop_price


def test_markup_is_the_shop_price_less_the_list_price():
    assert markup(price=12000, list_price=10000) == 2000
    assert markup(price=9000, list_price=10000) == -1000
