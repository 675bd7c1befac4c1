import csv
import io
import re

import pytest
from django.urls import reverse

from accounts.tests.factories import OperatorFactory, UserFactory
from commissions.models import ReconciliationRun, Withdrawal
from distribution.tests.factories import ResellerFactory
from ledger.choices import AccountKind
from ledger.models import LedgerAccount
from orders.tests.factories import pay, place, shop_selling
from shops.tests.factories import ShopFactory

from .factories import balances, credit_withdrawable

pytestmark = pytest.mark.django_db


@pytest.fixture
def earning(django_capture_on_commit_callbacks):
    """A reseller whose shop sold one thing (35.00 frozen) and who has 500.00 to withdraw."""
    reseller = ResellerFactory()
    shop, sku = shop_selling(shop=ShopFactory(owner=reseller), price=12_000)
    order = place(shop=shop, sku=sku)
    with django_capture_on_commit_callbacks(execute=True):
        pay(order)
    credit_withdrawable(reseller.pk, 50_000, "start")
    return reseller


def test_the_money_page_shows_balances_commissions_and_the_chart(client, earning):
    client.force_login(earning.user)

    page = client.get(reverse("commissions:money"))

    html = page.content.decode()
    assert page.status_code == 200
    assert "¥500.00" in html and "¥35.00" in html  # withdrawable, frozen
    assert len(page.context["commissions"]) == 2  # markup and tier 1
    assert page.context["chart_total"] == 3_500
    assert html.count('class="bar"') == 30


def test_a_reseller_withdraws_from_the_page(client, earning):
    client.force_login(earning.user)

    response = client.post(reverse("commissions:money"), {"amount": "120.50"})

    assert response.status_code == 302
    assert Withdrawal.objects.get(reseller=earning).amount == 12_050
    assert balances(earning.pk) == {"withdrawable": 50_000 - 12_050, "pending": 12_050}


@pytest.mark.parametrize("typed", ["0", "-5", "12.345", "abc", "600", "1e2", "+10", "10.", "１０.００", "¥10"])
def test_a_bad_amount_is_a_form_error_and_changes_nothing(client, earning, typed):
    client.force_login(earning.user)

    response = client.post(reverse("commissions:money"), {"amount": typed})

    assert response.status_code == 400
    assert response.context["form"].errors["amount"]
    assert not Withdrawal.objects.exists()


@pytest.mark.parametrize(
    "typed, said",
    [("１０.００", "半角数字"), ("1e2", "半角数字"), ("10.001", "精确到分"), ("0", "大于 0"), ("-5", "不能为负数")],
)
def test_the_page_says_in_chinese_why_an_amount_is_refused(client, earning, typed, said):
    client.force_login(earning.user)

    response = client.post(reverse("commissions:money"), {"amount": typed})

    assert said in " ".join(response.context["form"].errors["amount"])


def test_the_statement_lists_every_movement_as_csv(client, earning):
    client.force_login(earning.user)
    client.post(reverse("commissions:money"), {"amount": "100.00"})

    response = client.get(reverse("commissions:statement"))

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert response["Content-Type"].startswith("text/csv")
    amounts = sorted(row[3] for row in rows[1:])
    assert amounts == sorted(["20.00", "15.00", "500.00", "-100.00", "100.00"])


def test_only_resellers_have_a_money_page(client):
    client.force_login(UserFactory())

    assert client.get(reverse("commissions:money")).status_code == 302  # to the join page


def test_operators_read_the_money_report(client, earning):
    assert client.get(reverse("commissions:report")).status_code == 302  # log in first
    client.force_login(OperatorFactory())

    page = client.get(reverse("commissions:report"))

    assert page.status_code == 200
    assert page.context["frozen"] == 3_500 and page.context["withdrawable"] == 50_000


def test_the_money_report_wears_the_admin_s_chinese_header_and_user_tools(client):
    client.force_login(OperatorFactory())

    page = client.get(reverse("commissions:report")).content.decode()

    assert "微店分销 · 运营后台" in page and "Django" not in page
    assert 'id="user-tools"' in page and 'id="logout-form"' in page


def test_an_operator_reconciles_now_and_reads_each_check_in_chinese(client, earning):
    client.force_login(OperatorFactory())
    before = client.get(reverse("commissions:report")).content.decode()
    assert "python manage.py" not in before and "立即对账" in before
    LedgerAccount.objects.filter(kind=AccountKind.RESELLER_WITHDRAWABLE, owner_id=earning.pk).update(balance_amount=1)

    response = client.post(reverse("commissions:reconcile_now"))

    assert response.status_code == 302 and response["Location"].endswith("/ops/money/#reconciliation")
    run = ReconciliationRun.objects.get()
    assert not run.ok and run.breaks["every cached balance equals the sum of its entries"]  # stored by its key
    page = client.get(reverse("commissions:report")).content.decode()
    assert "每个缓存余额都等于其分录之和" in page
    assert "every cached balance" not in page


def test_only_operators_reconcile_and_only_by_post(client):
    client.force_login(ResellerFactory().user)
    assert client.post(reverse("commissions:reconcile_now")).status_code == 302  # to the admin's log-in
    client.force_login(OperatorFactory())
    assert client.get(reverse("commissions:reconcile_now")).status_code == 405
    assert not ReconciliationRun.objects.exists()


def test_the_statement_says_in_chinese_what_each_movement_was_with_money_in_yuan(
    client, django_capture_on_commit_callbacks, settings
):
    from commissions.services.withdrawals import payout_batch_create, withdrawal_approve, withdrawal_request
    from orders.choices import Actor
    from orders.services.refunds import refund_decide, refund_request

    reseller = ResellerFactory()
    shop, sku = shop_selling(shop=ShopFactory(owner=reseller), price=12_900)
    order = place(shop=shop, sku=sku)
    with django_capture_on_commit_callbacks(execute=True):
        pay(order)
    line = order.lines.get()
    refund = refund_request(order_id=order.pk, line_id=line.pk, buyer=order.buyer, amount=2_900, reason="少发一件")
    with django_capture_on_commit_callbacks(execute=True):
        refund_decide(refund_id=refund.pk, approve=True, by=OperatorFactory(), actor_kind=Actor.OPERATOR)
    credit_withdrawable(reseller.pk, 50_000, "start")
    settings.PAYOUT_SANDBOX_FAILURE_RATE = 1
    withdrawal = withdrawal_request(reseller=reseller, amount=10_000)
    operator = OperatorFactory()
    withdrawal_approve(operator=operator, withdrawal_id=withdrawal.pk)
    with django_capture_on_commit_callbacks(execute=True):
        payout_batch_create(operator=operator)
    client.force_login(reseller.user)

    response = client.get(reverse("commissions:statement"))

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    said = {row[2] for row in rows[1:]} - {"test: settled commission"}  # the test's own credit keeps its own
    order_number = order.number
    assert said == {
        f"订单 {order_number}：店铺利润已赚取，售后期结束前冻结",
        f"订单 {order_number}：第 1 级佣金已赚取，售后期结束前冻结",
        f"订单 {order_number}：商品退款 ¥29.00，店铺利润相应扣减",
        f"订单 {order_number}：商品退款 ¥29.00，第 1 级佣金相应扣减",
        f"提现 #{withdrawal.pk} 已申请",
        f"提现 #{withdrawal.pk} 打款失败，金额退回可提现",
    }, said


def test_a_failed_payout_tells_the_reseller_why_in_chinese_only(client, settings, django_capture_on_commit_callbacks):
    from commissions.services.withdrawals import payout_batch_create, withdrawal_approve, withdrawal_request

    reseller = ResellerFactory()
    credit_withdrawable(reseller.pk, 100_000, "start")
    settings.PAYOUT_SANDBOX_FAILURE_RATE = 1
    operator = OperatorFactory()
    for amount in (10_000, 10_100, 10_200, 10_300, 10_400):  # the sandbox picks its reason by the reference
        withdrawal = withdrawal_request(reseller=reseller, amount=amount)
        withdrawal_approve(operator=operator, withdrawal_id=withdrawal.pk)
    with django_capture_on_commit_callbacks(execute=True):
        payout_batch_create(operator=operator)
    client.force_login(reseller.user)

    page = client.get(reverse("commissions:money")).content.decode()

    reasons = set(Withdrawal.objects.values_list("failure_reason", flat=True))
    assert all(reason and reason in page for reason in reasons)
    assert not any(re.search("[A-Za-z]", reason) for reason in reasons), reasons
