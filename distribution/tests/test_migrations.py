"""The data migration that gives resellers created before the tree kept
totals and bounded paths their values."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("distribution", "0001_initial")]
AFTER = [("distribution", "0003_tree_backfill")]


@pytest.fixture
def back_to_the_latest_schema():
    """Migrating one app back unapplies the migrations of apps that depend on
    it: put every app back on its latest migration for the tests after this."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_existing_resellers_get_their_paths_and_totals(back_to_the_latest_schema):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    User, Reseller = old.get_model("accounts", "User"), old.get_model("distribution", "Reseller")
    chain = []
    for number in range(5):  # a chain of 5, plus a second child under the root
        user = User.objects.create(phone=f"1370000{number:04d}", role="reseller")
        chain.append(Reseller.objects.create(user=user, inviter=chain[-1] if chain else None, invite_code=f"C{number}"))
    Reseller.objects.create(user=User.objects.create(phone="13700009999"), inviter=chain[0], invite_code="SIDE")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    Reseller, Totals = new.get_model("distribution", "Reseller"), new.get_model("distribution", "ResellerTotals")

    last = Reseller.objects.get(pk=chain[4].pk)
    assert (last.inviter_id, last.inviter_2_id, last.inviter_3_id) == (chain[3].pk, chain[2].pk, chain[1].pk)
    root = Totals.objects.get(pk=chain[0].pk)
    assert (root.team_size, root.level_1_size, root.level_2_size, root.level_3_size) == (5, 2, 1, 1)
