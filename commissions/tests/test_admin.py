import re

import pytest
from django.urls import reverse

from accounts.tests.factories import OperatorFactory
from commissions.choices import WithdrawalStatus
from commissions.models import Withdrawal
from commissions.services.withdrawals import withdrawal_request
from distribution.tests.factories import ResellerFactory

from .factories import balances, credit_withdrawable

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:commissions_withdrawal_changelist")


@pytest.fixture
def requested():
    withdrawals = []
    for _ in range(3):
        reseller = ResellerFactory()
        credit_withdrawable(reseller.pk, 20_000, str(reseller.pk))
        withdrawals.append(withdrawal_request(reseller=reseller, amount=15_000))
    return withdrawals


def _act(client, action, withdrawals, **extra):
    return client.post(CHANGELIST, {"action": action, "_selected_action": [w.pk for w in withdrawals], **extra})


def test_an_operator_rejects_in_bulk_with_a_reason(client, requested):
    operator = OperatorFactory()
    client.force_login(operator)

    confirm = _act(client, "reject", requested)
    assert confirm.status_code == 200  # the page asking why
    without_reason = _act(client, "reject", requested, apply="1", reason="")
    assert without_reason.status_code == 200 and without_reason.context["form"].errors
    done = _act(client, "reject", requested, apply="1", reason="资料不全")

    assert done.status_code == 302
    for withdrawal in requested:
        withdrawal.refresh_from_db()
        assert withdrawal.status == WithdrawalStatus.REJECTED and withdrawal.failure_reason == "资料不全"
        assert withdrawal.status_changes.last().actor == operator
        assert balances(withdrawal.reseller_id) == {"withdrawable": 20_000, "pending": 0}


def test_an_operator_approves_then_pays_a_batch(client, requested, django_capture_on_commit_callbacks):
    client.force_login(OperatorFactory())
    _act(client, "approve", requested[:2], apply="1", reason="")

    with django_capture_on_commit_callbacks(execute=True):
        response = _act(client, "pay_in_a_batch", requested)  # the third is not approved: left alone

    assert response.status_code == 302
    statuses = dict(Withdrawal.objects.values_list("pk", "status"))
    assert [statuses[w.pk] for w in requested] == [
        WithdrawalStatus.PAID,
        WithdrawalStatus.PAID,
        WithdrawalStatus.REQUESTED,
    ]
    batch_page = client.get(reverse("admin:commissions_payoutbatch_changelist"))
    assert batch_page.status_code == 200


def test_the_confirmation_shows_each_withdrawal_in_yuan(client):
    reseller = ResellerFactory()
    credit_withdrawable(reseller.pk, 20_000, "yuan")
    withdrawal = withdrawal_request(reseller=reseller, amount=1_000)
    client.force_login(OperatorFactory())

    page = _act(client, "approve", [withdrawal]).content.decode()

    (line,) = re.findall(rf"<li>#{withdrawal.pk} · .*?</li>", page)
    assert "¥10.00" in line
    assert "1000" not in line and "分" not in line


def test_a_withdrawal_and_a_commission_read_in_yuan_in_the_admin(client):
    reseller = ResellerFactory()
    credit_withdrawable(reseller.pk, 20_000, "yuan")
    withdrawal = withdrawal_request(reseller=reseller, amount=12_345)
    client.force_login(OperatorFactory())

    listed = client.get(CHANGELIST).content.decode()
    shown = client.get(reverse("admin:commissions_withdrawal_change", args=[withdrawal.pk])).content.decode()

    assert "¥123.45" in listed
    assert "¥123.45" in shown and "12345" not in shown
    assert 'name="amount"' not in shown  # read, never edited
