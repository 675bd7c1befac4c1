"""One order from payment to completion and one withdrawal to payout: each
party gets each message in each channel exactly once (read from the
channels: the inbox, the console SMS provider, WeChat's message API played
by a local fake, Django's e-mail outbox), in process and with a real worker
SIGKILLed in the middle of a WeChat send (docs/notifications.md)."""

import os
import signal
import time
from collections import Counter

import pytest
import redis

from accounts.sms import console
from commissions.services.withdrawals import payout_batch_create, withdrawal_approve, withdrawal_request
from commissions.tests.factories import credit_withdrawable
from conftest import worker_start, worker_stop
from notifications.choices import DeliveryStatus
from notifications.models import Delivery
from notifications.services import deliveries_send, ship_digests_emit
from notifications.tests.world import people, received, wechat_fake_start
from orders.services.lifecycle import order_confirm_receipt
from orders.tests.factories import pay, place, ship

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _expected(world) -> Counter:
    buyer, seller, parent = world.buyer.pk, world.seller.user_id, world.parent.user_id
    staff, operator = world.supplier_staff.pk, world.operator.pk
    expected = [
        (buyer, "order_paid", "inbox"),
        (buyer, "order_paid", "wechat"),
        (seller, "shop_order", "inbox"),
        (seller, "shop_order", "wechat"),
        (seller, "commission_earned", "inbox"),
        (seller, "commission_earned", "wechat"),
        (parent, "commission_earned", "inbox"),
        (parent, "commission_earned", "wechat"),
        (staff, "ship_digest", "inbox"),
        (staff, "ship_digest", "email"),
        (buyer, "order_shipped", "inbox"),
        (buyer, "order_shipped", "wechat"),
        (buyer, "order_shipped", "sms"),
        (buyer, "order_completed", "inbox"),
        (buyer, "order_completed", "wechat"),
        (operator, "withdrawal_waiting", "inbox"),
        (operator, "withdrawal_waiting", "email"),
        (seller, "withdrawal_paid", "inbox"),
        (seller, "withdrawal_paid", "wechat"),
        (seller, "withdrawal_paid", "sms"),
        (parent, "team_member", "inbox"),  # the seller joined the parent's team when the world was made
    ]
    return Counter(expected)


def _order_and_withdrawal(world):
    order = pay(place(buyer=world.buyer, shop=world.shop, sku=world.sku))
    ship_digests_emit()  # beat: the supplier's digest
    ship(order, tracking="SF1234567890")
    order_confirm_receipt(order_id=order.pk, buyer=world.buyer)
    credit_withdrawable(world.seller.pk, 50_000, key="flow")
    withdrawal = withdrawal_request(reseller=world.seller, amount=20_000)
    withdrawal_approve(operator=world.operator, withdrawal_id=withdrawal.pk)
    payout_batch_create(operator=world.operator, withdrawal_ids=[withdrawal.pk])
    return order, withdrawal


def test_each_party_gets_each_message_in_each_channel_exactly_once(settings, mailoutbox):
    fake = wechat_fake_start(settings)
    try:
        world = people(fake)
        order, _ = _order_and_withdrawal(world)

        got = received(fake, mailoutbox)
        assert got == _expected(world)
        assert not Delivery.objects.exclude(status=DeliveryStatus.SENT).exists()
        # the buyer's shipping SMS names the carrier and the tracking number, in Chinese
        shipped = next(notice.text for notice in console.notices if notice.phone == world.buyer.phone)
        assert "顺丰" in shipped and "SF1234567890" in shipped and order.number in shipped
        # a second sweep (or a replayed event) sends nothing again
        assert deliveries_send() == 0
        assert received(fake, mailoutbox) == got
    finally:
        fake.stop()


def _until(predicate, message, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting\n{message()}")


@pytest.mark.celery_worker
def test_a_worker_killed_in_the_middle_of_a_send_neither_loses_nor_doubles_a_message(
    settings, celery_live, tmp_path_factory, monkeypatch
):
    from notifications.tasks import deliveries_sweep_task
    from socialshop.tasks import events_sweep_task

    fake = wechat_fake_start(settings)
    mail_dir = tmp_path_factory.mktemp("mail")
    # the worker's own settings: the same fake WeChat, the console SMS, e-mails as files the test reads
    for name, value in {
        "WECHAT_MP_APP_ID": settings.WECHAT_MP_APP_ID,
        "WECHAT_MP_APP_SECRET": settings.WECHAT_MP_APP_SECRET,
        "WECHAT_API_URL": fake.url,
        "NOTIFICATIONS_WECHAT_TEMPLATE_ID": settings.NOTIFICATIONS_WECHAT_TEMPLATE_ID,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }.items():
        monkeypatch.setenv(name, value)
    try:
        world = people(fake)
        order = pay(place(buyer=world.buyer, shop=world.shop, sku=world.sku))  # no worker yet: events wait
        redis.Redis.from_url(celery_live.conf.broker_url).flushdb()

        fake.hold()  # WeChat is slow: the first send waits inside the request
        worker = worker_start(tmp_path_factory, name="doomed")
        try:
            events_sweep_task.delay()
            _until(lambda: fake.waiting > 0, worker.log)
            os.kill(worker.process.pid, signal.SIGKILL)
            worker.process.wait(timeout=30)
        finally:
            worker_stop(worker)
            fake.let_go()
        _until(lambda: fake.waiting == 0, lambda: "the held request did not end")
        assert fake.messages == []  # WeChat never took the message the killed worker was sending

        replacement = worker_start(tmp_path_factory, name="replacement")
        try:
            events_sweep_task.delay().get(timeout=60)
            deliveries_sweep_task.delay().get(timeout=60)
            deliveries_sweep_task.delay().get(timeout=60)
        finally:
            worker_stop(replacement)

        got = received(fake, outbox=[])
        buyer, seller = world.buyer.pk, world.seller.user_id
        for key in [
            (buyer, "order_paid", "inbox"),
            (buyer, "order_paid", "wechat"),
            (seller, "shop_order", "inbox"),
            (seller, "shop_order", "wechat"),
            (seller, "commission_earned", "inbox"),
            (seller, "commission_earned", "wechat"),
        ]:
            assert got[key] == 1, (key, got)
        assert all(count == 1 for count in got.values()), got
        assert not Delivery.objects.exclude(status=DeliveryStatus.SENT).exists()
        assert order.number in fake.messages[0].body
    finally:
        fake.stop()
