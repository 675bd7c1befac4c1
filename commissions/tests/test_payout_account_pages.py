"""The reseller's payout-account page and API, and the withdrawal form's
choice of account (with the sandbox provider, which pays any kind)."""

import pytest
from django.urls import reverse

from accounts.choices import WechatApp
from accounts.models import WechatIdentity
from commissions.models import PayoutAccount, Withdrawal
from commissions.services.payout_accounts import payout_account_add
from distribution.tests.factories import ResellerFactory

from .factories import balances, credit_withdrawable

pytestmark = pytest.mark.django_db


@pytest.fixture
def reseller(client):
    reseller = ResellerFactory()
    credit_withdrawable(reseller.pk, 50_000, f"pages-{reseller.pk}")
    client.force_login(reseller.user)
    return reseller


def test_the_page_lists_accounts_masked_in_few_queries(client, reseller, django_assert_max_num_queries):
    for number in range(5):
        payout_account_add(
            reseller=reseller,
            kind="bank",
            account=f"622202020011223{number:04d}",
            real_name="张三",
            bank_name="工商银行",
        )
    payout_account_add(reseller=reseller, kind="alipay", account="zhangsan@example.com", real_name="张三")

    with django_assert_max_num_queries(9):
        page = client.get(reverse("commissions:payout_accounts"))

    text = page.content.decode()
    assert page.status_code == 200
    assert "工商银行 **** 0004" in text and "zh***@example.com" in text
    assert "6222020200112230004" not in text  # never the whole number
    assert 'value="wechat"' not in text  # no WeChat log-in: not offered


def test_wechat_is_offered_after_a_wechat_log_in(client, reseller, settings):
    settings.WECHAT_MP_APP_ID = "wx0123456789abcdef"
    WechatIdentity.objects.create(
        user=reseller.user, app=WechatApp.OFFICIAL_ACCOUNT, app_id=settings.WECHAT_MP_APP_ID, openid="oPagesPayee01"
    )

    client.post(reverse("commissions:payout_accounts"), {"kind": "wechat"})

    assert PayoutAccount.objects.get(reseller=reseller).account == "oPagesPayee01"


def test_a_bad_account_is_a_form_error_and_adds_nothing(client, reseller):
    page = client.post(reverse("commissions:payout_accounts"), {"kind": "alipay", "account": "13800138000"})

    assert page.status_code == 400
    assert "请填写与身份证一致的姓名" in page.content.decode()
    assert not PayoutAccount.objects.exists()


def test_the_withdrawal_goes_to_the_account_chosen(client, reseller):
    alipay = payout_account_add(reseller=reseller, kind="alipay", account="13800138000", real_name="张三")
    payout_account_add(
        reseller=reseller, kind="bank", account="6222020200112233445", real_name="张三", bank_name="工行"
    )

    client.post(reverse("commissions:money"), {"amount": "100.00", "payout_account": alipay.pk})

    assert Withdrawal.objects.get().payout_account == alipay


def test_someone_elses_account_is_a_form_error(client, reseller):
    payout_account_add(reseller=reseller, kind="alipay", account="13800138000", real_name="张三")
    other = payout_account_add(reseller=ResellerFactory(), kind="alipay", account="13900139000", real_name="李四")

    page = client.post(reverse("commissions:money"), {"amount": "100.00", "payout_account": other.pk})

    assert page.status_code == 400
    assert not Withdrawal.objects.exists()
    assert balances(reseller.pk) == {"withdrawable": 50_000, "pending": 0}


def test_removing_an_account_keeps_the_withdrawals_made_to_it(client, reseller):
    account = payout_account_add(reseller=reseller, kind="alipay", account="13800138000", real_name="张三")
    client.post(reverse("commissions:money"), {"amount": "100.00", "payout_account": account.pk})

    client.post(reverse("commissions:payout_account_remove", args=[account.pk]))

    assert Withdrawal.objects.get().payout_account == account
    assert client.get(reverse("commissions:payout_accounts")).content.decode().count("138****8000") == 0
    other = payout_account_add(reseller=ResellerFactory(), kind="alipay", account="13900139000", real_name="李四")
    assert client.post(reverse("commissions:payout_account_remove", args=[other.pk])).status_code == 404


def test_the_api_lists_adds_and_refuses_in_few_queries(client, reseller, django_assert_max_num_queries):
    for number in range(5):
        payout_account_add(
            reseller=reseller,
            kind="bank",
            account=f"622202020011223{number:04d}",
            real_name="张三",
            bank_name="工商银行",
        )

    with django_assert_max_num_queries(6):
        listed = client.get("/api/v1/payout-accounts/")
    added = client.post(
        "/api/v1/payout-accounts/",
        {"kind": "alipay", "account": "13800138000", "real_name": "张三"},
        content_type="application/json",
    )
    refused = client.post(
        "/api/v1/payout-accounts/", {"kind": "alipay", "account": "x"}, content_type="application/json"
    )

    assert len(listed.json()) == 5 and listed.json()[0]["account_masked"] == "工商银行 **** 0004"
    assert added.status_code == 201 and added.json()["account_masked"] == "138****8000"
    assert refused.status_code == 400 and refused.json()["code"] == "payout_account_refused"
    assert PayoutAccount.objects.filter(reseller=reseller).count() == 6


def test_a_withdrawal_through_the_api_names_its_account(client, reseller):
    account = payout_account_add(reseller=reseller, kind="alipay", account="13800138000", real_name="张三")

    answer = client.post(
        "/api/v1/withdrawals/", {"amount": "20.00", "payout_account": account.pk}, content_type="application/json"
    )

    assert answer.status_code == 201
    assert answer.json()["payout_account"] == account.pk and answer.json()["transfer_to_accept"] is None
