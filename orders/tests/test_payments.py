"""Paying through the sandbox gateway: the signed callback to the
platform's webhook, and everything a real gateway's callbacks do (late,
twice, out of order, tampered, for the wrong amount). The cashier page is
the sandbox's own (sandbox/tests/test_views.py)."""

import json

import pytest

from accounts.tests.factories import UserFactory
from distribution.models import ResellerSale
from orders.choices import OrderStatus, PaymentIssueKind, PaymentSessionStatus
from orders.events import order_paid
from orders.exceptions import InvalidTransition, OrderExpired
from orders.models import OrderLine, OrderSettings, Payment, PaymentIssue, PaymentSession
from orders.services.lifecycle import order_cancel
from orders.services.payments import payment_start
from sandbox.models import SandboxCharge
from sandbox.payments import SANDBOX_SIGNATURE_HEADER, SandboxPaymentProvider, sandbox_callback
from socialshop.signing import signature_header

from .factories import NOTIFY_URL, RETURN_URL, pay, pay_notice, place, shop_selling

pytestmark = pytest.mark.django_db

WEBHOOK = "/payments/sandbox/notify/"


def _deliver(client, body: bytes, headers: dict):
    return client.post(
        WEBHOOK,
        data=body,
        content_type="application/json",
        headers={k: v for k, v in headers.items() if k != "Content-Type"},
    )


def _order():
    shop, sku = shop_selling(price=12_000)
    return place(shop=shop, sku=sku, quantity=2)


def test_paying_in_the_sandbox_then_the_callback_marks_the_order_paid(
    client, events, django_capture_on_commit_callbacks
):
    paid_events = events(order_paid)
    order = _order()
    body, headers = pay_notice(order)

    with django_capture_on_commit_callbacks(execute=True):
        response = _deliver(client, body, headers)

    assert response.status_code == 200 and response.json() == {"result": "applied"}
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.paid_amount == 24_000 and order.paid_at is not None
    payment = Payment.objects.get(order=order)
    assert payment.amount == 24_000 and payment.currency == "CNY"
    assert list(OrderLine.objects.filter(order=order).values_list("paid_amount", flat=True)) == [24_000]
    assert paid_events == [{"order_id": order.pk}]
    # the sale counts for the shop owner's team (distribution's contract)
    line = order.lines.get()
    assert ResellerSale.objects.get(key=f"order-line:{line.pk}:paid").amount == 24_000


def test_a_callback_delivered_again_changes_nothing_and_sends_no_second_event(
    client, events, django_capture_on_commit_callbacks
):
    paid_events = events(order_paid)
    order = _order()
    body, headers = pay_notice(order)

    with django_capture_on_commit_callbacks(execute=True):
        first = _deliver(client, body, headers)
        second = _deliver(client, body, headers)

    assert first.json() == {"result": "applied"} and second.json() == {"result": "duplicate"}
    assert Payment.objects.count() == 1 and paid_events == [{"order_id": order.pk}]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda body, headers: (body.replace(b"24000", b"24001"), headers),
        lambda body, headers: (
            body,
            {**headers, SANDBOX_SIGNATURE_HEADER: signature_header(secret="wrong", body=body)},
        ),
        lambda body, headers: (body, {"Content-Type": "application/json"}),
        lambda body, headers: (
            body,
            {**headers, SANDBOX_SIGNATURE_HEADER: signature_header(secret="x", body=body, timestamp=1_000)},
        ),
    ],
    ids=["tampered body", "wrong secret", "no signature", "stale"],
)
def test_a_callback_with_a_bad_signature_is_refused_and_changes_nothing(client, tamper, caplog):
    order = _order()
    body, headers = tamper(*pay_notice(order))

    response = _deliver(client, body, headers)

    assert response.status_code == 400 and response.json()["code"] == "invalid_signature"
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT and not Payment.objects.exists()
    assert "bad signature" in caplog.text


@pytest.mark.parametrize(
    ("field", "value", "kind"),
    [("amount", 1, PaymentIssueKind.AMOUNT_MISMATCH), ("currency", "USD", PaymentIssueKind.CURRENCY_MISMATCH)],
)
def test_a_callback_for_another_amount_or_currency_is_refused_and_flagged(client, settings, field, value, kind):
    order = _order()
    body, _headers = pay_notice(order)
    data = {**json.loads(body), field: value}
    body = json.dumps(data).encode()
    headers = {SANDBOX_SIGNATURE_HEADER: signature_header(secret=settings.PAYMENT_SANDBOX_SECRET, body=body)}

    response = _deliver(client, body, headers)
    again = _deliver(client, body, headers)

    assert response.status_code == 400 and response.json()["code"] == "payment_mismatch"
    assert again.status_code == 400
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT and not Payment.objects.exists()
    assert list(PaymentIssue.objects.values_list("kind", flat=True)) == [kind]  # flagged once for an operator


def test_a_late_failure_after_the_success_changes_nothing(client, django_capture_on_commit_callbacks):
    order = _order()
    body, headers = pay_notice(order)
    charge = SandboxCharge.objects.get()
    SandboxCharge.objects.filter(pk=charge.pk).update(status="failed")
    charge.refresh_from_db()
    failed_body, failed_headers = sandbox_callback(charge)

    with django_capture_on_commit_callbacks(execute=True):
        _deliver(client, body, headers)
        late = _deliver(client, failed_body, failed_headers)

    assert late.json() == {"result": "duplicate"}
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert PaymentSession.objects.get().status == PaymentSessionStatus.SUCCEEDED


def test_a_failed_payment_leaves_the_order_payable_again(client):
    order = _order()
    body, headers = pay_notice(order, pay=False)

    assert _deliver(client, body, headers).json() == {"result": "failed"}

    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
    again = payment_start(order_id=order.pk, buyer=order.buyer, notify_url=NOTIFY_URL, return_url=RETURN_URL)
    assert again.status == PaymentSessionStatus.OPEN and PaymentSession.objects.count() == 2


def test_money_arriving_for_a_cancelled_order_goes_back_and_is_flagged(
    client, events, django_capture_on_commit_callbacks
):
    paid_events = events(order_paid)
    order = _order()
    body, headers = pay_notice(order)
    order_cancel(order_id=order.pk, by=order.buyer, buyer=order.buyer, actor_kind="buyer", reason="changed my mind")

    with django_capture_on_commit_callbacks(execute=True):
        response = _deliver(client, body, headers)

    assert response.json() == {"result": "refunded"}
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and not Payment.objects.exists() and paid_events == []
    issue = PaymentIssue.objects.get()
    assert issue.kind == PaymentIssueKind.PAID_AFTER_CANCEL and issue.refund_reference
    assert SandboxCharge.objects.get().refunded_amount == 24_000


def test_a_second_payment_of_a_paid_order_goes_back(client, django_capture_on_commit_callbacks):
    order = _order()
    first = pay_notice(order)
    # the shopper's first payment page expired unnoticed and it paid a second one too
    PaymentSession.objects.update(expires_at="2000-01-01T00:00Z")
    second = pay_notice(order)

    with django_capture_on_commit_callbacks(execute=True):
        _deliver(client, *first)
        response = _deliver(client, *second)

    assert response.json() == {"result": "refunded"}
    assert Payment.objects.filter(order=order).count() == 1
    assert PaymentIssue.objects.get().kind == PaymentIssueKind.PAID_TWICE


def test_an_unknown_payment_reference_is_not_found(client, settings):
    body = json.dumps(
        {"reference": "P0nope", "transaction_id": "x", "status": "paid", "amount": 1, "currency": "CNY"}
    ).encode()
    headers = {SANDBOX_SIGNATURE_HEADER: signature_header(secret=settings.PAYMENT_SANDBOX_SECRET, body=body)}

    assert _deliver(client, body, headers).status_code == 404


@pytest.mark.parametrize(
    "body",
    [b"[" * 2000 + b"]" * 2000, b'{"reference":' * 2000 + b"1" + b"}" * 2000],
    ids=["arrays", "objects"],
)
def test_a_signed_callback_nested_too_deep_answers_400_not_500(client, settings, body):
    headers = {SANDBOX_SIGNATURE_HEADER: signature_header(secret=settings.PAYMENT_SANDBOX_SECRET, body=body)}

    response = _deliver(client, body, headers)

    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert response.json()["code"] == "json_too_deep"


def test_a_signed_callback_over_the_json_size_limit_answers_413(client, settings):
    settings.JSON_BODY_MAX_BYTES = 1024
    body = json.dumps({"reference": "P" * 2000}).encode()
    headers = {SANDBOX_SIGNATURE_HEADER: signature_header(secret=settings.PAYMENT_SANDBOX_SECRET, body=body)}

    response = _deliver(client, body, headers)

    assert response.status_code == 413 and response.json()["code"] == "json_too_large"


class StandInGateway:
    """A provider that is not the sandbox (the real ones come later)."""

    name = "gateway"


def test_the_sandbox_callback_is_not_answered_when_another_provider_collects(client, settings):
    order = _order()
    body, headers = pay_notice(order)
    settings.PAYMENT_PROVIDER = f"{__name__}.StandInGateway"

    response = _deliver(client, body, headers)

    assert response.status_code == 404
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT


def test_opening_the_payment_twice_gives_back_the_open_one():
    order = _order()

    first = payment_start(order_id=order.pk, buyer=order.buyer, notify_url=NOTIFY_URL, return_url=RETURN_URL)
    second = payment_start(order_id=order.pk, buyer=order.buyer, notify_url=NOTIFY_URL, return_url=RETURN_URL)

    assert first.pk == second.pk and first.redirect_url.endswith(f"/sandbox/pay/{first.reference}/")
    assert first.redirect_url.startswith("http://testserver/")


def test_a_paid_or_expired_or_someone_elses_order_cannot_be_paid(django_capture_on_commit_callbacks):
    from socialshop.errors import NotFound

    order = _order()
    with pytest.raises(NotFound):
        payment_start(order_id=order.pk, buyer=UserFactory(), notify_url=NOTIFY_URL, return_url=RETURN_URL)
    OrderSettings.objects.create(unpaid_expiry_minutes=1)
    type(order).objects.filter(pk=order.pk).update(created_at="2000-01-01T00:00Z")
    with pytest.raises(OrderExpired):
        payment_start(order_id=order.pk, buyer=order.buyer, notify_url=NOTIFY_URL, return_url=RETURN_URL)

    paid = _order()
    with django_capture_on_commit_callbacks(execute=True):
        pay(paid)
    with pytest.raises(InvalidTransition) as refused:
        payment_start(order_id=paid.pk, buyer=paid.buyer, notify_url=NOTIFY_URL, return_url=RETURN_URL)
    assert refused.value.extra["current_state"] == OrderStatus.PAID


@pytest.mark.parametrize("depth", [1, 6])
def test_applying_a_payment_costs_the_same_statements_whatever_the_tree_and_writes_one_event(
    depth, django_assert_max_num_queries
):
    """18 statements for a one-line order before the outbox (savepoints
    included); the event (with who earns) is one INSERT more: the upline
    snapshot is read in the query that reports the sale to the tree,
    whatever the depth of the chain above the seller; the buyer's cash
    posted with the payment (issue 14) is five more (the two platform
    accounts, the transaction, its entries, the balances locked and moved);
    the earners' grades (分销等级), read by the commission engine's reader,
    one more, whatever the depth."""
    from distribution.tests.factories import ResellerFactory
    from orders.services.payments import payment_notice_apply
    from shops.tests.factories import ShopFactory
    from socialshop.models import Event

    inviter = None
    for _ in range(depth):
        inviter = ResellerFactory(inviter=inviter)
    seller = ResellerFactory(inviter=inviter)
    shop, sku = shop_selling(shop=ShopFactory(owner=seller), price=12_000)
    order = place(shop=shop, sku=sku)
    body, headers = pay_notice(order)
    notice = SandboxPaymentProvider().notice_parse(body=body, headers=headers)
    from ledger.choices import AccountKind
    from ledger.services import ledger_accounts

    # the platform's accounts exist from the first payment ever on
    ledger_accounts(keys=[(AccountKind.PLATFORM_PAYMENT_CLEARING, None), (AccountKind.PLATFORM_REVENUE, None)])

    with django_assert_max_num_queries(25):
        payment_notice_apply(notice=notice)

    (event,) = Event.objects.filter(type="order.paid", aggregate_id=order.pk)
    assert event.payload["earners"] == {
        str(seller.pk): [[seller.pk, True], [inviter.pk, True]]
        + ([[inviter.inviter_id, True]] if inviter.inviter_id else [])
    }
