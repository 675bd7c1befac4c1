from hypothesis import given
from hypothesis import strategies as st

from catalog.models import Sku
from shops.calculations import line_price, markup

fen = st.integers(min_value=0, max_value=10**8)


@given(low=fen, spread=fen, extra=fen, shop_price=st.none() | fen, quantity=st.integers(min_value=1, max_value=99))
def test_the_price_a_buyer_pays_is_always_within_the_bounds(low, spread, extra, shop_price, quantity):
    list_price = low + spread
    high = list_price + extra
    sku = Sku(list_price_amount=list_price, min_resale_amount=low, max_resale_amount=high)

    price = line_price(sku=sku, shop_price=shop_price, quantity=quantity)

    assert low <= price.unit_price_amount <= high
    assert price.list_price_amount == list_price
    if shop_price is None:
        assert price.unit_price_amount == list_price
    elif low <= shop_price <= high:
        assert price.unit_price_amount == shop_price
    assert price.discount_amount == 0
    assert price.total_amount == price.unit_price_amount * quantity


def test_markup_is_the_shop_price_less_the_list_price():
    assert markup(price=12000, list_price=10000) == 2000
    assert markup(price=9000, list_price=10000) == -1000
