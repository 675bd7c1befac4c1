"""Real concurrency against PostgreSQL: threads released at the same
moment, each with its own database connection."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from conftest import run_together
from groupbuy.choices import GroupStatus, MemberStatus
from groupbuy.exceptions import GroupFull
from groupbuy.models import Group, Member
from groupbuy.services import groups_sweep
from orders.choices import OrderStatus, RefundStatus
from orders.models import Order, PaymentIssue, Refund
from orders.tests.factories import pay

from .factories import a_campaign, consumers_run, joined, opened

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _celery_knows_it_is_not_inside_a_task():
    """Eager tasks run by several threads at once leave Celery's process-wide
    "inside a task" flag set (see orders/tests/test_concurrency.py)."""
    from celery._state import _set_task_join_will_block

    yield
    _set_task_join_will_block(False)


def test_n_plus_five_buyers_for_the_last_seat_make_one_member_and_the_group_fills():
    size = 4
    campaign = a_campaign(size=size, stock=100)
    leader = opened(campaign)
    pay(Order.objects.get(pk=leader.order_id))
    for _seat in range(size - 2):
        pay(Order.objects.get(pk=joined(leader.group_id).order_id))
    buyers = [UserFactory() for _ in range(size + 5)]

    outcomes = run_together(*(lambda buyer=buyer: joined(leader.group_id, buyer=buyer) for buyer in buyers))

    members = [outcome for outcome in outcomes if isinstance(outcome, Member)]
    assert len(members) == 1, outcomes
    assert all(isinstance(outcome, GroupFull) for outcome in outcomes if not isinstance(outcome, Member))
    group = Group.objects.get(pk=leader.group_id)
    assert group.seats_taken == size and Member.objects.filter(group=group).count() == size
    assert Order.objects.filter(group_member__group=group).count() == size  # the refused placed nothing
    pay(Order.objects.get(pk=members[0].order_id))
    consumers_run()
    group.refresh_from_db()
    assert group.status == GroupStatus.SUCCEEDED
    assert Member.objects.filter(group=group, status=MemberStatus.PAID).count() == size


def test_two_sweeps_at_once_refund_each_member_of_each_expired_group_once():
    campaign = a_campaign(size=3, stock=100)
    group_ids, paid_orders = [], []
    for _group in range(4):
        leader = opened(campaign)
        friend = joined(leader.group_id)
        for member in (leader, friend):
            paid_orders.append(pay(Order.objects.get(pk=member.order_id)).pk)
        group_ids.append(leader.group_id)
    consumers_run()
    later = timezone.now() + timedelta(days=2)

    outcomes = run_together(lambda: groups_sweep(now=later), lambda: groups_sweep(now=later))
    consumers_run()

    assert sum(outcome[GroupStatus.FAILED] for outcome in outcomes) == 4, outcomes
    assert set(Group.objects.filter(pk__in=group_ids).values_list("status", flat=True)) == {GroupStatus.FAILED}
    for order_id in paid_orders:
        refunds = list(Refund.objects.filter(order_id=order_id).values_list("status", "amount"))
        assert refunds == [(RefundStatus.SUCCEEDED, 8000)]
        assert Order.objects.get(pk=order_id).status == OrderStatus.CANCELLED
    assert Member.objects.filter(status=MemberStatus.REFUNDED).count() == 8


def test_the_last_payment_racing_the_expiry_either_fills_the_group_or_is_refunded():
    campaign = a_campaign(size=2, stock=100)
    leader = opened(campaign)
    pay(Order.objects.get(pk=leader.order_id))
    last = Order.objects.get(pk=joined(leader.group_id).order_id)
    Group.objects.filter(pk=leader.group_id).update(expires_at=timezone.now() + timedelta(milliseconds=50))
    later = timezone.now() + timedelta(seconds=1)

    run_together(lambda: pay(last), lambda: groups_sweep(now=later))
    groups_sweep(now=later)
    consumers_run()

    group = Group.objects.get(pk=leader.group_id)
    orders = Order.objects.filter(group_member__group=group)
    if group.status == GroupStatus.SUCCEEDED:
        assert not Refund.objects.filter(order__in=orders).exists()
        assert set(orders.values_list("status", flat=True)) == {OrderStatus.PAID}
    else:
        assert group.status == GroupStatus.FAILED
        for order in orders:
            assert order.status == OrderStatus.CANCELLED
            issues = PaymentIssue.objects.filter(session__order=order)
            if order.paid_amount:  # paid before the sweep: refunded in full through the provider
                assert order.refunded_amount == order.paid_amount and not issues.exists()
            else:  # money that arrived after the cancellation goes back as a payment issue
                assert all(issue.refund_reference for issue in issues)
