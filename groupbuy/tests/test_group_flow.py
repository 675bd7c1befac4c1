"""Group buying as a state machine (hypothesis): buyers open groups, join,
pay or not, seats lapse, the last seat is fought for, time runs out, the
broker goes down and a worker dies mid-sweep; after every step the rules of
docs/group-buying.md hold, and in the end, once the workers catch up, every
failed group's members are refunded exactly once and reconcile is green."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import Sum
from django.test import TestCase
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from accounts.tests.factories import UserFactory
from catalog.models import Sku
from commissions.models import Commission
from commissions.reconciliation import reconcile
from distribution.services import binding_touch
from distribution.tests.factories import ResellerFactory
from groupbuy.choices import CommissionMode, GroupStatus, MemberStatus
from groupbuy.models import Group, Member
from groupbuy.services import groups_sweep
from ledger.selectors import ledger_unbalanced_transactions
from orders.choices import OrderStatus, RefundStatus
from orders.models import Order, PaymentIssue, Refund
from sandbox.payments import payment_sandbox_complete
from socialshop.errors import DomainError

from .factories import a_campaign, consumers_run, joined, opened

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

STOCK = 1_000
SIZE = 2
BROKER = {"live": True}


def committed(call):
    """Run a service as if its transaction committed: the consumers it
    wakes run at once (broker live) or the wake-ups are lost (broker down:
    only the sweeps find the events)."""
    with TestCase.captureOnCommitCallbacks(execute=BROKER["live"]):
        return call()


def attempt(call):
    try:
        return committed(call)
    except DomainError:
        return None  # refused with a clear error: fine, as long as the rules hold


class WorkerKilled(Exception):
    pass


REACHED: set[str] = set()


class GroupFlow(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.savepoint = transaction.savepoint()
        BROKER["live"] = True
        self.campaign = a_campaign(
            size=SIZE, stock=STOCK, per_person_limit=2, commission_mode=CommissionMode.FULL, group_price=9000
        )
        self.sku_id = self.campaign.skus.get().sku_id
        reseller = ResellerFactory()
        self.buyers = [UserFactory() for _ in range(6)]
        for buyer in self.buyers:
            binding_touch(customer=buyer, reseller=reseller, source="link")

    def teardown(self):
        BROKER["live"] = True
        committed(consumers_run)
        committed(lambda: groups_sweep(now=timezone.now() + timedelta(days=30)))
        committed(consumers_run)
        for group in Group.objects.filter(status=GroupStatus.FAILED):
            for member in group.members.all():
                order = Order.objects.get(pk=member.order_id)
                if order.paid_amount:  # refunded in full, once, through the provider
                    assert order.refunded_amount == order.paid_amount
                    assert member.status == MemberStatus.REFUNDED
        assert [(result.name, result.breaks[:3]) for result in reconcile() if not result.ok] == []
        REACHED.update(Group.objects.values_list("status", flat=True))
        REACHED.update(Member.objects.values_list("status", flat=True))
        transaction.savepoint_rollback(self.savepoint)

    def _open_groups(self) -> list[int]:
        return list(Group.objects.filter(status=GroupStatus.OPEN).order_by("pk").values_list("pk", flat=True))

    @rule(buyer=st.integers(0, 5), quantity=st.integers(1, 2))
    def open_a_group(self, buyer, quantity):
        attempt(lambda: opened(self.campaign, buyer=self.buyers[buyer], quantity=quantity))

    @precondition(lambda self: self._open_groups())
    @rule(data=st.data(), buyer=st.integers(0, 5), quantity=st.integers(1, 3))
    def join_a_group(self, data, buyer, quantity):
        group_id = data.draw(st.sampled_from(self._open_groups()))
        attempt(lambda: joined(group_id, buyer=self.buyers[buyer], quantity=quantity))

    @precondition(lambda self: self._open_groups())
    @rule(data=st.data())
    def two_buyers_fight_for_the_last_seat(self, data):
        group_id = data.draw(st.sampled_from(self._open_groups()))
        for _buyer in range(2):
            attempt(lambda: joined(group_id, buyer=UserFactory()))

    @precondition(lambda self: Member.objects.filter(status=MemberStatus.PENDING_PAYMENT).exists())
    @rule(data=st.data(), succeeds=st.sampled_from([True, True, True, False]))
    def a_member_pays(self, data, succeeds):
        ids = list(Member.objects.filter(status=MemberStatus.PENDING_PAYMENT).values_list("order_id", flat=True))
        order = Order.objects.get(pk=data.draw(st.sampled_from(sorted(ids))))
        attempt(lambda: payment_sandbox_complete(order=order, pay=succeeds))

    @precondition(lambda self: self._open_groups())
    @rule(data=st.data())
    def friends_fill_a_group(self, data):
        group_id = data.draw(st.sampled_from(self._open_groups()))
        for _seat in range(SIZE):
            member = attempt(lambda: joined(group_id, buyer=UserFactory()))
            if member is not None:
                attempt(lambda member=member: payment_sandbox_complete(order=Order.objects.get(pk=member.order_id)))
        for order_id in Member.objects.filter(group_id=group_id, status=MemberStatus.PENDING_PAYMENT).values_list(
            "order_id", flat=True
        ):
            attempt(lambda order_id=order_id: payment_sandbox_complete(order=Order.objects.get(pk=order_id)))

    @precondition(lambda self: Member.objects.filter(status=MemberStatus.PENDING_PAYMENT).exists())
    @rule(data=st.data())
    def a_seat_hold_lapses(self, data):
        ids = list(Member.objects.filter(status=MemberStatus.PENDING_PAYMENT).values_list("pk", flat=True))
        member_id = data.draw(st.sampled_from(sorted(ids)))
        Member.objects.filter(pk=member_id).update(seat_held_until=timezone.now() - timedelta(seconds=1))

    @precondition(lambda self: self._open_groups())
    @rule(data=st.data())
    def time_runs_out_for_a_group(self, data):
        group_id = data.draw(st.sampled_from(self._open_groups()))
        Group.objects.filter(pk=group_id).update(expires_at=timezone.now() - timedelta(seconds=1))

    @rule()
    def beat_sweeps(self):
        committed(groups_sweep)

    @rule()
    def a_worker_dies_in_the_middle_of_a_sweep(self):
        """Everything the sweep did before the kill is in its open
        transaction, which the database rolls back."""
        before = list(Group.objects.order_by("pk").values_list("status", "seats_taken"))
        try:
            with transaction.atomic():
                committed(groups_sweep)
                raise WorkerKilled()
        except WorkerKilled:
            pass
        assert list(Group.objects.order_by("pk").values_list("status", "seats_taken")) == before

    @rule(live=st.booleans())
    def the_broker_goes_down_or_comes_back(self, live):
        BROKER["live"] = live

    @rule()
    def the_workers_catch_up(self):
        committed(consumers_run)

    # --- the rules, after every step -------------------------------------------

    @invariant()
    def a_group_never_has_more_members_than_seats(self):
        for group in Group.objects.all():
            holding = group.members.filter(status__in=[MemberStatus.PENDING_PAYMENT, MemberStatus.PAID])
            paid_orders = Order.objects.filter(group_member__group=group, paid_amount__gt=0).count()
            assert paid_orders <= group.size
            if group.status == GroupStatus.OPEN:
                assert holding.count() == group.seats_taken <= group.size
            if group.status == GroupStatus.SUCCEEDED:
                assert group.members.filter(status=MemberStatus.PAID).count() == group.size

    @invariant()
    def refunds_happen_at_most_once_and_never_exceed_what_was_paid(self):
        for order in Order.objects.filter(group_member__isnull=False, paid_amount__gt=0):
            assert order.refunded_amount <= order.paid_amount
            live = Refund.objects.filter(order=order).exclude(status=RefundStatus.SUPERSEDED)
            assert live.count() <= 1
        assert not PaymentIssue.objects.filter(kind="paid_twice").exists()

    @invariant()
    def stock_is_conserved(self):
        held = (
            Order.objects.exclude(status=OrderStatus.CANCELLED)
            .filter(lines__sku_id=self.sku_id)
            .aggregate(units=Sum("lines__quantity"))["units"]
            or 0
        )
        assert Sku.objects.get(pk=self.sku_id).stock + held == STOCK

    @invariant()
    def no_commission_before_a_group_fills(self):
        unfilled = Commission.objects.exclude(order__group_member__group__status=GroupStatus.SUCCEEDED)
        assert not unfilled.exists()

    @invariant()
    def orders_of_an_unfilled_group_never_ship(self):
        waiting = Order.objects.filter(group_member__group__status__in=[GroupStatus.OPEN, GroupStatus.FAILED])
        assert not waiting.filter(status__in=[OrderStatus.SHIPPED, OrderStatus.DELIVERED]).exists()
        assert not waiting.filter(group_member__group__status=GroupStatus.OPEN, awaiting_group=False).exists()

    @invariant()
    def the_ledger_balances_and_reconcile_is_green(self):
        assert ledger_unbalanced_transactions() == []
        assert [result.name for result in reconcile() if not result.ok] == []


def test_group_buying_keeps_its_rules_whatever_happens():
    run_state_machine_as_test(
        GroupFlow,
        settings=hypothesis_settings(
            max_examples=15,
            stateful_step_count=25,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    assert {GroupStatus.SUCCEEDED, GroupStatus.FAILED, MemberStatus.REFUNDED, MemberStatus.RELEASED} <= REACHED, REACHED
