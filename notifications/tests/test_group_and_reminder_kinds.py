"""Members of a group buy hear how it ended, and a reseller hears a
follow-up reminder it set, each from the event its app writes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from groupbuy.services import groups_sweep
from groupbuy.tests.factories import a_campaign, consumers_run, joined, opened
from notifications.models import Message
from orders.models import Order
from orders.tests.factories import pay

pytestmark = pytest.mark.django_db


def _paid(member):
    pay(Order.objects.get(pk=member.order_id))
    consumers_run()
    return Order.objects.get(pk=member.order_id)


def _messages(kind):
    return sorted(Message.objects.filter(kind=kind).values_list("recipient_id", "title", "body"))


def test_every_member_of_a_filled_group_hears_it_once_with_its_order():
    campaign = a_campaign(size=2)
    leader = opened(campaign)
    first = _paid(leader)
    second = _paid(joined(leader.group_id))

    consumers_run()

    assert _messages("group_succeeded") == sorted(
        [
            (first.buyer_id, f"拼团成功：订单 {first.number}", f"您的团已满员，订单 {first.number} 将尽快发货。"),
            (second.buyer_id, f"拼团成功：订单 {second.number}", f"您的团已满员，订单 {second.number} 将尽快发货。"),
        ]
    )
    assert _messages("group_failed") == []


def test_the_members_of_a_group_that_ran_out_of_time_are_told_it_is_refunded():
    campaign = a_campaign(size=3)
    leader = opened(campaign)
    order = _paid(leader)

    groups_sweep(now=timezone.now() + timedelta(days=2))
    consumers_run()
    groups_sweep(now=timezone.now() + timedelta(days=2))
    consumers_run()

    ((recipient, title, body),) = _messages("group_failed")
    assert recipient == order.buyer_id and title == f"拼团未成功：订单 {order.number} 已退款"
    assert "原路退回" in body and _messages("group_succeeded") == []


def test_a_due_reminder_reaches_the_resellers_inbox_once():
    from accounts.tests.factories import UserFactory
    from distribution.choices import BindingSource
    from distribution.services import binding_touch
    from distribution.tests.factories import ResellerFactory
    from growth.services import reminder_add, reminders_notify

    reseller = ResellerFactory()
    customer = UserFactory(nickname="张小花")
    binding_touch(customer=customer, reseller=reseller, source=BindingSource.LINK)
    today = timezone.localdate()
    reminder_add(reseller=reseller, customer_id=customer.pk, due_on=today, text="问问面膜用得怎么样")

    reminders_notify(today=today)
    reminders_notify(today=today)
    consumers_run()

    ((recipient, title, body),) = _messages("customer_reminder")
    assert recipient == reseller.user_id
    assert title.startswith("跟进客户 张") and "张小花" not in title  # masked, as the customer book shows it
    assert body.endswith("问问面膜用得怎么样") and today.isoformat() in body
