"""Income tax withheld from withdrawals (预扣个税): computed once when the
withdrawal is requested, held in the ledger's tax payable, sent net, given
back whole when the withdrawal is rejected or its payout fails, and proven
by reconcile."""

import csv
import io
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from accounts.tests.factories import OperatorFactory
from commissions.choices import WithdrawalStatus
from commissions.exceptions import BelowMinimumWithdrawal
from commissions.models import CommissionPlan, Withdrawal
from commissions.reconciliation import check_withheld_tax_matches_the_ledger, reconcile
from commissions.services.withdrawals import (
    payout_batch_create,
    withdrawal_approve,
    withdrawal_reject,
    withdrawal_request,
)
from distribution.tests.factories import ResellerFactory
from ledger.choices import AccountKind
from ledger.services import ledger_account
from sandbox.models import SandboxPayoutRecord

from .factories import balances, credit_withdrawable

pytestmark = pytest.mark.django_db


def _tax_payable() -> int:
    return ledger_account(kind=AccountKind.PLATFORM_TAX_PAYABLE).balance_amount


@pytest.fixture
def reseller():
    reseller = ResellerFactory()
    credit_withdrawable(reseller.pk, 5_000_000, "start")  # ¥50,000.00
    return reseller


@pytest.fixture
def flat_20(settings):
    settings.WITHHOLDING_RULE = "flat"
    settings.WITHHOLDING_FLAT_RATE_BPS = 2_000


def test_by_default_nothing_is_withheld(reseller):
    withdrawal = withdrawal_request(reseller=reseller, amount=100_000)

    assert (withdrawal.tax_amount, withdrawal.tax_rule, withdrawal.net_amount) == (0, "off", 100_000)
    assert _tax_payable() == 0


def test_a_flat_rate_is_withheld_when_requested_and_the_payout_sends_the_net(
    reseller, flat_20, django_capture_on_commit_callbacks
):
    CommissionPlan.objects.create(withdrawal_fee_amount=200, note="fee")
    withdrawal = withdrawal_request(reseller=reseller, amount=100_000)  # ¥1,000

    assert (withdrawal.tax_amount, withdrawal.fee_amount, withdrawal.net_amount) == (20_000, 200, 79_800)
    # the reseller's balance goes down by the whole amount; the tax is held for the tax office
    assert balances(reseller.pk) == {"withdrawable": 4_900_000, "pending": 80_000}
    assert _tax_payable() == 20_000

    operator = OperatorFactory()
    withdrawal_approve(operator=operator, withdrawal_id=withdrawal.pk)
    with django_capture_on_commit_callbacks(execute=True):
        payout_batch_create(operator=operator)

    withdrawal.refresh_from_db()
    assert withdrawal.status == WithdrawalStatus.PAID
    assert SandboxPayoutRecord.objects.get().amount == 79_800  # what reaches the reseller
    assert balances(reseller.pk) == {"withdrawable": 4_900_000, "pending": 0}
    assert _tax_payable() == 20_000
    assert ledger_account(kind=AccountKind.PLATFORM_PAYOUT_CLEARING).balance_amount == 79_800
    assert all(result.ok for result in reconcile()), [r.breaks for r in reconcile() if not r.ok]


def test_a_rejected_withdrawal_gives_the_tax_back_with_the_money(reseller, flat_20):
    withdrawal = withdrawal_request(reseller=reseller, amount=100_000)

    withdrawal_reject(operator=OperatorFactory(), withdrawal_id=withdrawal.pk, reason="信息不符")

    assert balances(reseller.pk) == {"withdrawable": 5_000_000, "pending": 0}
    assert _tax_payable() == 0
    assert check_withheld_tax_matches_the_ledger() == []


def test_a_failed_payout_gives_the_tax_back_with_the_money(
    reseller, flat_20, settings, django_capture_on_commit_callbacks
):
    settings.PAYOUT_SANDBOX_FAILURE_RATE = 1.0
    withdrawal = withdrawal_request(reseller=reseller, amount=100_000)
    operator = OperatorFactory()
    withdrawal_approve(operator=operator, withdrawal_id=withdrawal.pk)

    with django_capture_on_commit_callbacks(execute=True):
        payout_batch_create(operator=operator)

    withdrawal.refresh_from_db()
    assert withdrawal.status == WithdrawalStatus.FAILED
    assert balances(reseller.pk) == {"withdrawable": 5_000_000, "pending": 0}
    assert _tax_payable() == 0
    assert all(result.ok for result in reconcile())


def test_the_labour_table_withholds_on_the_months_total(reseller, settings):
    settings.WITHHOLDING_RULE = "labour"

    first = withdrawal_request(reseller=reseller, amount=300_000)  # ¥3,000: (3000 − 800) × 20 % = ¥440
    second = withdrawal_request(reseller=reseller, amount=100_000)  # month ¥4,000: ¥640 in all, so ¥200

    assert (first.tax_amount, second.tax_amount) == (44_000, 20_000)
    assert first.tax_period == second.tax_period and first.tax_period.day == 1
    assert _tax_payable() == 64_000


def test_a_returned_withdrawal_leaves_the_months_total(reseller, settings):
    settings.WITHHOLDING_RULE = "labour"
    first = withdrawal_request(reseller=reseller, amount=300_000)
    withdrawal_reject(operator=OperatorFactory(), withdrawal_id=first.pk, reason="重新申请")

    again = withdrawal_request(reseller=reseller, amount=300_000)

    assert again.tax_amount == 44_000  # as if the rejected one had never been asked for


def test_a_tax_that_would_leave_nothing_to_send_is_refused(reseller, settings):
    settings.WITHHOLDING_RULE = "flat"
    settings.WITHHOLDING_FLAT_RATE_BPS = 10_000

    with pytest.raises(BelowMinimumWithdrawal) as refused:
        withdrawal_request(reseller=reseller, amount=100_000)

    assert "amount" in refused.value.fields
    assert not Withdrawal.objects.exists() and _tax_payable() == 0


def test_reconcile_names_a_withdrawal_whose_tax_is_not_in_the_ledger(reseller, flat_20):
    withdrawal = withdrawal_request(reseller=reseller, amount=100_000)
    Withdrawal.objects.filter(pk=withdrawal.pk).update(tax_amount=19_000)  # its row edited behind the ledger's back

    assert check_withheld_tax_matches_the_ledger() == [
        f"提现 {withdrawal.pk}（已申请）应预扣个税 ¥190.00，账本中应交税费为 ¥200.00",
        "应交个税账户余额为 ¥200.00，但提现预扣合计为 ¥190.00",
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_in_one_month_withhold_the_months_tax_exactly_once(settings):
    settings.WITHHOLDING_RULE = "labour"
    reseller = ResellerFactory()
    credit_withdrawable(reseller.pk, 5_000_000, "start")
    barrier = threading.Barrier(4)
    errors = []

    def run():
        try:
            barrier.wait()
            withdrawal_request(reseller=reseller, amount=300_000)
        except Exception as error:  # noqa: BLE001 - the test checks there is none
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    # ¥12,000 in the month: 12000 × 80 % × 20 % = ¥1,920, however the four requests interleaved
    assert sum(Withdrawal.objects.values_list("tax_amount", flat=True)) == 192_000 == _tax_payable()


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8"))))


def test_operators_export_the_tax_withheld_per_reseller_for_the_month(
    client, flat_20, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    paid_one, waiting_one = ResellerFactory(), ResellerFactory()
    for someone in (paid_one, waiting_one):
        credit_withdrawable(someone.pk, 1_000_000, str(someone.pk))
    operator = OperatorFactory()
    first = withdrawal_request(reseller=paid_one, amount=100_000)
    rejected = withdrawal_request(reseller=paid_one, amount=50_000)
    withdrawal_reject(operator=operator, withdrawal_id=rejected.pk, reason="重复申请")
    withdrawal_request(reseller=waiting_one, amount=30_000)
    withdrawal_approve(operator=operator, withdrawal_id=first.pk)
    with django_capture_on_commit_callbacks(execute=True):
        payout_batch_create(operator=operator)
    client.force_login(operator)

    with django_assert_max_num_queries(4):  # the session, the operator, one grouped query
        response = client.get(reverse("commissions:withheld_tax"), {"month": first.tax_period.strftime("%Y-%m")})
        rows = _csv(response)

    assert rows[0][0] == "\ufeff所属月份" and rows[0][6] == "已预扣个税（元）"  # a BOM: Excel reads UTF-8
    month = first.tax_period.strftime("%Y-%m")
    assert [row[0] for row in rows[1:]] == [month, month]
    assert [row[3:] for row in rows[1:]] == [
        [paid_one.invite_code, "1", "1000.00", "200.00", "800.00", "0.00"],  # the rejected one gave its tax back
        [waiting_one.invite_code, "0", "0.00", "0.00", "0.00", "60.00"],
    ]
    assert response["Content-Disposition"] == f'attachment; filename="withheld-tax-{month}.csv"'


def test_the_export_refuses_what_is_not_a_month_and_people_who_are_not_operators(client):
    client.force_login(OperatorFactory())
    refused = client.get(reverse("commissions:withheld_tax"), {"month": "2026-13"})
    client.force_login(ResellerFactory().user)

    assert refused.status_code == 400 and refused.json()["code"] == "month_invalid"
    assert client.get(reverse("commissions:withheld_tax")).status_code == 302  # to the admin's log-in


def test_the_money_report_states_the_rule_and_what_is_held(client, flat_20):
    reseller = ResellerFactory()
    credit_withdrawable(reseller.pk, 100_000, "x")
    withdrawal_request(reseller=reseller, amount=100_000)
    client.force_login(OperatorFactory())

    page = client.get(reverse("commissions:report")).content.decode()

    assert "按固定比例预扣" in page and "¥200.00" in page and 'name="month"' in page


@pytest.mark.parametrize(
    "environment",
    [{"WITHHOLDING_RULE": "weekly"}, {"WITHHOLDING_RULE": "flat", "WITHHOLDING_FLAT_RATE_BPS": "12000"}],
    ids=["an unknown rule", "a rate over 100 %"],
)
def test_a_deployment_with_a_wrong_withholding_rule_refuses_to_start(environment):
    env = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG", "VIRTUAL_ENV"}}
    env.update(DJANGO_SETTINGS_MODULE="socialshop.settings.base", **environment)
    started = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert started.returncode != 0 and "WITHHOLDING_RULE is off, flat or labour" in started.stderr
