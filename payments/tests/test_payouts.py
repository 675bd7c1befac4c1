"""Paying resellers out through the fake WeChat Pay and Alipay (the real
libraries pointed at them): payout accounts, WeChat's merchant transfer
waiting for its payee (accepted, expired, cancelled by our sweep), Alipay's
single transfer, a bank card marked paid by an operator; never sent twice;
hostile transfer notifications refused and changing nothing."""

import secrets
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.choices import WechatApp
from accounts.models import WechatIdentity
from accounts.tests.factories import OperatorFactory
from commissions.choices import PayoutAccountKind, PayoutItemOutcome, WithdrawalStatus
from commissions.events import withdrawal_decided
from commissions.exceptions import InvalidTransition, NoPayoutAccount, PayoutAccountRefused, WithdrawalRefused
from commissions.models import PayoutItem, Withdrawal
from commissions.providers import payout_provider
from commissions.reconciliation import check_no_withdrawal_paid_twice, check_withdrawals_match_the_ledger
from commissions.services.payout_accounts import payout_account_add, payout_account_info, payout_account_kinds
from commissions.services.withdrawals import (
    payout_batch_create,
    payout_batch_pay,
    payout_items_pending_settle,
    withdrawal_approve,
    withdrawal_mark_paid,
    withdrawal_request,
)
from commissions.tests.factories import balances, credit_withdrawable
from distribution.tests.factories import ResellerFactory
from ledger.selectors import ledger_balance_mismatches
from payments.keys import key_files_forget
from sandbox.fakes.alipay import AlipayCertificates
from sandbox.fakes.server import KeyPair
from socialshop.models import Event

from .fixtures import deliver_to

# transfers race workers and notifications under row locks, and the ledger is append-only: PostgreSQL's
pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"


def reseller_with(balance: int = 500_000, *, openid: str | None = ""):
    """A reseller with ``balance`` fen to withdraw and, unless ``openid`` is None, a WeChat log-in (its
    own openid unless one is given)."""
    reseller = ResellerFactory()
    openid = openid if openid != "" else f"o{secrets.token_hex(13)}"
    credit_withdrawable(reseller.pk, balance, f"start-{reseller.pk}")
    if openid:
        from django.conf import settings

        WechatIdentity.objects.create(
            user=reseller.user, app=WechatApp.OFFICIAL_ACCOUNT, app_id=settings.WECHAT_MP_APP_ID, openid=openid
        )
    return reseller


def pay_out(withdrawal: Withdrawal) -> PayoutItem:
    """What operators and the worker do: approve, batch, pay; the item as the provider left it."""
    operator = OperatorFactory()
    withdrawal_approve(operator=operator, withdrawal_id=withdrawal.pk)
    batch = payout_batch_create(operator=operator, withdrawal_ids=[withdrawal.pk])
    payout_batch_pay(batch_id=batch.pk)
    return PayoutItem.objects.get(withdrawal=withdrawal)


def bill_no(item: PayoutItem) -> str:
    return item.reference.replace("-", "")


def decided(withdrawal: Withdrawal) -> list[str]:
    return [
        event.payload["status"]
        for event in Event.objects.filter(type=withdrawal_decided, aggregate_id=withdrawal.pk).order_by("pk")
    ]


def books_hold() -> None:
    assert ledger_balance_mismatches() == []
    assert check_withdrawals_match_the_ledger() == []
    assert check_no_withdrawal_paid_twice() == []


@pytest.fixture
def rails(payout_rails, client):
    wechat, alipay = payout_rails
    wechat.deliver = deliver_to(client)
    return wechat, alipay


# --- payout accounts ----------------------------------------------------------------------------


def test_a_withdrawal_without_a_payout_account_is_refused_and_changes_nothing(rails):
    reseller = reseller_with(openid=None)

    with pytest.raises(NoPayoutAccount) as refused:
        withdrawal_request(reseller=reseller, amount=10_000)

    assert "payout_account" in refused.value.fields
    assert not Withdrawal.objects.exists()
    assert balances(reseller.pk) == {"withdrawable": 500_000, "pending": 0}


def test_wechat_is_offered_only_with_the_openid_of_a_wechat_log_in(rails):
    without = reseller_with(openid=None)
    with pytest.raises(PayoutAccountRefused):
        payout_account_add(reseller=without, kind=PayoutAccountKind.WECHAT)

    account = payout_account_add(reseller=reseller_with(openid=OPENID), kind=PayoutAccountKind.WECHAT)
    assert account.account == OPENID


@pytest.mark.parametrize(
    "kind, fields, field",
    [
        (PayoutAccountKind.ALIPAY, {"account": "13800138000", "real_name": ""}, "real_name"),
        (PayoutAccountKind.ALIPAY, {"account": "not an account", "real_name": "张三"}, "account"),
        (PayoutAccountKind.BANK, {"account": "6222", "real_name": "张三", "bank_name": "工商银行"}, "account"),
        (PayoutAccountKind.BANK, {"account": "6222020200112233445", "real_name": "张三"}, "bank_name"),
    ],
    ids=["alipay without a name", "alipay with no log-in id", "a card number too short", "a card with no bank"],
)
def test_an_account_the_provider_would_refuse_is_not_added(rails, kind, fields, field):
    reseller = reseller_with()
    with pytest.raises(PayoutAccountRefused) as refused:
        payout_account_add(reseller=reseller, kind=kind, **fields)
    assert field in refused.value.fields
    assert not reseller.payout_accounts.exists()


def test_another_resellers_account_cannot_be_chosen(rails):
    someone = payout_account_add(
        reseller=reseller_with(), kind=PayoutAccountKind.ALIPAY, account="13800138000", real_name="张三"
    )
    reseller = reseller_with()
    payout_account_add(reseller=reseller, kind=PayoutAccountKind.WECHAT)

    with pytest.raises(NoPayoutAccount):
        withdrawal_request(reseller=reseller, amount=10_000, payout_account_id=someone.pk)
    assert not Withdrawal.objects.exists()


# --- WeChat Pay: the merchant transfer -----------------------------------------------------------


def test_a_wechat_transfer_waits_for_the_payee_then_is_paid_once(rails, client):
    wechat, _ = rails
    reseller = reseller_with(openid=OPENID)
    account = payout_account_add(reseller=reseller, kind=PayoutAccountKind.WECHAT)
    withdrawal = withdrawal_request(reseller=reseller, amount=30_000, payout_account_id=account.pk)

    item = pay_out(withdrawal)

    bill = wechat.transfers[bill_no(item)]
    assert (bill.state, bill.openid, bill.amount, bill.user_name) == ("WAIT_USER_CONFIRM", OPENID, 30_000, "")
    assert item.outcome == PayoutItemOutcome.PENDING
    assert item.package_info == bill.package_info and item.confirm_until > timezone.now()
    withdrawal.refresh_from_db()
    assert withdrawal.status == WithdrawalStatus.PAYING
    # the reseller's page and the API hand WeChat the package to accept it
    client.force_login(reseller.user)
    page = client.get(reverse("commissions:withdrawal_accept", args=[withdrawal.pk]), HTTP_USER_AGENT="MicroMessenger")
    assert bill.package_info in page.content.decode()
    api = client.get(f"/api/v1/withdrawals/{withdrawal.pk}/").json()
    assert api["transfer_to_accept"]["package"] == bill.package_info

    wechat.transfer_confirm_by_payee(bill.out_bill_no)  # notified: our notify URL applies it

    assert wechat.deliver.responses[-1].status_code == 204
    withdrawal.refresh_from_db()
    item.refresh_from_db()
    assert (withdrawal.status, item.outcome, item.provider_reference) == ("paid", "paid", bill.transfer_bill_no)
    assert balances(reseller.pk) == {"withdrawable": 470_000, "pending": 0}
    assert decided(withdrawal) == ["approved", "paid"]
    # the notification again (WeChat retries): nothing changes
    last = wechat.sent[-1]
    assert wechat.deliver(last.url, last.body, last.headers) == 204
    assert decided(withdrawal) == ["approved", "paid"]
    books_hold()


def test_a_wechat_transfer_nobody_accepts_expires_and_the_money_returns(rails):
    wechat, _ = rails
    reseller = reseller_with()
    payout_account_add(reseller=reseller, kind=PayoutAccountKind.WECHAT)
    withdrawal = withdrawal_request(reseller=reseller, amount=30_000)
    item = pay_out(withdrawal)

    wechat.transfer_expire(bill_no(item))

    withdrawal.refresh_from_db()
    assert withdrawal.status == WithdrawalStatus.FAILED
    assert "24小时" in withdrawal.failure_reason
    assert balances(reseller.pk) == {"withdrawable": 500_000, "pending": 0}
    assert decided(withdrawal) == ["approved", "failed"]
    books_hold()


def test_the_sweep_cancels_a_transfer_past_its_window_and_settles_a_lost_notification(rails):
    wechat, _ = rails
    wechat.notify = False  # WeChat's notifications never arrive: only the sweep's queries
    late, lost = reseller_with(), reseller_with()
    for reseller in (late, lost):
        payout_account_add(reseller=reseller, kind=PayoutAccountKind.WECHAT)
    late_item = pay_out(withdrawal_request(reseller=late, amount=20_000))
    lost_item = pay_out(withdrawal_request(reseller=lost, amount=20_000))
    wechat.transfer_confirm_by_payee(bill_no(lost_item))  # accepted; its notification lost
    PayoutItem.objects.filter(pk=late_item.pk).update(confirm_until=timezone.now() - timedelta(minutes=1))

    assert payout_items_pending_settle() == 2

    assert wechat.transfers[bill_no(late_item)].state == "CANCELLED"
    assert Withdrawal.objects.get(pk=late_item.withdrawal_id).status == WithdrawalStatus.FAILED
    assert Withdrawal.objects.get(pk=lost_item.withdrawal_id).status == WithdrawalStatus.PAID
    assert balances(late.pk) == {"withdrawable": 500_000, "pending": 0}
    assert balances(lost.pk) == {"withdrawable": 480_000, "pending": 0}
    assert payout_items_pending_settle() == 0  # nothing left to ask about
    books_hold()


def test_the_real_name_goes_encrypted_from_2000_yuan_and_wechat_checks_it(rails):
    wechat, _ = rails
    reseller = reseller_with(openid=OPENID)
    payout_account_add(reseller=reseller, kind=PayoutAccountKind.WECHAT)
    with pytest.raises(NoPayoutAccount):  # no real name: WeChat would refuse, so we do first
        withdrawal_request(reseller=reseller, amount=200_000)

    payout_account_add(reseller=reseller, kind=PayoutAccountKind.WECHAT, real_name="李四")
    wechat.payees[OPENID] = "张三"  # WeChat's real-name records say otherwise
    withdrawal = withdrawal_request(reseller=reseller, amount=200_000)
    item = pay_out(withdrawal)

    sent = wechat.transfers[bill_no(item)]
    assert sent.user_name == "李四"  # decrypted by the fake with the platform key: it was not sent in clear
    withdrawal.refresh_from_db()
    assert withdrawal.status == WithdrawalStatus.FAILED
    assert withdrawal.failure_reason == "收款人姓名与微信实名不一致"
    assert balances(reseller.pk) == {"withdrawable": 500_000, "pending": 0}
    books_hold()


def test_a_worker_dying_after_sending_does_not_pay_twice(rails):
    wechat, _ = rails
    reseller = reseller_with()
    payout_account_add(reseller=reseller, kind=PayoutAccountKind.WECHAT)
    withdrawal = withdrawal_request(reseller=reseller, amount=30_000)
    operator = OperatorFactory()
    withdrawal_approve(operator=operator, withdrawal_id=withdrawal.pk)
    batch = payout_batch_create(operator=operator, withdrawal_ids=[withdrawal.pk])
    item = PayoutItem.objects.get(withdrawal=withdrawal)
    account = payout_account_info(withdrawal.payout_account)
    # a worker sent it and died before recording the answer
    first = payout_provider().payout_send(
        reference=item.reference, reseller_id=reseller.pk, amount=item.amount, account=account
    )

    payout_batch_pay(batch_id=batch.pk)  # the retry: the same reference, the same out_bill_no

    assert len(wechat.transfers) == 1
    item.refresh_from_db()
    assert item.provider_reference == first.provider_reference
    wechat.transfer_confirm_by_payee(bill_no(item))
    assert Withdrawal.objects.get(pk=withdrawal.pk).status == WithdrawalStatus.PAID
    assert sum(bill.amount for bill in wechat.transfers.values() if bill.state == "SUCCESS") == 30_000
    books_hold()


# --- Alipay: the single transfer ---------------------------------------------------------------------


def test_an_alipay_transfer_is_paid_to_the_named_account_once(rails):
    _, alipay = rails
    alipay.payees["13800138000"] = "张三"
    reseller = reseller_with(openid=None)
    account = payout_account_add(
        reseller=reseller, kind=PayoutAccountKind.ALIPAY, account="138 0013 8000", real_name="张三"
    )
    withdrawal = withdrawal_request(reseller=reseller, amount=12_345, payout_account_id=account.pk)

    item = pay_out(withdrawal)

    transfer = alipay.transfers[bill_no(item)]
    assert (str(transfer.amount), transfer.identity, transfer.name) == ("123.45", "13800138000", "张三")
    withdrawal.refresh_from_db()
    assert (withdrawal.status, item.provider_reference) == (WithdrawalStatus.PAID, transfer.order_id)
    # asked again (a retry after a lost answer): Alipay answers with the first transfer
    again = payout_provider().payout_send(
        reference=item.reference, reseller_id=reseller.pk, amount=item.amount, account=payout_account_info(account)
    )
    assert (again.succeeded, again.provider_reference, len(alipay.transfers)) == (True, transfer.order_id, 1)
    assert payout_provider().payout_query(reference=item.reference, account=payout_account_info(account)) == again
    assert decided(withdrawal) == ["approved", "paid"]
    books_hold()


def test_alipay_refusing_the_name_fails_the_payout_and_returns_the_money(rails):
    _, alipay = rails
    alipay.payees["zhang@example.com"] = "张三"
    reseller = reseller_with(openid=None)
    payout_account_add(reseller=reseller, kind=PayoutAccountKind.ALIPAY, account="zhang@example.com", real_name="张四")
    withdrawal = withdrawal_request(reseller=reseller, amount=10_000)

    pay_out(withdrawal)

    withdrawal.refresh_from_db()
    assert withdrawal.status == WithdrawalStatus.FAILED
    assert "收款方姓名与账户不符" in withdrawal.failure_reason
    assert balances(reseller.pk) == {"withdrawable": 500_000, "pending": 0}
    assert alipay.transfers == {}
    books_hold()


def test_alipay_accounts_are_offered_only_in_certificate_mode(rails, settings):
    reseller = reseller_with(openid=None)
    assert PayoutAccountKind.ALIPAY in payout_account_kinds(reseller=reseller)

    settings.ALIPAY_KEY_MODE = "public_key"  # Alipay would refuse the transfers: the kind is not offered

    assert PayoutAccountKind.ALIPAY not in payout_account_kinds(reseller=reseller)
    with pytest.raises(PayoutAccountRefused):
        payout_account_add(reseller=reseller, kind=PayoutAccountKind.ALIPAY, account="13800138000", real_name="张三")


def test_a_transfer_naming_another_app_certificate_is_refused_and_pays_nothing(rails, settings, tmp_path):
    _, fake = rails
    fake.payees["13800138000"] = "张三"
    other = AlipayCertificates.issue(app_id=fake.app_id, app_key=fake.app_key, alipay_key=fake.alipay_key)
    (tmp_path / "other.crt").write_text(other.app)
    settings.ALIPAY_APP_CERT_FILE = str(tmp_path / "other.crt")
    key_files_forget()
    reseller = reseller_with(openid=None)
    payout_account_add(reseller=reseller, kind=PayoutAccountKind.ALIPAY, account="13800138000", real_name="张三")
    withdrawal = withdrawal_request(reseller=reseller, amount=12_345)

    pay_out(withdrawal)

    withdrawal.refresh_from_db()
    assert withdrawal.status != WithdrawalStatus.PAID
    assert fake.transfers == {} and fake.requests_refused >= 1
    assert balances(reseller.pk)["withdrawable"] == 500_000 - 12_345  # held, not paid, not lost
    books_hold()


# --- a bank card: by hand ---------------------------------------------------------------------------


def test_a_bank_card_waits_for_an_operator_who_marks_it_paid_with_the_banks_reference(rails):
    reseller = reseller_with(openid=None)
    payout_account_add(
        reseller=reseller,
        kind=PayoutAccountKind.BANK,
        account="6222020200112233445",
        real_name="张三",
        bank_name="工商银行",
    )
    withdrawal = withdrawal_request(reseller=reseller, amount=10_000)
    item = pay_out(withdrawal)
    assert item.outcome == PayoutItemOutcome.PENDING
    assert payout_items_pending_settle() == 0  # nobody to ask: it waits for its operator
    operator = OperatorFactory()

    with pytest.raises(WithdrawalRefused):
        withdrawal_mark_paid(operator=operator, withdrawal_id=withdrawal.pk, reason="  ")
    withdrawal_mark_paid(operator=operator, withdrawal_id=withdrawal.pk, reason="ICBC20261204001")

    withdrawal.refresh_from_db()
    item.refresh_from_db()
    assert (withdrawal.status, item.provider_reference) == (WithdrawalStatus.PAID, "ICBC20261204001")
    assert withdrawal.status_changes.last().actor == operator
    with pytest.raises(InvalidTransition):  # twice: refused, nothing posted again
        withdrawal_mark_paid(operator=operator, withdrawal_id=withdrawal.pk, reason="ICBC20261204001")
    assert balances(reseller.pk) == {"withdrawable": 490_000, "pending": 0}
    books_hold()


# --- hostile transfer notifications ------------------------------------------------------------------


@pytest.fixture
def waiting(rails):
    """A WeChat transfer waiting for its payee, and a forger's tools."""
    wechat, _ = rails
    wechat.notify = False
    reseller = reseller_with()
    payout_account_add(reseller=reseller, kind=PayoutAccountKind.WECHAT)
    withdrawal = withdrawal_request(reseller=reseller, amount=30_000)
    item = pay_out(withdrawal)
    bill = wechat.transfers[bill_no(item)]
    bill.state = "SUCCESS"  # what a forger claims
    return wechat, withdrawal, bill


def _post(client, body: bytes, headers: dict[str, str]):
    extra = {key: value for key, value in headers.items() if key != "Content-Type"}
    return client.generic("POST", "/payouts/wechat/notify/", body, content_type="application/json", headers=extra)


@pytest.mark.parametrize(
    "forge",
    [
        {"signing_key": "other"},
        {"apiv3_key": "0" * 32},
        {"serial": "PUB_KEY_ID_SOMEONE_ELSE"},
        {"timestamp": int(time.time()) - 3600},
    ],
    ids=["bad signature", "encrypted with another key", "another key's id", "stale timestamp"],
)
def test_a_forged_transfer_notification_is_refused_and_changes_nothing(waiting, client, forge):
    wechat, withdrawal, bill = waiting
    if forge.get("signing_key") == "other":
        forge = {"signing_key": KeyPair.generate()}
    body, headers = wechat.transfer_notification(bill, **forge)

    response = _post(client, body, headers)

    assert response.status_code == 400
    assert response.json()["code"] == "signature_invalid"
    withdrawal.refresh_from_db()
    assert withdrawal.status == WithdrawalStatus.PAYING
    assert PayoutItem.objects.get(withdrawal=withdrawal).outcome == PayoutItemOutcome.PENDING
    assert balances(withdrawal.reseller_id) == {"withdrawable": 470_000, "pending": 30_000}


def test_a_notification_of_a_transfer_never_sent_is_not_found(waiting, client):
    wechat, withdrawal, bill = waiting
    bill.out_bill_no = "WD999999ABCDEF123456"
    body, headers = wechat.transfer_notification(bill)

    assert _post(client, body, headers).status_code == 404
    assert Withdrawal.objects.get(pk=withdrawal.pk).status == WithdrawalStatus.PAYING


@pytest.mark.parametrize(
    "body, status",
    [(b'{"a":"' + b"x" * 2_000_000 + b'"}', 413), (b"[" * 5000 + b"]" * 5000, 400), (b"\xff not json", 400)],
    ids=["oversized", "deeply nested", "not json"],
)
def test_oversized_or_nested_bodies_are_refused_before_any_crypto(waiting, client, body, status):
    wechat, withdrawal, bill = waiting
    _, headers = wechat.transfer_notification(bill)

    response = _post(client, body, headers)

    assert response.status_code == status
    assert Withdrawal.objects.get(pk=withdrawal.pk).status == WithdrawalStatus.PAYING


def test_a_genuine_notification_for_another_merchant_is_refused(waiting, client, settings):
    wechat, withdrawal, bill = waiting
    resource_view = wechat.transfer_view

    def other_merchant(transfer):
        return {**resource_view(transfer), "mch_id": "1230000109"}

    wechat.transfer_view = other_merchant
    try:
        body, headers = wechat.transfer_notification(bill)
    finally:
        del wechat.transfer_view
    assert _post(client, body, headers).status_code == 400
    assert Withdrawal.objects.get(pk=withdrawal.pk).status == WithdrawalStatus.PAYING


# --- at the same time, on PostgreSQL ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_workers_paying_one_batch_and_a_notification_racing_the_sweep_pay_once(rails):
    from conftest import run_together

    wechat, _ = rails
    wechat.notify = False
    reseller = reseller_with()
    payout_account_add(reseller=reseller, kind=PayoutAccountKind.WECHAT)
    withdrawal = withdrawal_request(reseller=reseller, amount=30_000)
    operator = OperatorFactory()
    withdrawal_approve(operator=operator, withdrawal_id=withdrawal.pk)
    batch = payout_batch_create(operator=operator, withdrawal_ids=[withdrawal.pk])

    run_together(lambda: payout_batch_pay(batch_id=batch.pk), lambda: payout_batch_pay(batch_id=batch.pk))

    assert len(wechat.transfers) == 1
    item = PayoutItem.objects.get(withdrawal=withdrawal)
    assert item.outcome == PayoutItemOutcome.PENDING
    wechat.transfer_confirm_by_payee(bill_no(item))  # held: delivered below, racing the sweep
    (held,) = [sent for sent in wechat.sent if sent.status is None]

    outcomes = run_together(
        lambda: wechat.deliver(held.url, held.body, held.headers),
        payout_items_pending_settle,
        lambda: wechat.deliver(held.url, held.body, held.headers),
    )

    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)], outcomes
    assert Withdrawal.objects.get(pk=withdrawal.pk).status == WithdrawalStatus.PAID
    assert decided(withdrawal) == ["approved", "paid"]
    assert balances(reseller.pk) == {"withdrawable": 470_000, "pending": 0}
    books_hold()
