import threading

import pytest
from django.db import connection, transaction

from accounts.tests.factories import OperatorFactory
from commissions.choices import OPERATOR, WITHDRAWAL_TRANSITIONS, PayoutBatchStatus, WithdrawalStatus
from commissions.events import withdrawal_decided
from commissions.exceptions import (
    BelowMinimumWithdrawal,
    InsufficientBalance,
    InvalidTransition,
    ResellerNotActive,
    WithdrawalRefused,
)
from commissions.models import CommissionPlan, Withdrawal, WithdrawalStatusChange
from commissions.services.withdrawals import (
    payout_batch_create,
    payout_batch_pay,
    withdrawal_approve,
    withdrawal_reject,
    withdrawal_request,
)
from distribution.choices import ResellerStatus
from distribution.tests.factories import ResellerFactory
from ledger.choices import AccountKind
from ledger.selectors import ledger_balance_mismatches
from ledger.services import ledger_account
from sandbox.models import SandboxPayoutRecord
from sandbox.payouts import SANDBOX_FAILURE_REASONS
from socialshop.idempotency import Idempotency
from socialshop.models import Event

from .factories import balances, credit_withdrawable

pytestmark = pytest.mark.django_db


@pytest.fixture
def reseller():
    reseller = ResellerFactory()
    credit_withdrawable(reseller.pk, 50_000, "start")  # ¥500.00
    return reseller


def test_a_request_reserves_the_amount_at_once(reseller):
    withdrawal = withdrawal_request(reseller=reseller, amount=20_000)

    assert withdrawal.status == WithdrawalStatus.REQUESTED
    assert balances(reseller.pk) == {"withdrawable": 30_000, "pending": 20_000}
    assert [(change.to_status, change.actor) for change in withdrawal.status_changes.all()] == [
        (WithdrawalStatus.REQUESTED, reseller.user)
    ]


@pytest.mark.parametrize(
    "amount, error",
    [(999, BelowMinimumWithdrawal), (50_001, InsufficientBalance)],
    ids=["below the ¥10 minimum", "more than the balance"],
)
def test_refused_requests_change_nothing(reseller, amount, error):
    with pytest.raises(error) as refused:
        withdrawal_request(reseller=reseller, amount=amount)

    assert "amount" in refused.value.fields
    assert not Withdrawal.objects.exists()
    assert balances(reseller.pk) == {"withdrawable": 50_000, "pending": 0}


def test_a_negative_balance_blocks_every_withdrawal():
    reseller = ResellerFactory()
    credit_withdrawable(reseller.pk, 5_000, "a")
    withdrawal_request(reseller=reseller, amount=5_000)
    # a clawback after settlement took more than was left
    from ledger.services import ledger_post

    ledger_post(
        idempotency_key="clawback",
        description="clawback",
        debits=[(ledger_account(kind=AccountKind.RESELLER_WITHDRAWABLE, owner_id=reseller.pk), 3_000)],
        credits=[(ledger_account(kind=AccountKind.PLATFORM_COMMISSION_EXPENSE), 3_000)],
    )
    credit_withdrawable(reseller.pk, 2_500, "b")  # not enough to cover it

    with pytest.raises(InsufficientBalance):
        withdrawal_request(reseller=reseller, amount=1_000)


def test_a_frozen_reseller_cannot_withdraw(reseller):
    reseller.status = ResellerStatus.FROZEN
    reseller.save(update_fields=["status"])

    with pytest.raises(ResellerNotActive):
        withdrawal_request(reseller=reseller, amount=10_000)


def test_the_fee_is_kept_from_what_is_sent(reseller):
    CommissionPlan.objects.create(withdrawal_fee_amount=100, withdrawal_fee_bps=60, note="fees")

    withdrawal = withdrawal_request(reseller=reseller, amount=10_000)

    assert withdrawal.fee_amount == 100 + 60
    assert withdrawal.net_amount == 9_840


def test_rejecting_returns_the_money_and_needs_a_reason(reseller):
    withdrawal = withdrawal_request(reseller=reseller, amount=20_000)
    operator = OperatorFactory()

    with pytest.raises(WithdrawalRefused):
        withdrawal_reject(operator=operator, withdrawal_id=withdrawal.pk, reason="  ")
    withdrawal_reject(operator=operator, withdrawal_id=withdrawal.pk, reason="银行卡信息不符")

    withdrawal.refresh_from_db()
    assert withdrawal.status == WithdrawalStatus.REJECTED and withdrawal.failure_reason == "银行卡信息不符"
    assert balances(reseller.pk) == {"withdrawable": 50_000, "pending": 0}
    assert withdrawal.status_changes.last().actor == operator


def test_an_approved_withdrawal_is_paid_once_in_a_batch(reseller, django_capture_on_commit_callbacks):
    CommissionPlan.objects.create(withdrawal_fee_amount=200, note="fee")
    withdrawal = withdrawal_request(reseller=reseller, amount=20_000)
    operator = OperatorFactory()
    withdrawal_approve(operator=operator, withdrawal_id=withdrawal.pk)

    with django_capture_on_commit_callbacks(execute=True):  # the batch task runs after commit
        batch = payout_batch_create(operator=operator)
    assert payout_batch_pay(batch_id=batch.pk) == 0  # a second run finds nothing to send

    withdrawal.refresh_from_db()
    batch.refresh_from_db()
    assert withdrawal.status == WithdrawalStatus.PAID and withdrawal.paid_at
    assert batch.status == PayoutBatchStatus.DONE
    assert SandboxPayoutRecord.objects.get().amount == 19_800
    assert balances(reseller.pk) == {"withdrawable": 30_000, "pending": 0}
    assert ledger_account(kind=AccountKind.PLATFORM_PAYOUT_CLEARING).balance_amount == 19_800
    assert ledger_account(kind=AccountKind.PLATFORM_REVENUE).balance_amount == 200
    assert ledger_balance_mismatches() == []


def test_a_failed_payout_returns_the_money_and_says_why(reseller, settings, django_capture_on_commit_callbacks):
    settings.PAYOUT_SANDBOX_FAILURE_RATE = 1.0
    withdrawal = withdrawal_request(reseller=reseller, amount=20_000)
    operator = OperatorFactory()
    withdrawal_approve(operator=operator, withdrawal_id=withdrawal.pk)

    with django_capture_on_commit_callbacks(execute=True):
        payout_batch_create(operator=operator)

    withdrawal.refresh_from_db()
    assert withdrawal.status == WithdrawalStatus.FAILED
    assert withdrawal.failure_reason in SANDBOX_FAILURE_REASONS  # what the provider said, shown to the reseller
    assert balances(reseller.pk) == {"withdrawable": 50_000, "pending": 0}


def test_only_declared_moves_are_allowed(reseller):
    withdrawal = withdrawal_request(reseller=reseller, amount=20_000)
    operator = OperatorFactory()
    withdrawal_reject(operator=operator, withdrawal_id=withdrawal.pk, reason="no")

    with pytest.raises(InvalidTransition) as refused:
        withdrawal_approve(operator=operator, withdrawal_id=withdrawal.pk)

    assert refused.value.extra["current_state"] == WithdrawalStatus.REJECTED
    assert balances(reseller.pk)["withdrawable"] == 50_000  # the reject's return happened once


OPERATOR_MOVES = {
    WithdrawalStatus.APPROVED: lambda operator, pk: withdrawal_approve(operator=operator, withdrawal_id=pk),
    WithdrawalStatus.REJECTED: lambda operator, pk: withdrawal_reject(operator=operator, withdrawal_id=pk, reason="no"),
}


@pytest.mark.parametrize("target", list(OPERATOR_MOVES))
@pytest.mark.parametrize("start", WithdrawalStatus.values)
def test_an_operator_decides_exactly_where_the_table_lets_it(reseller, start, target):
    withdrawal = withdrawal_request(reseller=reseller, amount=20_000)
    Withdrawal.objects.filter(pk=withdrawal.pk).update(status=start)
    operator = OperatorFactory()
    allowed = OPERATOR in WITHDRAWAL_TRANSITIONS.get((start, target), ())

    if allowed:
        OPERATOR_MOVES[target](operator, withdrawal.pk)
    else:
        with pytest.raises(InvalidTransition) as refused:
            OPERATOR_MOVES[target](operator, withdrawal.pk)
        assert refused.value.extra["current_state"] == start

    withdrawal.refresh_from_db()
    assert withdrawal.status == (target if allowed else start)
    assert list(
        WithdrawalStatusChange.objects.filter(withdrawal=withdrawal).values_list("from_status", "to_status")
    ) == [
        ("", WithdrawalStatus.REQUESTED),
        *([(start, target)] if allowed else []),
    ]
    assert Event.objects.filter(type=withdrawal_decided).count() == (1 if allowed else 0)


def _decisions(withdrawal):
    return [
        (event.aggregate_type, event.aggregate_id, event.payload)
        for event in Event.objects.filter(type=withdrawal_decided, aggregate_id=withdrawal.pk).order_by("pk")
    ]


def _decided(withdrawal, status):
    payload = {
        "withdrawal_id": withdrawal.pk,
        "reseller_id": withdrawal.reseller_id,
        "status": status,
        "amount": 20_000,
    }
    return ("withdrawal", withdrawal.pk, payload)


@pytest.mark.parametrize("fails", [False, True], ids=["paid", "payout failed"])
def test_each_decision_writes_withdrawal_decided_and_batching_does_not(
    reseller, settings, django_capture_on_commit_callbacks, fails
):
    settings.PAYOUT_SANDBOX_FAILURE_RATE = 1.0 if fails else 0.0
    withdrawal = withdrawal_request(reseller=reseller, amount=20_000)
    operator = OperatorFactory()
    withdrawal_approve(operator=operator, withdrawal_id=withdrawal.pk)
    with django_capture_on_commit_callbacks(execute=True):
        payout_batch_create(operator=operator)

    outcome = WithdrawalStatus.FAILED if fails else WithdrawalStatus.PAID
    assert _decisions(withdrawal) == [
        _decided(withdrawal, WithdrawalStatus.APPROVED),
        _decided(withdrawal, outcome),
    ]


def test_a_rejection_writes_withdrawal_decided_with_the_change_or_not_at_all(reseller):
    withdrawal = withdrawal_request(reseller=reseller, amount=20_000)
    operator = OperatorFactory()

    with pytest.raises(RuntimeError), transaction.atomic():
        withdrawal_reject(operator=operator, withdrawal_id=withdrawal.pk, reason="no")
        raise RuntimeError("the caller's transaction rolls back")
    assert _decisions(withdrawal) == []

    withdrawal_reject(operator=operator, withdrawal_id=withdrawal.pk, reason="no")
    assert _decisions(withdrawal) == [_decided(withdrawal, WithdrawalStatus.REJECTED)]


def _in_threads(count, work):
    barrier = threading.Barrier(count)
    outcomes = []

    def run():
        try:
            barrier.wait()
            outcomes.append(work())
        except Exception as error:  # noqa: BLE001 - the outcome is what the test checks
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_cannot_spend_the_same_money_twice(reseller):
    outcomes = _in_threads(5, lambda: withdrawal_request(reseller=reseller, amount=30_000))

    assert sum(isinstance(outcome, Withdrawal) for outcome in outcomes) == 1
    assert all(isinstance(outcome, (Withdrawal, InsufficientBalance)) for outcome in outcomes)
    assert balances(reseller.pk) == {"withdrawable": 20_000, "pending": 30_000}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_paying_one_batch_pay_each_withdrawal_once(celery_live):
    # celery_live: the batch's task goes to the broker and waits there, unrun
    operator = OperatorFactory()
    resellers = [ResellerFactory() for _ in range(6)]
    for reseller in resellers:
        credit_withdrawable(reseller.pk, 10_000, str(reseller.pk))
        withdrawal = withdrawal_request(reseller=reseller, amount=10_000)
        withdrawal_approve(operator=operator, withdrawal_id=withdrawal.pk)
    batch = payout_batch_create(operator=operator)
    assert not SandboxPayoutRecord.objects.exists()

    outcomes = _in_threads(2, lambda: payout_batch_pay(batch_id=batch.pk))

    assert all(isinstance(sent, int) for sent in outcomes) and sum(outcomes) == 6  # each item sent by one of them
    assert SandboxPayoutRecord.objects.count() == 6
    assert Withdrawal.objects.filter(status=WithdrawalStatus.PAID).count() == 6
    for reseller in resellers:
        assert balances(reseller.pk) == {"withdrawable": 0, "pending": 0}
    assert ledger_account(kind=AccountKind.PLATFORM_PAYOUT_CLEARING).balance_amount == 60_000


def test_a_provider_outage_leaves_the_money_reserved_and_the_resume_sweep_pays_later(
    reseller, settings, django_capture_on_commit_callbacks
):
    from commissions.tasks import payout_batches_resume_task

    operator = OperatorFactory()
    withdrawal = withdrawal_request(reseller=reseller, amount=20_000)
    withdrawal_approve(operator=operator, withdrawal_id=withdrawal.pk)
    settings.PAYOUT_SANDBOX_OUTAGE = True
    with django_capture_on_commit_callbacks(execute=True):
        payout_batch_create(operator=operator)

    withdrawal.refresh_from_db()
    assert withdrawal.status == WithdrawalStatus.PAYING  # nothing known: neither paid nor failed
    assert balances(reseller.pk) == {"withdrawable": 30_000, "pending": 20_000}

    settings.PAYOUT_SANDBOX_OUTAGE = False
    assert payout_batches_resume_task.delay().get() == 1

    withdrawal.refresh_from_db()
    assert withdrawal.status == WithdrawalStatus.PAID
    assert balances(reseller.pk) == {"withdrawable": 30_000, "pending": 0}
    assert payout_batches_resume_task.delay().get() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_five_concurrent_retries_with_one_key_make_one_withdrawal(reseller):
    retry = Idempotency(
        user_id=reseller.user_id, key="retry-me", digest="the same request", answer=lambda made: {"id": made.pk}
    )

    outcomes = _in_threads(
        5, lambda: withdrawal_request(reseller=reseller, amount=10_000, idempotency=retry).body["id"]
    )

    assert len(set(outcomes)) == 1 and isinstance(outcomes[0], int), outcomes
    assert Withdrawal.objects.count() == 1
    assert balances(reseller.pk) == {"withdrawable": 40_000, "pending": 10_000}
