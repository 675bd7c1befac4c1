"""The shop page and the product page cost the same number of SQL queries
whatever the size of the shop: more products, more SKUs per product, more
pictures per product (issue 13; DESIGN §6). The count is measured on a small
shop and then held as the ceiling for a shop many times its size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory
from tests.pages_world import shop_world

pytestmark = pytest.mark.django_db

SMALL = {"products": 1, "skus_per_product": 1, "pictures_per_product": 1}
LARGE = {"products": 12, "skus_per_product": 4, "pictures_per_product": 3}


def _queries(client, url: str) -> int:
    client.get(url)  # the first visit warms what is cached (settings rows, the plan), as a busy site has
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _urls(shop, products):
    return {
        "shop": reverse("shops:storefront", args=[shop.slug]),
        "product": reverse("shops:product", args=[shop.slug, products[-1].pk]),
    }


@pytest.mark.parametrize("page", ["shop", "product"])
@pytest.mark.parametrize("logged_in", [False, True], ids=["visitor", "shopper"])
def test_a_page_costs_the_same_queries_whatever_the_shop_s_size(client, django_assert_max_num_queries, page, logged_in):
    if logged_in:
        client.force_login(UserFactory())
    small = _queries(client, _urls(*shop_world(**SMALL))[page])
    large_url = _urls(*shop_world(**LARGE))[page]
    client.get(large_url)

    with django_assert_max_num_queries(small):
        response = client.get(large_url)

    assert response.status_code == 200
    assert small <= 15, f"{page} page: {small} queries for a one-product shop"
