"""Concurrent writers of the tree against real PostgreSQL: the tree lock
serialises them, so no pair of moves closes a cycle and no join or move is
lost from the totals."""

import pytest

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from conftest import run_together
from distribution.exceptions import MoveWouldCreateCycle
from distribution.models import Reseller
from distribution.services import reseller_join, reseller_move, reseller_sale_record, team_sales_roll_up

from .factories import ResellerFactory
from .recount import tree_bounded_path_errors, tree_cycles, tree_parents, tree_recount, tree_totals

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_moves_that_would_close_a_cycle_together_cannot_both_succeed():
    operator = UserFactory(role=Role.OPERATOR, is_staff=True)
    for _attempt in range(5):
        root = ResellerFactory()
        a = ResellerFactory(inviter=root)
        b = ResellerFactory(inviter=root)

        outcomes = run_together(
            lambda a=a, b=b: reseller_move(reseller=a, new_inviter=b, actor=operator, reason="a under b"),
            lambda a=a, b=b: reseller_move(reseller=b, new_inviter=a, actor=operator, reason="b under a"),
        )

        refused = [outcome for outcome in outcomes if isinstance(outcome, MoveWouldCreateCycle)]
        assert len(refused) == 1, outcomes
        assert tree_cycles(tree_parents()) == []
    assert tree_totals() == tree_recount()


def test_joins_moves_and_sales_at_once_keep_the_totals_true():
    operator = UserFactory(role=Role.OPERATOR, is_staff=True)
    left, right = ResellerFactory(), ResellerFactory()
    middle = ResellerFactory(inviter=left)
    leaf = ResellerFactory(inviter=middle)
    customers = [UserFactory() for _ in range(6)]

    calls = [lambda user=user: reseller_join(user=user, invite_code=leaf.invite_code) for user in customers]
    calls.append(lambda: reseller_move(reseller=middle, new_inviter=right, actor=operator, reason="rebalance"))
    calls.append(lambda: reseller_sale_record(reseller_id=leaf.id, amount=5_000, key="sale-1"))
    calls.append(lambda: team_sales_roll_up())
    outcomes = run_together(*calls)

    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)], outcomes
    team_sales_roll_up()
    assert Reseller.objects.get(pk=middle.pk).inviter_id == right.id
    totals = tree_totals()
    assert totals == tree_recount()
    assert tree_bounded_path_errors() == []
    assert totals[right.id]["team_size"] == 8 and totals[left.id]["team_size"] == 0
    assert totals[right.id]["team_sales_amount"] == 5_000
