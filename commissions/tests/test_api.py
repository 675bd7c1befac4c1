import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from commissions.models import Withdrawal
from commissions.services.withdrawals import withdrawal_request
from distribution.tests.factories import ResellerFactory

from .factories import balances, credit_withdrawable

pytestmark = pytest.mark.django_db


@pytest.fixture
def reseller():
    reseller = ResellerFactory()
    credit_withdrawable(reseller.pk, 50_000, "start")
    return reseller


@pytest.fixture
def api(reseller):
    client = APIClient()
    client.force_authenticate(reseller.user)
    return client


def test_a_reseller_asks_to_withdraw_in_yuan(api, reseller):
    response = api.post("/api/v1/withdrawals/", {"amount": "123.45"}, format="json")

    assert response.status_code == 201
    assert response.json()["amount"] == "123.45" and response.json()["status"] == "requested"
    assert balances(reseller.pk) == {"withdrawable": 50_000 - 12_345, "pending": 12_345}


@pytest.mark.parametrize(
    "amount, code",
    [
        ("12.345", "validation_error"),
        ("-100", "validation_error"),
        ("abc", "validation_error"),
        (100.5, "validation_error"),
        ("0", "below_minimum_withdrawal"),
        ("9.99", "below_minimum_withdrawal"),
        ("500.01", "insufficient_balance"),
    ],
)
def test_bad_amounts_get_a_clear_400_and_change_nothing(api, reseller, amount, code):
    response = api.post("/api/v1/withdrawals/", {"amount": amount}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert "amount" in response.json()["fields"]
    assert not Withdrawal.objects.exists()
    assert balances(reseller.pk) == {"withdrawable": 50_000, "pending": 0}


@pytest.mark.parametrize(
    "amount, field_code",
    [
        ("1e9", "amount_malformed"),
        ("1E1", "amount_malformed"),
        ("+10.00", "amount_malformed"),
        ("10.", "amount_malformed"),
        ("１０.００", "amount_malformed"),
        (" 10.00", "amount_malformed"),
        ("10.000", "amount_too_precise"),
        ("-10", "amount_negative"),
        ("99999999999999", "amount_too_large"),
        (10, "amount_not_text"),
        (True, "amount_not_text"),
    ],
)
def test_an_amount_outside_the_grammar_is_refused_with_a_code_saying_why(api, reseller, amount, field_code):
    response = api.post("/api/v1/withdrawals/", {"amount": amount}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert response.json()["field_codes"] == {"amount": [field_code]}
    assert response.json()["fields"]["amount"][0].startswith(("请", "金额", "最多"))  # said in Chinese
    assert not Withdrawal.objects.exists()


def test_a_reseller_sees_only_its_own_withdrawals(api, reseller):
    mine = withdrawal_request(reseller=reseller, amount=10_000)
    other = ResellerFactory()
    credit_withdrawable(other.pk, 20_000, "other")
    theirs = withdrawal_request(reseller=other, amount=10_000)

    listed = api.get("/api/v1/withdrawals/").json()

    assert [row["id"] for row in listed["results"]] == [mine.pk]
    assert api.get(f"/api/v1/withdrawals/{theirs.pk}/").status_code == 404


def test_customers_have_no_withdrawals():
    client = APIClient()
    client.force_authenticate(UserFactory())

    assert client.get("/api/v1/withdrawals/").status_code == 403
    assert client.post("/api/v1/withdrawals/", {"amount": "10.00"}, format="json").status_code == 403


def test_withdrawal_requests_are_rate_limited(api, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "withdrawal_request": "2/hour"},
    }
    for _ in range(2):
        assert api.post("/api/v1/withdrawals/", {"amount": "10.00"}, format="json").status_code == 201

    response = api.post("/api/v1/withdrawals/", {"amount": "10.00"}, format="json")

    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert api.get("/api/v1/withdrawals/").status_code == 200  # reading is not limited by that scope


def test_a_retried_request_with_its_idempotency_key_withdraws_once(api, reseller):
    first = api.post("/api/v1/withdrawals/", {"amount": "100.00"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    retry = api.post("/api/v1/withdrawals/", {"amount": "100.00"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    other = api.post("/api/v1/withdrawals/", {"amount": "100.00"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")

    assert first.status_code == retry.status_code == other.status_code == 201
    assert retry.json()["id"] == first.json()["id"] != other.json()["id"]
    assert balances(reseller.pk) == {"withdrawable": 30_000, "pending": 20_000}


def test_one_idempotency_key_for_another_amount_is_422_and_changes_nothing(api, reseller):
    api.post("/api/v1/withdrawals/", {"amount": "100.00"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    response = api.post("/api/v1/withdrawals/", {"amount": "200.00"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert response.status_code == 422 and response.json()["code"] == "idempotency_key_reused"
    assert balances(reseller.pk) == {"withdrawable": 40_000, "pending": 10_000}


def test_a_malformed_idempotency_key_is_a_400(api):
    response = api.post("/api/v1/withdrawals/", {"amount": "100.00"}, format="json", HTTP_IDEMPOTENCY_KEY="x" * 65)

    assert response.status_code == 400 and "Idempotency-Key" in response.json()["fields"]
    assert not Withdrawal.objects.exists()


def test_a_reseller_reads_its_balances_and_commissions(django_capture_on_commit_callbacks):
    from orders.tests.factories import pay, place, shop_selling
    from shops.tests.factories import ShopFactory

    reseller = ResellerFactory()
    shop, sku = shop_selling(shop=ShopFactory(owner=reseller), price=12_000)
    with django_capture_on_commit_callbacks(execute=True):
        pay(place(shop=shop, sku=sku))
    client = APIClient()
    client.force_authenticate(reseller.user)

    money = client.get("/api/v1/money/").json()
    listed = client.get("/api/v1/commissions/", {"state": "frozen"}).json()

    assert money == {
        "frozen_amount": "35.00",
        "withdrawable_amount": "0.00",
        "withdrawal_pending_amount": "0.00",
        "withdrawn_amount": "0.00",
    }
    assert sorted((row["kind"], row["net_amount"]) for row in listed["results"]) == [
        ("markup", "20.00"),
        ("tier", "15.00"),
    ]
    assert client.get("/api/v1/commissions/", {"state": "settled"}).json()["count"] == 0
