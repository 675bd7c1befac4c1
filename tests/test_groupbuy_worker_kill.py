"""A failed group (拼团) refunds every member exactly once, also when the
worker dies mid-way (issue 18, docs/group-buying.md): a real Celery worker
runs beat's expiry sweep and the refunds it orders through WeChat Pay (the
local fake); the fake books the second member's refund and holds its answer,
and the worker is SIGKILLed right then. A new worker finishes the job: each
paid member is refunded once at WeChat Pay and in our books, the unpaid
seat is released, the stock is all back and reconcile finds nothing."""

import os
import signal
import time
from datetime import timedelta

import pytest
import redis
from django.utils import timezone

from catalog.models import Sku
from commissions.reconciliation import reconcile
from conftest import worker_start, worker_stop
from groupbuy.choices import GroupStatus, MemberStatus
from groupbuy.models import Group, Member
from groupbuy.tests.factories import a_campaign, joined, opened
from ledger.selectors import ledger_unbalanced_transactions
from orders.choices import RefundStatus
from orders.models import Order, Refund
from orders.providers import PayerClient
from orders.services.payments import payment_start
from payments.tests.fixtures import WECHAT, deliver_to
from socialshop.events import events_sweep

pytestmark = [pytest.mark.postgres, pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def _until(predicate, message, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting\n{message()}")


def _paid_by_wechat(fake, order_id: int) -> str:
    """The member pays its order by WeChat Pay H5; the signed notification pays it (in this process)."""
    order = Order.objects.get(pk=order_id)
    session = payment_start(
        order_id=order.pk,
        buyer=order.buyer,
        notify_url="http://testserver/payments/wechat/notify/",
        return_url=f"http://testserver/orders/{order.pk}/pay/return/",
        method="wechat_h5",
        client=PayerClient(mobile=True, ip="203.0.113.7"),
    )
    fake.pay(session.reference)
    return session.reference


def test_a_worker_killed_in_the_middle_of_a_failed_groups_refunds_refunds_each_member_exactly_once(
    wechat, settings, monkeypatch, client, celery_live, tmp_path_factory
):
    from groupbuy.tasks import groups_sweep_task
    from socialshop.tasks import events_sweep_task

    settings.PAYMENT_PROVIDERS = [WECHAT]
    monkeypatch.setenv("PAYMENT_PROVIDERS", WECHAT)  # the worker processes read the same
    wechat.deliver = deliver_to(client)  # WeChat's notifications reach this process's test client
    # given a group of three: two members paid by WeChat Pay, the third holds its seat unpaid
    campaign = a_campaign(size=3, group_price=8000, stock=10)
    sku_id = campaign.skus.get().sku_id
    leader = opened(campaign)
    friends = [joined(leader.group_id), joined(leader.group_id)]
    paid = [leader, friends[0]]
    trades = {member.order_id: _paid_by_wechat(wechat, member.order_id) for member in paid}
    events_sweep()  # the payments' consumers, in this process: the members count as paid
    assert Member.objects.filter(status=MemberStatus.PAID).count() == 2
    assert Sku.objects.get(pk=sku_id).stock == 7
    # and its time is up; the broker holds nothing but what the test sends
    Group.objects.filter(pk=leader.group_id).update(expires_at=timezone.now() - timedelta(seconds=1))
    redis.Redis.from_url(celery_live.conf.broker_url).flushdb()

    # when beat's sweep fails the group on a worker, whose refund consumer asks WeChat Pay for the first
    # refund (answered), then the second (booked by WeChat, the answer held), and the worker is killed there
    wechat.refunds_hold(after=1)
    worker = worker_start(tmp_path_factory, name="doomed")
    try:
        groups_sweep_task.delay()
        _until(lambda: wechat.refunds_waiting > 0, worker.log)
        assert Group.objects.get(pk=leader.group_id).status == GroupStatus.FAILED
        assert len(wechat.refunds) == 2  # WeChat Pay booked both refunds…
        # …and our books know of the first only (accepted, processing at WeChat)
        assert Refund.objects.exclude(provider_reference="").count() == 1
        assert not Refund.objects.filter(status=RefundStatus.SUCCEEDED).exists()
        os.kill(worker.process.pid, signal.SIGKILL)
        worker.process.wait(timeout=30)
    finally:
        worker_stop(worker)
        wechat.refunds_let_go()
    _until(lambda: wechat.refunds_waiting == 0, lambda: "the held refund request did not end")

    # then a new worker carries on where the killed one stopped
    replacement = worker_start(tmp_path_factory, name="replacement")
    try:
        events_sweep_task.delay().get(timeout=60)
        assert Refund.objects.filter(provider_reference="").count() == 0  # the second asked again, same reference
        for out_refund_no in list(wechat.refunds):  # WeChat Pay pays the money back and says so
            wechat.refund_settle(out_refund_no)
        events_sweep_task.delay().get(timeout=60)
        events_sweep_task.delay().get(timeout=60)
    finally:
        worker_stop(replacement)

    # each paid member refunded exactly once, at WeChat Pay and in our books
    assert len(wechat.refunds) == 2
    for member in paid:
        trade = wechat.trades[trades[member.order_id]]
        assert [r.trade.out_trade_no for r in wechat.refunds.values()].count(trade.out_trade_no) == 1
        assert trade.refunded == trade.amount == 8000
        refund = Refund.objects.get(order_id=member.order_id)  # one refund row per order
        assert refund.status == RefundStatus.SUCCEEDED and refund.amount == 8000
        order = Order.objects.get(pk=member.order_id)
        assert order.refunded_amount == order.paid_amount == 8000
        member.refresh_from_db()
        assert member.status == MemberStatus.REFUNDED
    friends[1].refresh_from_db()
    assert friends[1].status == MemberStatus.RELEASED
    assert not Refund.objects.filter(order_id=friends[1].order_id).exists()
    # the stock of all three seats is back, the ledger balances, reconcile is green
    assert Sku.objects.get(pk=sku_id).stock == 10
    assert not ledger_unbalanced_transactions()
    assert [check for check in reconcile() if not check.ok] == []
