"""Every endpoint that takes an Idempotency-Key keeps the one contract
(socialshop.idempotency, docs/api.md): the same grammar, one key space per
user, concurrent retries answered once; and the keys sent before the
contract was shared still answer after the upgrade."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from commissions.api.serializers import WithdrawalSerializer
from commissions.models import Withdrawal
from commissions.tests.factories import credit_withdrawable
from conftest import run_together
from distribution.tests.factories import ResellerFactory
from orders.models import Order
from orders.tests.factories import shop_selling
from socialshop.models import IdempotencyKey

ADDRESS = {
    "recipient_name": "张三",
    "phone": "13800138000",
    "province_code": "44",
    "city_code": "4401",
    "district_code": "440106",
    "street": "体育西路 1 号",
}

ORDERS, WITHDRAWALS = "/api/v1/orders/", "/api/v1/withdrawals/"


def _order_body(shop, sku) -> dict:
    return {"lines": [{"sku_id": sku.pk, "quantity": 1, "shop": shop.slug}], "shipping_address": ADDRESS}


@pytest.fixture
def reseller():
    reseller = ResellerFactory()
    credit_withdrawable(reseller.pk, 50_000, "start")
    return reseller


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("path", [ORDERS, WITHDRAWALS])
@pytest.mark.parametrize("key", ["x" * 65, "x" * 255, "two words", "ключ"])
def test_every_endpoint_refuses_a_key_outside_the_grammar_and_does_nothing(reseller, path, key):
    shop, sku = shop_selling()
    body = _order_body(shop, sku) if path == ORDERS else {"amount": "100.00"}

    response = _client(reseller.user).post(path, body, format="json", headers={"Idempotency-Key": key})

    assert response.status_code == 400 and "Idempotency-Key" in response.json()["fields"], response.content
    assert not Order.objects.exists() and not Withdrawal.objects.exists() and not IdempotencyKey.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "other"), [(ORDERS, WITHDRAWALS), (WITHDRAWALS, ORDERS)])
def test_a_users_key_is_one_request_whichever_endpoint_it_was_sent_to(reseller, path, other):
    shop, sku = shop_selling()
    bodies = {ORDERS: _order_body(shop, sku), WITHDRAWALS: {"amount": "100.00"}}
    client = _client(reseller.user)
    first = client.post(path, bodies[path], format="json", headers={"Idempotency-Key": "k-1"})

    elsewhere = client.post(other, bodies[other], format="json", headers={"Idempotency-Key": "k-1"})

    assert first.status_code == 201
    assert elsewhere.status_code == 422 and elsewhere.json()["code"] == "idempotency_key_reused"
    assert Order.objects.count() + Withdrawal.objects.count() == 1


@pytest.mark.django_db
def test_a_replayed_withdrawal_is_its_first_answer_even_after_it_moved_on(reseller):
    client = _client(reseller.user)
    first = client.post(WITHDRAWALS, {"amount": "100.00"}, format="json", headers={"Idempotency-Key": "k-1"})
    Withdrawal.objects.update(status="rejected", failure_reason="收款账户信息不完整")

    retry = client.post(WITHDRAWALS, {"amount": "100.00"}, format="json", headers={"Idempotency-Key": "k-1"})

    assert retry.status_code == 201 and retry["Idempotent-Replayed"] == "true"
    assert retry.content == first.content and retry.json()["status"] == "requested"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_withdrawal_requests_with_one_key_withdraw_once(reseller):
    def post():
        response = _client(reseller.user).post(
            WITHDRAWALS, {"amount": "100.00"}, format="json", headers={"Idempotency-Key": "retry-me"}
        )
        return response.status_code, response.content

    outcomes = run_together(*([post] * 5))

    assert {status for status, _content in outcomes} == {201}, outcomes
    assert len({content for _status, content in outcomes}) == 1
    assert Withdrawal.objects.count() == 1


# --- the keys sent before the upgrade ---------------------------------------------------

BEFORE = [("orders", "0002_refund_superseded"), ("commissions", "0008_settlement_index_in_maturity_order")]
AFTER = [("orders", "0003_idempotency_keys_to_the_kernel"), ("commissions", "0009_withdrawal_keys_to_the_kernel")]


@pytest.fixture
def back_to_the_latest_schema():
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_keys_of_the_last_day_still_answer_after_they_move_to_the_shared_table(back_to_the_latest_schema):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE + [("socialshop", "0002_event_cursor")])
    old = executor.loader.project_state(BEFORE).apps
    OldUser, OldReseller = old.get_model("accounts", "User"), old.get_model("distribution", "Reseller")
    OldKey, OldWithdrawal = old.get_model("orders", "IdempotencyKey"), old.get_model("commissions", "Withdrawal")
    buyer = OldUser.objects.create(phone="13700000001")
    seller = OldUser.objects.create(phone="13700000002", role="reseller")
    reseller = OldReseller.objects.create(user=seller, invite_code="MIGRATE1")
    two_days_ago = timezone.now() - timedelta(days=2)
    for key in ("k-1", "two words", "x" * 200, "stale"):
        OldKey.objects.create(user=buyer, key=key, request_digest="d", response_status=201, response_body='{"id": 1}')
    OldKey.objects.filter(key="stale").update(created_at=two_days_ago)
    kept = OldWithdrawal.objects.create(reseller=reseller, amount=10_000, idempotency_key="w-1")
    OldWithdrawal.objects.create(reseller=reseller, amount=20_000, idempotency_key="w-old")
    OldWithdrawal.objects.filter(idempotency_key="w-old").update(requested_at=two_days_ago)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)

    new = executor.loader.project_state(AFTER).apps
    keys = new.get_model("socialshop", "IdempotencyKey").objects.order_by("key")
    assert [(key.user_id, key.key) for key in keys] == [(buyer.pk, "k-1"), (seller.pk, "w-1")]
    assert keys.get(key="k-1").response_body == '{"id": 1}'
    assert "idempotency_key" not in {field.name for field in new.get_model("commissions", "Withdrawal")._meta.fields}

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    client = _client(User.objects.get(pk=seller.pk))
    retry = client.post(WITHDRAWALS, {"amount": "100.00"}, format="json", headers={"Idempotency-Key": "w-1"})
    other = client.post(WITHDRAWALS, {"amount": "200.00"}, format="json", headers={"Idempotency-Key": "w-1"})

    assert retry.status_code == 201 and retry["Idempotent-Replayed"] == "true", retry.content
    # the first answer as it was kept: what the withdrawal says now, without the fields added since
    answer, now = retry.json(), WithdrawalSerializer(Withdrawal.objects.get(pk=kept.pk)).data
    assert answer["id"] == kept.pk and answer == {field: now[field] for field in answer}
    assert other.status_code == 422
    assert Withdrawal.objects.count() == 2
