"""End to end, in headless Chromium (390×844) against a live server and a
real Celery worker, with WeChat Pay and Alipay played by their local fakes:
a reseller adds a payout account on its phone and withdraws; an operator
pays the batch; the worker sends the transfer through the real library.
Alipay pays at once; WeChat's transfer waits until the reseller accepts it
(its signed, encrypted notification reaches the live server) or expires and
the money returns; a bank card is marked paid by its operator."""

import time

import pytest
from django.db import connections

from accounts.choices import WechatApp
from accounts.models import WechatIdentity
from accounts.tests.factories import PASSWORD, OperatorFactory
from commissions.choices import PayoutItemOutcome, WithdrawalStatus
from commissions.models import PayoutItem, Withdrawal
from commissions.services.withdrawals import payout_batch_create, withdrawal_approve, withdrawal_mark_paid
from commissions.tests.factories import balances, credit_withdrawable
from conftest import PHONE_VIEWPORT
from distribution.tests.factories import ResellerFactory
from ledger.selectors import ledger_balance_mismatches

pytestmark = [pytest.mark.browser, pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

OPENID = "oBrowserPayee0000000000000001"


def wait_until(condition, *, timeout: float = 45.0, what: str = ""):
    """Poll the database until ``condition()`` holds (the worker and the fakes work on their own time)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what or condition}")


@pytest.fixture
def phone(chromium):
    context = chromium.new_context(
        viewport=PHONE_VIEWPORT, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    yield context.new_page()
    context.close()
    connections.close_all()


@pytest.fixture
def rails_live(payout_rails, live_server, settings, monkeypatch):
    """The payout rails, WeChat's notifications addressed to the live server (the worker reads the same)."""
    settings.PAYOUT_NOTIFY_BASE_URL = live_server.url
    monkeypatch.setenv("PAYOUT_NOTIFY_BASE_URL", live_server.url)
    return payout_rails


@pytest.fixture
def world(rails_live, celery_worker_process, settings):
    wechat, alipay = rails_live
    reseller = ResellerFactory()
    credit_withdrawable(reseller.pk, 100_000, "browser-payouts")  # ¥1,000.00
    WechatIdentity.objects.create(
        user=reseller.user, app=WechatApp.OFFICIAL_ACCOUNT, app_id=settings.WECHAT_MP_APP_ID, openid=OPENID
    )
    alipay.payees["13800138000"] = "张三"
    return reseller


def _log_in(page, base: str, reseller) -> None:
    page.goto(f"{base}/accounts/log-in/?next=/money/")
    page.click("#log-in-with-password")  # the page opens on log-in by SMS code
    page.fill("input[name=username]", reseller.user.phone)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/money/")


def _add_account(page, kind: str, **fields) -> None:
    page.click("#add-payout-account, .payout-accounts-link a")
    page.wait_for_url("**/money/payout-accounts/**")
    page.check(f"input[name=kind][value={kind}]")
    for name, value in fields.items():
        page.fill(f"input[name={name}]", value)
    page.click(".payout-account-form button[type=submit]")


def _withdraw(page, amount: str, account_label: str) -> Withdrawal:
    page.get_by_label(account_label).check()
    page.fill("input[name=amount]", amount)
    page.click(".withdraw-form button[type=submit]")
    page.wait_for_url("**/money/")
    return Withdrawal.objects.latest("pk")


def _pay_the_batch(withdrawal: Withdrawal) -> None:
    operator = OperatorFactory()
    withdrawal_approve(operator=operator, withdrawal_id=withdrawal.pk)
    payout_batch_create(operator=operator, withdrawal_ids=[withdrawal.pk])  # the worker pays it (on commit)


def _item(withdrawal: Withdrawal, outcome: str) -> PayoutItem:
    return wait_until(
        lambda: PayoutItem.objects.filter(withdrawal=withdrawal, outcome=outcome).first(),
        what=f"the payout {outcome or 'sent'}",
    )


def test_a_reseller_adds_alipay_on_its_phone_and_is_paid_there(world, live_server, phone, alipay, screenshot_dir):
    _log_in(phone, live_server.url, world)
    _add_account(phone, "alipay", account="13800138000", real_name="张三")
    phone.wait_for_url("**/money/")
    phone.screenshot(path=screenshot_dir / "payouts-money-with-account.png", full_page=True)
    assert phone.locator(".withdraw-form").get_by_text("支付宝").count() == 1

    withdrawal = _withdraw(phone, "123.45", "支付宝 138****8000")
    assert withdrawal.payout_account.account == "13800138000"
    _pay_the_batch(withdrawal)

    _item(withdrawal, PayoutItemOutcome.PAID)
    (transfer,) = alipay.transfers.values()
    assert (str(transfer.amount), transfer.name) == ("123.45", "张三")
    assert balances(world.pk) == {"withdrawable": 100_000 - 12_345, "pending": 0}
    phone.reload()
    assert phone.text_content(".badge.withdrawal-paid").strip() == "已付款"
    assert ledger_balance_mismatches() == []


def test_a_wechat_transfer_waits_for_the_reseller_then_one_expires_and_returns(
    world, live_server, phone, wechat, screenshot_dir
):
    _log_in(phone, live_server.url, world)
    _add_account(phone, "wechat")
    phone.wait_for_url("**/money/")
    accepted = _withdraw(phone, "200.00", "微信零钱")
    _pay_the_batch(accepted)
    item = _item(accepted, PayoutItemOutcome.PENDING)
    assert wechat.transfers[item.reference.replace("-", "")].state == "WAIT_USER_CONFIRM"

    phone.reload()  # the money page offers to accept it in WeChat
    phone.click(".accept-transfer")
    phone.wait_for_url(f"**/money/withdrawals/{accepted.pk}/accept/")
    phone.screenshot(path=screenshot_dir / "payouts-accept-transfer.png", full_page=True)
    assert phone.text_content(".accept-amount").strip() == "¥200.00"

    wechat.transfer_confirm_by_payee(item.reference.replace("-", ""))  # accepted in WeChat: notified
    wait_until(lambda: Withdrawal.objects.get(pk=accepted.pk).status == WithdrawalStatus.PAID, what="paid")

    phone.goto(f"{live_server.url}/money/")
    expired = _withdraw(phone, "100.00", "微信零钱")
    _pay_the_batch(expired)
    late = _item(expired, PayoutItemOutcome.PENDING)
    wechat.transfer_expire(late.reference.replace("-", ""))  # nobody accepted it in 24 hours
    wait_until(lambda: Withdrawal.objects.get(pk=expired.pk).status == WithdrawalStatus.FAILED, what="failed")
    assert balances(world.pk) == {"withdrawable": 100_000 - 20_000, "pending": 0}
    assert ledger_balance_mismatches() == []


def test_a_bank_card_is_paid_by_hand(world, live_server, phone, screenshot_dir):
    _log_in(phone, live_server.url, world)
    _add_account(phone, "bank", account="6222020200112233445", real_name="张三", bank_name="中国工商银行")
    phone.wait_for_url("**/money/")
    phone.goto(f"{live_server.url}/money/payout-accounts/")
    phone.screenshot(path=screenshot_dir / "payouts-accounts.png", full_page=True)
    assert "中国工商银行 **** 3445" in phone.text_content(".payout-accounts")
    phone.goto(f"{live_server.url}/money/")
    withdrawal = _withdraw(phone, "50.00", "银行卡 中国工商银行 **** 3445")
    _pay_the_batch(withdrawal)
    _item(withdrawal, PayoutItemOutcome.PENDING)

    withdrawal_mark_paid(operator=OperatorFactory(), withdrawal_id=withdrawal.pk, reason="ICBC20261204001")

    assert Withdrawal.objects.get(pk=withdrawal.pk).status == WithdrawalStatus.PAID
    assert balances(world.pk) == {"withdrawable": 95_000, "pending": 0}
