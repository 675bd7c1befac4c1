"""The sandbox's books moved here from orders and commissions with their
rows: what the gateway and the payout provider kept before the move is
read through the sandbox's models after it, from tables of its own name."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("orders", "0003_idempotency_keys_to_the_kernel"), ("commissions", "0010_commission_decisions")]
AFTER = [("sandbox", "0001_initial")]


@pytest.fixture
def back_to_the_latest_schema():
    """Migrating apps back unapplies the migrations of apps that depend on
    them: put every app back on its latest migration for the tests after this."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_the_move_keeps_every_charge_refund_and_payout_record(back_to_the_latest_schema):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    charge = old.get_model("orders", "SandboxCharge").objects.create(
        reference="P1",
        transaction_id="SBX1",
        amount=11_800,
        currency="CNY",
        subject="订单 1",
        notify_url="http://testserver/payments/sandbox/notify/",
        return_url="http://testserver/orders/1/",
        status="paid",
        expires_at="2030-01-01T00:00Z",
        refunded_amount=1_000,
    )
    old.get_model("orders", "SandboxRefund").objects.create(
        charge=charge, reference="R1", amount=1_000, succeeded=True, provider_reference="SBXR1"
    )
    old.get_model("commissions", "SandboxPayoutRecord").objects.create(
        reference="WD1-A", reseller_id=7, amount=9_800, succeeded=True, provider_reference="SBX9"
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps

    Charge, Refund = new.get_model("sandbox", "SandboxCharge"), new.get_model("sandbox", "SandboxRefund")
    moved = Charge.objects.get(reference="P1")
    assert (moved.pk, moved.status, moved.amount, moved.refunded_amount) == (charge.pk, "paid", 11_800, 1_000)
    assert list(Refund.objects.values_list("reference", "charge_id")) == [("R1", charge.pk)]
    record = new.get_model("sandbox", "SandboxPayoutRecord").objects.get()
    assert (record.reference, record.amount, record.succeeded) == ("WD1-A", 9_800, True)
    tables = set(connection.introspection.table_names())
    assert {"sandbox_sandboxcharge", "sandbox_sandboxrefund", "sandbox_sandboxpayoutrecord"} <= tables
    assert not {"orders_sandboxcharge", "orders_sandboxrefund", "commissions_sandboxpayoutrecord"} & tables
