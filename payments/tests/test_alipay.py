"""Alipay through the real ``python-alipay-sdk`` against the local fake:
paying on the wap and page cashiers, the return page's query, closing,
synchronous refunds, and hostile notifications refused with nothing
changed."""

from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
import requests
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from accounts.tests.factories import OperatorFactory
from orders.choices import OrderStatus, PaymentIssueKind, PaymentSessionStatus, RefundStatus
from orders.exceptions import PaymentProviderUnavailable
from orders.models import Order, Payment, PaymentIssue, PaymentSession
from orders.providers import PayerClient
from orders.services.lifecycle import order_cancel
from orders.services.payments import payment_start
from orders.services.refunds import refund_decide, refund_request
from orders.tests.factories import place, shop_selling
from payments.alipay import PAGE, WAP, AlipayProvider, alipay_client
from payments.keys import key_files_forget
from sandbox.fakes.alipay import AlipayCertificates
from sandbox.fakes.server import KeyPair

from .fixtures import ALIPAY, deliver_to

pytestmark = pytest.mark.django_db

NOTIFY = "http://testserver/payments/alipay/notify/"


@pytest.fixture
def alipay_only(alipay, settings, client):
    settings.PAYMENT_PROVIDERS = [ALIPAY]
    alipay.deliver = deliver_to(client)
    return alipay


@pytest.fixture
def order():
    shop, sku = shop_selling(price=12900)
    return place(shop=shop, sku=sku)


def _start(order, method=WAP):
    return payment_start(
        order_id=order.pk,
        buyer=order.buyer,
        notify_url=NOTIFY,
        return_url=f"http://testserver/orders/{order.pk}/pay/return/",
        method=method,
        client=PayerClient(mobile=method == WAP),
    )


def _cashier_pay(fake, session) -> requests.Response:
    """The buyer's browser: opens the signed cashier URL at the fake, presses 确认付款."""
    page = requests.get(session.redirect_url, timeout=10)
    assert page.status_code == 200, page.text
    assert "确认付款" in page.text
    notify, fake.notify = fake.notify, False  # held, then delivered from this thread (the test's database)
    back = requests.post(
        f"{fake.url}/cashier/pay", data={"out_trade_no": session.reference}, allow_redirects=False, timeout=10
    )
    fake.notify = notify
    if notify:
        fake.release()
    return back


def _unchanged(order) -> None:
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert not Payment.objects.filter(order=order).exists()


def test_the_library_still_has_its_gateway_setting(alipay_only):
    assert alipay_client()._gateway == f"{alipay_only.url}/gateway.do"


@pytest.mark.parametrize(("method", "product"), [(WAP, "QUICK_WAP_PAY"), (PAGE, "FAST_INSTANT_TRADE_PAY")])
def test_paying_on_alipays_cashier_pays_the_order_through_the_signed_notification(alipay_only, order, method, product):
    session = _start(order, method)

    back = _cashier_pay(alipay_only, session)

    trade = alipay_only.trades[session.reference]
    assert (str(trade.amount), trade.product_code) == ("129.00", product)
    assert back.headers["Location"].startswith(f"http://testserver/orders/{order.pk}/pay/return/?")
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert Payment.objects.get(order=order).provider_transaction_id == trade.trade_no
    assert alipay_only.deliver.responses[0].content == b"success"  # Alipay stops notifying on exactly this
    assert alipay_only.requests_refused == 0


def test_a_request_signed_with_another_key_is_refused_by_the_gateway(alipay_only, order, settings, tmp_path):
    other = tmp_path / "other.pem"
    other.write_text(KeyPair.generate().private_pem)
    settings.ALIPAY_APP_PRIVATE_KEY_FILE = str(other)

    session = _start(order)

    assert requests.get(session.redirect_url, timeout=10).status_code == 400
    assert alipay_only.requests_refused == 1


@pytest.mark.parametrize(
    ("client", "methods"),
    [
        (PayerClient(in_wechat=True, mobile=True, openid="o1"), []),
        (PayerClient(mobile=True), [WAP]),
        (PayerClient(), [PAGE]),
    ],
    ids=["in WeChat", "phone browser", "desktop"],
)
def test_the_methods_fit_the_browser(client, methods):
    assert AlipayProvider().methods(client=client) == methods


def test_the_return_page_asks_alipay_and_never_trusts_the_redirect(alipay_only, order, client):
    client.force_login(order.buyer)
    session = _start(order)
    alipay_only.notify = False
    back = _cashier_pay(alipay_only, session)
    forged = dict(parse_qsl(urlsplit(back.headers["Location"]).query))

    Order.objects.filter(pk=order.pk).update()  # nothing yet: the notification never came
    _unchanged(order)
    client.get(reverse("orders:pay_return", args=[order.pk]) + "?" + urlencode(forged))

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID  # because alipay.trade.query said so, signed


def test_a_forged_return_without_payment_changes_nothing(alipay_only, order, client):
    client.force_login(order.buyer)
    session = _start(order)
    requests.get(session.redirect_url, timeout=10)  # the buyer reached Alipay, and left

    client.get(reverse("orders:pay_return", args=[order.pk]) + "?trade_status=TRADE_SUCCESS&total_amount=129.00")

    _unchanged(order)


def test_cancelling_closes_the_trade_at_alipay(alipay_only, order, django_capture_on_commit_callbacks):
    session = _start(order)
    requests.get(session.redirect_url, timeout=10)

    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order_id=order.pk, by=order.buyer, buyer=order.buyer, actor_kind="buyer", reason="")

    assert alipay_only.trades[session.reference].status == "TRADE_CLOSED"
    assert PaymentSession.objects.get(pk=session.pk).status == PaymentSessionStatus.CLOSED


def test_a_refund_is_answered_at_once(alipay_only, order, django_capture_on_commit_callbacks):
    session = _start(order)
    _cashier_pay(alipay_only, session)
    line = order.lines.get()
    refund = refund_request(order_id=order.pk, line_id=line.pk, buyer=order.buyer, amount=2990, reason="少发一件")

    with django_capture_on_commit_callbacks(execute=True):
        refund_decide(refund_id=refund.pk, approve=True, by=OperatorFactory(), actor_kind="operator")

    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED
    assert str(alipay_only.refunds[refund.reference].amount) == "29.90"
    assert Order.objects.get(pk=order.pk).refunded_amount == 2990
    assert (
        AlipayProvider()
        .refund_create(payment_reference=session.reference, refund_reference=refund.reference, amount=2990)
        .succeeded
    )  # asked again: Alipay answers fund_change N, the query says it succeeded, nothing doubles
    assert alipay_only.trades[session.reference].refunded == alipay_only.refunds[refund.reference].amount


# --- hostile notifications ------------------------------------------------------------------------


def _paid_trade(fake, session):
    requests.get(session.redirect_url, timeout=10)
    fake.notify = False
    trade = fake.pay(session.reference)
    fake.notify = True
    return trade


def _post(client, body: bytes):
    return client.generic("POST", "/payments/alipay/notify/", body, content_type="application/x-www-form-urlencoded")


HOSTILE = {
    "signed by another key": lambda fake, trade: fake.notification(trade, key=KeyPair.generate()),
    "for another app": lambda fake, trade: fake.notification(trade, app_id="2021999999999999"),
}


@pytest.mark.parametrize("forge", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_forged_notification_is_refused_and_changes_nothing(alipay_only, order, client, forge):
    session = _start(order)
    body, _headers = forge(alipay_only, _paid_trade(alipay_only, session))

    response = _post(client, body)

    assert response.status_code == 400
    _unchanged(order)


def test_a_replay_with_a_changed_amount_is_refused(alipay_only, order, client):
    session = _start(order)
    trade = _paid_trade(alipay_only, session)
    body, _headers = alipay_only.notification(trade)
    tampered = body.replace(b"total_amount=129.00", b"total_amount=1.29")

    assert tampered != body
    assert _post(client, tampered).status_code == 400
    _unchanged(order)
    assert _post(client, body).content == b"success"


def test_a_signed_notification_with_another_amount_is_refused_and_flagged(alipay_only, order, client):
    session = _start(order)
    body, _headers = alipay_only.notification(_paid_trade(alipay_only, session), total_amount="1.29")

    assert _post(client, body).status_code == 400
    _unchanged(order)
    assert PaymentIssue.objects.get(session=session).kind == PaymentIssueKind.AMOUNT_MISMATCH


def test_a_notification_for_an_order_we_never_opened_is_refused(alipay_only, order, client):
    session = _start(order)
    body, _headers = alipay_only.notification(_paid_trade(alipay_only, session), out_trade_no="P99999999ABCDEF")

    assert _post(client, body).status_code == 404
    _unchanged(order)


@pytest.mark.parametrize(
    "body",
    [b"sign=x&" + b"a=" + b"x" * 100_000, b"sign=a&sign=b&out_trade_no=P1", b"%", b"\xff\xfe"],
    ids=["oversized", "a field twice", "not a form", "not UTF-8"],
)
def test_a_malformed_body_is_refused(alipay_only, order, client, body):
    _start(order)

    assert _post(client, body).status_code == 400
    _unchanged(order)


# --- certificate mode (公钥证书模式) -------------------------------------------------------------------


@pytest.fixture
def certified(alipay_certificate_mode, alipay_only):
    return alipay_certificate_mode


def test_in_certificate_mode_paying_and_refunding_go_through_with_the_certificates(
    certified, order, django_capture_on_commit_callbacks
):
    session = _start(order)  # the fake refuses any request without our certificates' serial numbers

    _cashier_pay(certified, session)

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID  # the notification verified with the key in Alipay's certificate
    refund = refund_request(
        order_id=order.pk, line_id=order.lines.get().pk, buyer=order.buyer, amount=2990, reason="少发一件"
    )
    with django_capture_on_commit_callbacks(execute=True):
        refund_decide(refund_id=refund.pk, approve=True, by=OperatorFactory(), actor_kind="operator")
    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED
    assert str(certified.refunds[refund.reference].amount) == "29.90"
    assert certified.requests_refused == 0


@pytest.mark.parametrize(
    ("setting", "sub_code"),
    [("ALIPAY_APP_CERT_FILE", "isv.app-cert-not-exist"), ("ALIPAY_ROOT_CERT_FILE", "isv.invalid-alipay-root-cert-sn")],
    ids=["another app certificate", "another root"],
)
def test_a_request_naming_other_certificates_is_refused_and_changes_nothing(
    certified, order, settings, tmp_path, setting, sub_code
):
    other = AlipayCertificates.issue(
        app_id=certified.app_id, app_key=certified.app_key, alipay_key=certified.alipay_key
    )
    (tmp_path / "other.crt").write_text(other.app if setting == "ALIPAY_APP_CERT_FILE" else other.root)
    setattr(settings, setting, str(tmp_path / "other.crt"))
    key_files_forget()

    session = _start(order)
    page = requests.get(session.redirect_url, timeout=10)

    assert page.status_code == 400 and sub_code in page.text
    assert certified.trades == {} and certified.requests_refused == 1
    _unchanged(order)


def test_an_answer_is_trusted_only_with_the_key_of_alipays_certificate(certified, order, settings, tmp_path):
    session = _start(order)
    _cashier_pay(certified, session)
    stranger = AlipayCertificates.issue(
        app_id=certified.app_id, app_key=certified.app_key, alipay_key=KeyPair.generate()
    )
    (tmp_path / "stranger.crt").write_text(stranger.alipay)
    settings.ALIPAY_CERT_FILE = str(tmp_path / "stranger.crt")
    key_files_forget()

    with pytest.raises(PaymentProviderUnavailable):
        AlipayProvider().payment_query(reference=session.reference)


def test_a_certificate_file_without_a_certificate_is_named_and_never_printed(certified, settings, tmp_path):
    (tmp_path / "app.crt").write_text(certified.app_key.private_pem)  # the key put where the certificate goes
    settings.ALIPAY_APP_CERT_FILE = str(tmp_path / "app.crt")
    key_files_forget()

    with pytest.raises(ImproperlyConfigured) as refused:
        alipay_client()

    assert "ALIPAY_APP_CERT_FILE" in str(refused.value) and "PRIVATE KEY" not in str(refused.value)
