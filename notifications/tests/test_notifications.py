"""The notification rules, each against the real parts: PostgreSQL's unique
keys and locks, WeChat's message API played by a local fake that checks the
access token, the console SMS provider, Django's locmem e-mail."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.sms import console
from accounts.tests.factories import OperatorFactory, UserFactory
from conftest import run_together
from notifications.choices import Channel, DeliveryStatus
from notifications.consumers import notifications_handle
from notifications.models import Delivery, Message
from notifications.quiet_hours import BEIJING, quiet_hours_end
from notifications.services import (
    MAX_ATTEMPTS,
    Notice,
    deliveries_send,
    delivery_attempt,
    notices_record,
    preference_set,
)
from notifications.tests.world import link_wechat
from socialshop import events as outbox
from socialshop.events import event_consumer_register, event_emit, events_consume
from socialshop.models import Event

pytestmark = pytest.mark.django_db

SHIPPED = {"order": "20261205-000001", "carrier": "顺丰速运", "tracking": "SF1234567890"}


def _event(type_="test.notice") -> Event:
    return event_emit(type=type_, aggregate_type="test", aggregate_id=1)


# --- what a person gets, through which channel ----------------------------------------


def test_a_notice_reaches_the_inbox_wechat_and_sms_by_default_in_chinese(wechat_fake, mailoutbox):
    buyer = UserFactory()
    link_wechat(buyer, wechat_fake)
    event = _event()

    assert notices_record(event_id=event.pk, notices=[Notice(buyer.pk, "order_shipped", SHIPPED, "/orders/1/")]) == (
        1,
        2,
    )
    deliveries_send()

    message = Message.objects.get(recipient=buyer)
    assert message.title == "订单 20261205-000001 已发货"
    assert message.body == "您的订单 20261205-000001 已由顺丰速运发出，运单号 SF1234567890。"
    assert [(sent.title, sent.url) for sent in wechat_fake.messages] == [
        (message.title, "http://127.0.0.1:8000/orders/1/")
    ]
    assert [(notice.phone, notice.text) for notice in console.notices] == [(buyer.phone, message.body)]
    assert mailoutbox == []  # buyers get no e-mail


def test_someone_without_an_openid_or_an_email_gets_no_wechat_or_email_delivery(wechat_fake):
    buyer = UserFactory(email="")
    notices_record(event_id=_event().pk, notices=[Notice(buyer.pk, "order_shipped", SHIPPED)])
    assert set(Delivery.objects.values_list("channel", flat=True)) == {Channel.SMS}


def test_operators_get_email_with_a_message_id_derived_from_the_delivery(wechat_fake, mailoutbox):
    operator = OperatorFactory(email="ops@example.com")
    event = _event()
    notices_record(
        event_id=event.pk,
        notices=[Notice(operator.pk, "withdrawal_waiting", {"withdrawal": 7, "amount": "¥200.00"})],
    )
    deliveries_send()

    (email,) = mailoutbox
    assert email.subject == "提现申请 #7 待审核" and email.to == ["ops@example.com"]
    assert (
        email.extra_headers["Message-ID"]
        == f"<notification-{event.pk}-{operator.pk}-email-withdrawal_waiting@socialshop.local>"
    )


# --- preferences -----------------------------------------------------------------------


def test_a_money_kind_keeps_the_inbox_whatever_the_person_turns_off(wechat_fake):
    buyer = UserFactory()
    link_wechat(buyer, wechat_fake)
    assert preference_set(user=buyer, kind="refund_paid", channels=[], audiences=["buyer"]) == {Channel.INBOX}
    assert preference_set(user=buyer, kind="order_shipped", channels=[], audiences=["buyer"]) == set()

    event = _event()
    notices_record(
        event_id=event.pk,
        notices=[
            Notice(buyer.pk, "refund_paid", {"order": "1", "amount": "¥1.00"}),
            Notice(buyer.pk, "order_shipped", SHIPPED),
        ],
    )
    assert list(Message.objects.values_list("kind", flat=True)) == ["refund_paid"]
    assert not Delivery.objects.exists()


@pytest.mark.parametrize(
    ("kind", "channels", "field"),
    [
        ("order_shipped", ["email"], "channels"),  # e-mail is for operators and suppliers
        ("order_shipped", ["carrier-pigeon"], "channels"),
        ("withdrawal_waiting", ["inbox"], "kind"),  # an operators' kind, chosen by a buyer
        ("no_such_kind", ["inbox"], "kind"),
    ],
)
def test_a_preference_the_person_cannot_have_is_refused_with_400_and_changes_nothing(client, kind, channels, field):
    buyer = UserFactory()
    client.force_login(buyer)
    before = client.get("/api/v1/notifications/preferences/").json()

    response = client.put(
        "/api/v1/notifications/preferences/", {"kind": kind, "channels": channels}, content_type="application/json"
    )

    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert client.get("/api/v1/notifications/preferences/").json() == before


# --- quiet hours -----------------------------------------------------------------------


@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)))
def test_quiet_hours_are_22_to_8_beijing_and_end_at_the_next_8_oclock(at):
    end = quiet_hours_end(at)
    local = at.astimezone(BEIJING)
    if 8 <= local.hour < 22:
        assert end is None
    else:
        assert end > at and end - at <= timedelta(hours=10)
        assert end.astimezone(BEIJING).time().isoformat() == "08:00:00"


def test_a_marketing_sms_at_night_waits_until_eight_and_is_then_sent(wechat_fake):
    inviter = UserFactory()
    preference_set(user=inviter, kind="team_member", channels=["inbox", "sms"], audiences=["reseller"])
    night = datetime(2026, 12, 4, 23, 30, tzinfo=BEIJING)
    notices_record(event_id=_event().pk, notices=[Notice(inviter.pk, "team_member", {"member": "小王"})], now=night)

    assert Message.objects.filter(recipient=inviter).count() == 1  # the inbox has it at once
    assert deliveries_send(now=night + timedelta(hours=1)) == 0 and not console.notices
    assert deliveries_send(now=datetime(2026, 12, 5, 8, 0, tzinfo=BEIJING)) == 1
    assert [notice.text for notice in console.notices] == ["小王 使用您的邀请码加入了您的团队。"]


def test_a_money_sms_at_night_is_sent_at_once(wechat_fake):
    buyer = UserFactory()
    night = datetime(2026, 12, 4, 23, 30, tzinfo=BEIJING)
    notices_record(
        event_id=_event().pk, notices=[Notice(buyer.pk, "refund_paid", {"order": "1", "amount": "¥1.00"})], now=night
    )
    assert deliveries_send(now=night) == 1


# --- retries ---------------------------------------------------------------------------


def test_a_failing_channel_is_retried_with_backoff_then_marked_failed(wechat_fake):
    buyer = UserFactory()
    link_wechat(buyer, wechat_fake)
    notices_record(event_id=_event().pk, notices=[Notice(buyer.pk, "order_completed", {"order": "1"})])
    delivery = Delivery.objects.get(channel=Channel.WECHAT)
    wechat_fake.openids.clear()  # WeChat refuses the openid: 40003
    now = timezone.now()

    assert delivery_attempt(delivery_id=delivery.pk, now=now) == DeliveryStatus.PENDING
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and delivery.next_attempt_at == now + timedelta(seconds=30)
    assert "40003" in delivery.last_error
    assert delivery_attempt(delivery_id=delivery.pk, now=now) is None  # not due yet

    for _ in range(2, MAX_ATTEMPTS + 1):
        now += timedelta(hours=1)
        delivery_attempt(delivery_id=delivery.pk, now=now)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == MAX_ATTEMPTS
    assert wechat_fake.messages == []


def test_an_expired_access_token_is_fetched_again_and_the_message_sent_once(wechat_fake):
    buyer = UserFactory()
    link_wechat(buyer, wechat_fake)
    notices_record(event_id=_event().pk, notices=[Notice(buyer.pk, "order_completed", {"order": "1"})])
    deliveries_send()
    wechat_fake.expire_tokens()  # WeChat answers 40001 to the cached token
    notices_record(event_id=_event().pk, notices=[Notice(buyer.pk, "order_completed", {"order": "2"})])
    deliveries_send()

    assert [message.title for message in wechat_fake.messages] == ["订单 1 已完成", "订单 2 已完成"]


# --- exactly once ----------------------------------------------------------------------


@hypothesis_settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(["order_shipped", "order_completed"]), min_size=1, max_size=6))
def test_however_often_an_event_is_recorded_each_person_channel_and_kind_has_one_row(kinds):
    buyer = UserFactory()
    event = _event()
    for kind in kinds:  # the same notices again and again: a replay, a second consumer run
        notices_record(event_id=event.pk, notices=[Notice(buyer.pk, kind, {**SHIPPED})])
    distinct = set(kinds)
    assert Message.objects.filter(source_event_id=event.pk).count() == len(distinct)
    expected_sms = len(distinct & {"order_shipped"})  # order_completed has no SMS by default
    assert Delivery.objects.filter(source_event_id=event.pk, channel=Channel.SMS).count() == expected_sms


def test_the_parked_event_of_a_consumer_tells_the_operators(wechat_fake, mailoutbox):
    from datetime import timedelta as delta

    operator = OperatorFactory(email="ops@example.com")

    def failing(event):
        raise RuntimeError("down")

    event_consumer_register(name="test-failing", event_types=["test.fails"], handle=failing)
    try:
        failed = event_emit(type="test.fails", aggregate_type="test", aggregate_id=1)
        now = timezone.now()
        for _ in range(outbox.MAX_ATTEMPTS):
            now += delta(hours=1)
            events_consume(consumer="test-failing", now=now)
    finally:
        outbox._consumers.pop("test-failing", None)
    parked = Event.objects.get(type=outbox.event_parked)
    assert parked.payload == {"event": failed.pk, "type": "test.fails", "consumer": "test-failing", "attempts": 8}

    notifications_handle(parked)
    deliveries_send()
    message = Message.objects.get(recipient=operator)
    assert message.title == "test-failing 有事件处理搁置"
    assert [email.subject for email in mailoutbox] == [message.title]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_consumers_racing_on_one_event_write_each_row_once(wechat_fake):
    buyer = UserFactory()
    link_wechat(buyer, wechat_fake)
    event = _event()
    notices = [Notice(buyer.pk, "order_shipped", SHIPPED)]

    outcomes = run_together(*[lambda: notices_record(event_id=event.pk, notices=notices) for _ in range(4)])

    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert Message.objects.filter(source_event_id=event.pk).count() == 1
    assert sorted(Delivery.objects.values_list("channel", flat=True)) == [Channel.SMS, Channel.WECHAT]
    assert connection.vendor == "postgresql"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_on_one_delivery_send_it_once(wechat_fake):
    buyer = UserFactory()
    openid = link_wechat(buyer, wechat_fake)
    delivery = Delivery.objects.create(  # made directly: notices_record would send it at once (tasks run in process)
        source_event_id=_event().pk,
        recipient=buyer,
        channel=Channel.WECHAT,
        kind="order_completed",
        address=openid,
        title="订单 1 已完成",
        body="订单 1 已签收并完成。",
    )

    outcomes = run_together(*[lambda: delivery_attempt(delivery_id=delivery.pk) for _ in range(4)])

    assert outcomes.count(DeliveryStatus.SENT) == 1 and outcomes.count(None) == 3
    assert len(wechat_fake.messages) == 1


# --- a real SMS provider: Tencent Cloud SMS through its SDK, against the local fake ---------------


@pytest.fixture
def tencent(settings):
    from accounts.tests.fakes import FakeTencentSms

    fake = FakeTencentSms().start()
    settings.SMS_PROVIDER = "accounts.sms.tencent.TencentSmsProvider"
    settings.SMS_TENCENT_SECRET_ID, settings.SMS_TENCENT_SECRET_KEY = fake.secret_id, fake.secret_key
    settings.SMS_TENCENT_SDK_APP_ID = fake.sdk_app_id
    settings.SMS_TENCENT_SIGN_NAME = "微店分销"
    settings.SMS_TENCENT_ENDPOINT, settings.SMS_TENCENT_SCHEME = fake.host, "http"
    settings.NOTIFICATIONS_SMS_TEMPLATES = {
        "order_shipped": {"template_id": "2024101", "params": ["order", "carrier", "tracking"]}
    }
    yield fake
    fake.stop()


def test_tencent_sends_a_kind_s_approved_template_with_its_values_and_nothing_without_one(tencent):
    buyer = UserFactory()
    preference_set(user=buyer, kind="order_completed", channels=["inbox", "sms"], audiences=["buyer"])
    event = _event()
    notices_record(
        event_id=event.pk,
        notices=[Notice(buyer.pk, "order_shipped", SHIPPED), Notice(buyer.pk, "order_completed", {"order": "1"})],
    )
    deliveries_send()

    (request,) = tencent.received  # the signature held; order_completed has no approved template: no SMS
    assert request["TemplateId"] == "2024101" and request["PhoneNumberSet"] == [f"+86{buyer.phone}"]
    assert request["TemplateParamSet"] == ["20261205-000001", "顺丰速运", "SF1234567890"]
    delivery = Delivery.objects.get(channel=Channel.SMS)
    assert delivery.status == DeliveryStatus.SENT and delivery.provider_reference


def test_a_number_tencent_refuses_is_retried_not_lost(tencent):
    buyer = UserFactory()
    tencent.statuses[f"+86{buyer.phone}"] = "LimitExceeded.PhoneNumberDailyLimit"
    notices_record(event_id=_event().pk, notices=[Notice(buyer.pk, "order_shipped", SHIPPED)])
    deliveries_send()

    delivery = Delivery.objects.get(channel=Channel.SMS)
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert "PhoneNumberDailyLimit" in delivery.last_error
