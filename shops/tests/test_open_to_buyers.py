""" "Open to buyers" (shop open, owner active, pick not hidden) is one rule in
``shops/selectors.py``, written in the forms its readers need: the querysets
(``shops_open_to_buyers``, ``picks_open_to_buyers``), the test on rows
already loaded (``shop_is_public``) and the SQL that orders' PostgreSQL
placing store joins (``picks_open_to_buyers_sql``). This holds them to the
same rows on generated worlds: shops in every status, owners in every
status, picks shown, hidden or missing. (Placing as a whole is compared
store against store in ``orders/tests/test_placing_paths.py``.)"""

import itertools

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.tests.factories import ProductFactory
from distribution.choices import ResellerStatus
from distribution.models import Reseller
from shops.choices import ShopStatus
from shops.models import Shop, ShopProduct
from shops.selectors import picks_open_to_buyers, picks_open_to_buyers_sql, shop_is_public, shops_open_to_buyers
from shops.tests.factories import ShopFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="runs the SQL form on PostgreSQL"),
]

SHOPS, PRODUCTS = 4, 3
PICK_STATES = ["shown", "hidden", "missing"]


def _by_sql() -> set[int]:
    rule = picks_open_to_buyers_sql(pick="pk_", shop="sh_", owner="ow_")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pk_.id FROM {rule.tables} WHERE {rule.condition}")  # noqa: S608 - the rule's own SQL
        return {pk for (pk,) in cursor.fetchall()}


def test_the_forms_of_open_to_buyers_select_the_same_rows():
    # given four shops, each with its own owner, each having picked the same three products
    shops = [ShopFactory() for _ in range(SHOPS)]
    products = [ProductFactory() for _ in range(PRODUCTS)]
    picks = [
        ShopProduct.objects.create(shop=shop, product=product, position=index)
        for shop in shops
        for index, product in enumerate(products)
    ]
    seen = {"empty": 0, "some": 0}

    @settings(
        max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(
        shop_states=st.lists(
            st.tuples(st.sampled_from(ShopStatus.values), st.sampled_from(ResellerStatus.values)),
            min_size=SHOPS,
            max_size=SHOPS,
        ),
        pick_states=st.lists(st.sampled_from(PICK_STATES), min_size=len(picks), max_size=len(picks)),
    )
    def forms_agree(shop_states, pick_states):
        savepoint = transaction.savepoint()
        try:
            # when the world is put in the generated state (test set-up writes the columns straight)
            for shop, (shop_status, owner_status) in zip(shops, shop_states, strict=True):
                Shop.objects.filter(pk=shop.pk).update(status=shop_status)
                Reseller.objects.filter(pk=shop.owner_id).update(status=owner_status)
            for state, group in itertools.groupby(
                sorted(zip(pick_states, picks, strict=True), key=lambda pair: pair[0]), key=lambda pair: pair[0]
            ):
                ids = [pick.pk for _state, pick in group]
                if state == "missing":
                    ShopProduct.objects.filter(pk__in=ids).delete()
                else:
                    ShopProduct.objects.filter(pk__in=ids).update(is_hidden=state == "hidden")

            # then the queryset, the SQL and the test on loaded rows pick the same picks
            by_queryset = set(picks_open_to_buyers().values_list("pk", flat=True))
            loaded = ShopProduct.objects.select_related("shop__owner")
            by_rows = {pick.pk for pick in loaded if not pick.is_hidden and shop_is_public(pick.shop)}
            assert _by_sql() == by_queryset == by_rows
            # and the shops' queryset and the test on loaded shops the same shops
            assert set(shops_open_to_buyers().values_list("pk", flat=True)) == {
                shop.pk for shop in Shop.objects.select_related("owner") if shop_is_public(shop)
            }
            # which are exactly the open shops of active owners, and their shown picks
            expected = {
                pick.pk
                for pick, pick_state in zip(picks, pick_states, strict=True)
                if pick_state == "shown"
                and shop_states[shops.index(pick.shop)] == (ShopStatus.OPEN, ResellerStatus.ACTIVE)
            }
            assert by_queryset == expected
            seen["some" if expected else "empty"] += 1
        finally:
            transaction.savepoint_rollback(savepoint)

    forms_agree()
    # the generated worlds had buyable picks and none at all
    assert seen["some"] and seen["empty"], seen
