"""The daily trade bills of both gateways, downloaded from the fakes through
the real libraries and reconciled line by line: a clean day has no break; a
doctored line is a break naming its transaction, which reconcile reports."""

from datetime import datetime, time, timedelta

import pytest
import requests
from django.conf import settings as django_settings
from django.utils import timezone

from accounts.tests.factories import OperatorFactory
from commissions.reconciliation import check_key, reconcile
from orders.models import PaymentBillCheck, PaymentSession
from orders.providers import PayerClient
from orders.services.bills import payment_bill_breaks, payment_bills_reconcile
from orders.services.payments import payment_start
from orders.services.refunds import refund_decide, refund_request
from orders.tasks import payment_bills_reconcile_task
from orders.tests.factories import place, shop_selling
from payments.wechatpay import wechatpay_bill_lines

from .fixtures import deliver_to

pytestmark = pytest.mark.django_db
BILLS = "the payment gateways' daily bills match our payments and refunds"


@pytest.fixture
def a_day_of_trade(gateways, client, django_capture_on_commit_callbacks):
    """Today: an order paid by WeChat Pay and one by Alipay, each partly refunded."""
    wechat, alipay = gateways
    wechat.deliver = alipay.deliver = deliver_to(client)
    shop, sku = shop_selling(price=8800)
    sessions = {}
    for method in ("wechat_h5", "alipay_wap"):
        order = place(shop=shop, sku=sku)
        session = payment_start(
            order_id=order.pk,
            buyer=order.buyer,
            notify_url=f"http://testserver/payments/{method.split('_')[0]}/notify/",
            return_url="http://testserver/",
            method=method,
            client=PayerClient(mobile=True),
        )
        if method == "wechat_h5":
            wechat.pay(session.reference)
        else:
            requests.get(session.redirect_url, timeout=10)
            alipay.pay(session.reference)
        refund = refund_request(
            order_id=order.pk, line_id=order.lines.get().pk, buyer=order.buyer, amount=800, reason="少了赠品"
        )
        with django_capture_on_commit_callbacks(execute=True):
            refund_decide(refund_id=refund.pk, approve=True, by=OperatorFactory(), actor_kind="operator")
        if method == "wechat_h5":
            with django_capture_on_commit_callbacks(execute=True):
                wechat.refund_settle(refund.reference)
        sessions[method] = session
    return wechat, alipay, sessions


def test_a_clean_day_reconciles_with_no_break(a_day_of_trade):
    checks = payment_bills_reconcile(bill_date=timezone.localdate())

    assert {(check.provider, check.lines, tuple(check.breaks)) for check in checks} == {
        ("wechat", 2, ()),
        ("alipay", 2, ()),
    }
    assert next(result for result in reconcile() if result.key == BILLS).ok


def test_a_doctored_wechat_line_is_a_break_naming_the_transaction(a_day_of_trade):
    wechat, _alipay, sessions = a_day_of_trade
    reference = sessions["wechat_h5"].reference

    def doctor(rows):
        return [
            [*row[:12], "78.00", *row[13:24], "78.00", *row[25:]]
            if row[6] == reference and row[9] == "SUCCESS"
            else row
            for row in rows
        ]

    wechat.bill_doctor = doctor
    payment_bills_reconcile(bill_date=timezone.localdate())

    check = PaymentBillCheck.objects.get(provider="wechat")
    transaction_id = wechat.trades[reference].transaction_id
    assert check.breaks == [
        f"支付 {reference}（{transaction_id}）：账单金额 ¥78.00，我方记录 ¥88.00"
    ]  # operators read Chinese
    result = next(result for result in reconcile() if result.key == BILLS)
    assert result.breaks == [f"微信支付 {timezone.localdate()} 的账单：{check.breaks[0]}"]


def test_a_line_missing_from_alipays_bill_and_one_we_never_saw_are_breaks(a_day_of_trade):
    _wechat, alipay, sessions = a_day_of_trade
    reference = sessions["alipay_wap"].reference

    def doctor(rows):
        kept = [row for row in rows if not (row[1] == reference and row[2] == "交易")]
        stranger = [*rows[0]]
        stranger[0], stranger[1] = "2026120422001400000000000099", "P99999999FFFFFF"
        return [*kept, stranger]

    alipay.bill_doctor = doctor
    payment_bills_reconcile(bill_date=timezone.localdate())

    breaks = PaymentBillCheck.objects.get(provider="alipay").breaks
    assert any(line.startswith("支付 P99999999FFFFFF（2026120422001400000000000099）：账单记为") for line in breaks)
    assert any(line.startswith(f"支付 {reference}（") and line.endswith("但账单上没有") for line in breaks)


def test_the_beat_task_reconciles_yesterday_daily(gateways):
    assert django_settings.CELERY_BEAT_SCHEDULE["payment-bills-reconcile"]["task"] == payment_bills_reconcile_task.name

    assert payment_bills_reconcile_task() == 0  # nothing traded yesterday: both gateways say so, no break
    assert set(PaymentBillCheck.objects.values_list("provider", "lines")) == {("wechat", 0), ("alipay", 0)}


def test_the_wechat_bill_reader_skips_the_summary():
    text = (
        "交易时间,微信订单号,商户订单号,交易状态,订单金额,商户退款单号,微信退款单号,退款金额\n"
        "`2026-12-03 10:00:00,`4200001,`P1,`SUCCESS,`12.90,`0,`0,`0.00\n"
        "`2026-12-03 11:00:00,`4200001,`P1,`REFUND,`12.90,`RF1,`5030001,`2.90\n"
        "总交易单数,应结订单总金额\n`2,`12.90\n"
    )

    lines = wechatpay_bill_lines(text)

    assert [(line.kind, line.reference, line.amount) for line in lines] == [
        ("payment", "P1", 1290),
        ("refund", "RF1", 290),
    ]


def test_the_check_is_named_in_english_in_a_run():
    assert check_key(BILLS) == BILLS


def test_a_gateway_in_use_whose_bill_nobody_read_is_a_break_after_eleven(gateways):
    shop, sku = shop_selling(price=8800)
    order = place(shop=shop, sku=sku)
    session = payment_start(
        order_id=order.pk,
        buyer=order.buyer,
        notify_url="http://testserver/payments/wechat/notify/",
        return_url="http://testserver/",
        method="wechat_native",
        client=PayerClient(),
    )
    today = timezone.localdate()
    PaymentSession.objects.filter(pk=session.pk).update(created_at=timezone.now() - timedelta(days=2))
    morning = timezone.make_aware(datetime.combine(today, time(9)))
    noon = timezone.make_aware(datetime.combine(today, time(12)))

    assert payment_bill_breaks(now=morning) == []  # the bills are not out yet
    assert payment_bill_breaks(now=noon) == [f"微信支付 {today - timedelta(days=1)} 的账单：未核对"]

    payment_bills_reconcile(bill_date=today - timedelta(days=1))

    assert payment_bill_breaks(now=noon) == []
