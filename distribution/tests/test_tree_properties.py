"""Random sequences of joins, moves, freezes and sales, checked after every
step against a plain Python model of the tree and a naive recount."""

import itertools

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, multiple, rule, run_state_machine_as_test

from accounts.choices import Role
from accounts.services import user_create
from distribution.choices import ResellerEventKind, ResellerStatus
from distribution.exceptions import InviterNotActive, MoveChangesNothing, MoveWouldCreateCycle
from distribution.models import Reseller, ResellerEvent
from distribution.selectors import reseller_uplines
from distribution.services import (
    reseller_create_root,
    reseller_freeze,
    reseller_join,
    reseller_move,
    reseller_sale_record,
    reseller_unfreeze,
    team_sales_roll_up,
)

from .recount import tree_bounded_path_errors, tree_cycles, tree_parents, tree_recount, tree_totals

pytestmark = pytest.mark.django_db


class InviteTreeMachine(RuleBasedStateMachine):
    resellers = Bundle("resellers")

    def __init__(self):
        super().__init__()
        # each example runs in a transaction rolled back at its end
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.phones = itertools.count(10_000_000)
        self.operator = self._user(Role.OPERATOR)
        self.parents: dict[int, int | None] = {}  # the model: reseller id → inviter id
        self.frozen: set[int] = set()
        self.moves = 0
        self.sales = itertools.count()

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def _user(self, role=Role.CUSTOMER):
        return user_create(phone=f"137{next(self.phones):08d}", password=None, role=role)

    def _in_subtree(self, node, root) -> bool:
        while node is not None:
            if node == root:
                return True
            node = self.parents[node]
        return False

    @rule(target=resellers)
    def create_root(self):
        reseller = reseller_create_root(user=self._user(), actor=self.operator)
        self.parents[reseller.id] = None
        return reseller.id

    @rule(target=resellers, inviter=resellers)
    def join(self, inviter):
        code = Reseller.objects.get(pk=inviter).invite_code
        if inviter in self.frozen:
            with pytest.raises(InviterNotActive):
                reseller_join(user=self._user(), invite_code=code)
            return multiple()
        reseller = reseller_join(user=self._user(), invite_code=code)
        self.parents[reseller.id] = inviter
        return reseller.id

    @rule(reseller=resellers, new_inviter=st.one_of(st.none(), resellers))
    def move(self, reseller, new_inviter):
        subject = Reseller.objects.get(pk=reseller)
        target = Reseller.objects.get(pk=new_inviter) if new_inviter is not None else None
        if new_inviter == self.parents[reseller]:
            with pytest.raises(MoveChangesNothing):
                reseller_move(reseller=subject, new_inviter=target, actor=self.operator, reason="test")
        elif new_inviter is not None and self._in_subtree(new_inviter, reseller):
            with pytest.raises(MoveWouldCreateCycle):
                reseller_move(reseller=subject, new_inviter=target, actor=self.operator, reason="test")
        else:
            reseller_move(reseller=subject, new_inviter=target, actor=self.operator, reason="test")
            self.parents[reseller] = new_inviter
            self.moves += 1

    @rule(reseller=resellers)
    def freeze_or_unfreeze(self, reseller):
        subject = Reseller.objects.get(pk=reseller)
        if reseller in self.frozen:
            reseller_unfreeze(reseller=subject, actor=self.operator, reason="test")
            self.frozen.discard(reseller)
        else:
            reseller_freeze(reseller=subject, actor=self.operator, reason="test")
            self.frozen.add(reseller)

    @rule(reseller=resellers, amount=st.integers(min_value=-5_000, max_value=50_000).filter(bool))
    def sell(self, reseller, amount):
        reseller_sale_record(reseller_id=reseller, amount=amount, key=f"sale-{next(self.sales)}")

    @rule()
    def roll_up(self):
        team_sales_roll_up(batch_size=3)

    @invariant()
    def the_tree_is_the_model(self):
        parents = tree_parents()
        assert parents == self.parents  # one inviter each, exactly where the operations put it
        assert tree_cycles(parents) == []
        assert all(child != parent for child, parent in parents.items())
        assert tree_bounded_path_errors() == []  # inviter_2 / inviter_3 are the walk up

    @invariant()
    def totals_equal_a_naive_recount(self):
        assert tree_totals() == tree_recount()

    @invariant()
    def the_commission_upline_is_the_walk_up(self):
        uplines = reseller_uplines(reseller_ids=set(self.parents), tiers=3)
        for node in self.parents:
            expected, current = [], node
            while current is not None and len(expected) < 3:
                expected.append(current)
                current = self.parents[current]
            assert [member.reseller_id for member in uplines[node]] == expected

    @invariant()
    def statuses_and_moves_are_recorded(self):
        frozen = set(Reseller.objects.filter(status=ResellerStatus.FROZEN).values_list("id", flat=True))
        assert frozen == self.frozen
        assert ResellerEvent.objects.filter(kind=ResellerEventKind.MOVED).count() == self.moves


def test_random_joins_moves_freezes_and_sales_keep_the_tree_sound():
    run_state_machine_as_test(
        InviteTreeMachine,
        settings=settings(
            max_examples=40,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
