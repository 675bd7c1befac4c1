"""我的等级 (the reseller's grade page) and its API: what it shows, in Chinese
and yuan, at a constant number of queries."""

import pytest
from rest_framework.test import APIClient

from commissions.choices import GradeConditionKind
from commissions.models import Grade, GradeCondition, ResellerGrade
from distribution.tests.factories import ResellerFactory
from orders.tests.factories import pay, place, shop_selling
from shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    seller = ResellerFactory()
    shop, sku = shop_selling(shop=ShopFactory(owner=seller), price=12_000)
    silver = Grade.objects.create(name="银牌店主", badge="银", colour="#9aa5b1", rank=2, tier1_share_bps=3500)
    GradeCondition.objects.create(grade=silver, kind=GradeConditionKind.SALES, threshold=50_000, window_days=30)
    GradeCondition.objects.create(grade=silver, kind=GradeConditionKind.BUYING_CUSTOMERS, threshold=3, window_days=30)
    gold = Grade.objects.create(name="金牌店主", badge="金", colour="#c8a04a", rank=3, tier1_share_bps=4000)
    GradeCondition.objects.create(grade=gold, kind=GradeConditionKind.COMPLETED_ORDERS, threshold=10, window_days=90)
    return {"seller": seller, "shop": shop, "sku": sku, "silver": silver, "gold": gold}


def _sell(world, count):
    for _ in range(count):
        pay(place(shop=world["shop"], sku=world["sku"]))  # events not run: the grade stays


def test_the_grade_page_shows_the_next_grade_and_a_bar_per_condition(client, world):
    _sell(world, 2)
    client.force_login(world["seller"].user)

    response = client.get("/my-shop/grade/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    page = response.content.decode()
    assert response.status_code == 200
    assert "我的等级" in page and "暂无等级" in page
    assert "银牌店主" in page
    assert "¥240.00 / ¥500.00" in page  # own sales, in yuan
    assert "2 / 3" in page  # customers who bought
    assert 'aria-valuenow="48"' in page and 'aria-valuenow="66"' in page
    assert "传销" in page  # the compliance line


def test_the_grade_page_costs_the_same_queries_whatever_the_history(client, world, django_assert_max_num_queries):
    client.force_login(world["seller"].user)
    ResellerGrade.objects.create(reseller=world["seller"], grade=world["silver"])
    _sell(world, 1)
    with django_assert_max_num_queries(10):  # session, user, reseller; held grade, grades, their conditions,
        # the figures, the changes, the plan
        assert client.get("/my-shop/grade/").status_code == 200
    _sell(world, 6)
    with django_assert_max_num_queries(10) as captured:
        response = client.get("/my-shop/grade/")
    assert response.status_code == 200
    assert "金牌店主" in response.content.decode()
    first = len(captured.captured_queries)
    _sell(world, 3)
    with django_assert_max_num_queries(first):
        client.get("/my-shop/grade/")


def test_the_workbench_links_to_the_grade_page(client, world):
    client.force_login(world["seller"].user)
    assert 'href="/my-shop/grade/"' in client.get("/my-shop/").content.decode()


def test_someone_who_is_not_a_reseller_is_sent_to_join(client):
    from accounts.tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get("/my-shop/grade/").status_code == 302


def test_the_api_answers_my_grade_and_progress(world):
    _sell(world, 1)
    api = APIClient()
    api.force_authenticate(world["seller"].user)

    body = api.get("/api/v1/grade/").json()

    assert body["grade"] is None
    assert body["next_grade"]["name"] == "银牌店主"
    assert body["next_grade"]["rates"][0] == {"tier": 1, "rate_bps": 3500}
    sales = next(c for c in body["conditions"] if c["kind"] == GradeConditionKind.SALES)
    assert sales == {
        "kind": "sales_amount",
        "unit": "yuan",
        "window_days": 30,
        "figure": "120.00",
        "threshold": "500.00",
        "percent": 24,
        "met": False,
    }


def test_the_api_refuses_anyone_but_a_reseller():
    assert APIClient().get("/api/v1/grade/").status_code in (401, 403)


def test_the_api_answer_is_what_its_schema_describes(world):
    from drf_spectacular.generators import SchemaGenerator
    from jsonschema import Draft202012Validator

    from tests.test_api_examples import _closed

    ResellerGrade.objects.create(reseller=world["seller"], grade=world["silver"], since=world["silver"].created_at)
    api = APIClient()
    api.force_authenticate(world["seller"].user)
    body = api.get("/api/v1/grade/").json()

    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = {name: _closed(part, name=name) for name, part in schema["components"]["schemas"].items()}
    answer = {"$ref": "#/components/schemas/GradeProgress", "components": {"schemas": components}}
    assert not list(Draft202012Validator(answer).iter_errors(body))
    assert body["grade"]["name"] == "银牌店主" and body["next_grade"]["name"] == "金牌店主"
