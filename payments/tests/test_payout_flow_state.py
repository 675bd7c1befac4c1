"""Random sequences of withdrawals paid out through the fake WeChat Pay and
Alipay and by hand to a bank card: transfers sent (and sent again, as a
worker that died would), accepted, failed or expired at WeChat, their
notifications lost, late, replayed; the sweep asking and cancelling what
waited too long; Alipay refusing a payee's name; an operator paying a card.
After every step: the ledger balances, reconcile's withdrawal checks find
nothing, every reseller's money is withdrawable, pending or paid (never
lost, never made up), and what the fakes paid is what we recorded, no more
(a transfer the fake paid whose notification is still on its way is
pending on our side, never failed)."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from accounts.choices import WechatApp
from accounts.models import WechatIdentity
from accounts.tests.factories import OperatorFactory
from commissions.choices import PayoutAccountKind, PayoutItemOutcome, WithdrawalStatus
from commissions.models import PayoutItem, Withdrawal
from commissions.providers import payout_provider
from commissions.reconciliation import check_no_withdrawal_paid_twice, check_withdrawals_match_the_ledger
from commissions.services.payout_accounts import payout_account_add, payout_account_info
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
from ledger.selectors import ledger_balance_mismatches, ledger_unbalanced_transactions
from socialshop.errors import DomainError

from .fixtures import _reset, deliver_to

pytestmark = pytest.mark.django_db

START = 300_000  # each reseller's withdrawable money, fen
KINDS = [PayoutAccountKind.WECHAT, PayoutAccountKind.ALIPAY, PayoutAccountKind.BANK]
REACHED: set[str] = set()


def bill_no(item: PayoutItem) -> str:
    return item.reference.replace("-", "")


class PayoutFlow(RuleBasedStateMachine):
    wechat = alipay = client = None  # set by the test

    def __init__(self):
        super().__init__()
        self.savepoint = transaction.savepoint()
        _reset(self.wechat)
        _reset(self.alipay)
        self.wechat.deliver = deliver_to(self.client)
        self.operator = OperatorFactory()
        self.resellers = {}
        for kind in KINDS:
            reseller = ResellerFactory()
            credit_withdrawable(reseller.pk, START, f"flow-{reseller.pk}")
            if kind == PayoutAccountKind.WECHAT:
                WechatIdentity.objects.create(
                    user=reseller.user, app=WechatApp.OFFICIAL_ACCOUNT, app_id=self.wechat.appid, openid="oFlowPayee01"
                )
                payout_account_add(reseller=reseller, kind=kind, real_name="王五")
            elif kind == PayoutAccountKind.ALIPAY:
                self.alipay.payees["13900139000"] = "赵六"
                payout_account_add(reseller=reseller, kind=kind, account="13900139000", real_name="赵六")
            else:
                payout_account_add(
                    reseller=reseller, kind=kind, account="6222020200112233445", real_name="孙七", bank_name="建设银行"
                )
            self.resellers[kind] = reseller
        # every example starts with one payout sent to each kind of account, so that what follows a
        # transfer (accepted, expired, lost, swept, paid by hand) is reachable from the first steps
        for kind in KINDS:
            withdrawal_request(reseller=self.resellers[kind], amount=20_000)
        self.operators_approve_and_pay_a_batch()

    def teardown(self):
        transaction.savepoint_rollback(self.savepoint)

    def _items(self, kind: str, outcome: str) -> list[PayoutItem]:
        return list(PayoutItem.objects.filter(withdrawal__payout_account__kind=kind, outcome=outcome).order_by("pk"))

    def _waiting_bills(self) -> list[str]:
        return sorted(no for no, bill in self.wechat.transfers.items() if bill.state == "WAIT_USER_CONFIRM")

    # --- resellers and operators ------------------------------------------------------------------

    @rule(kind=st.sampled_from(KINDS), amount=st.integers(1_000, 250_000))
    def a_reseller_asks_to_withdraw(self, kind, amount):
        try:
            withdrawal_request(reseller=self.resellers[kind], amount=amount)
        except DomainError:
            REACHED.add("refused")

    @rule()
    def operators_approve_and_pay_a_batch(self):
        for withdrawal_id in Withdrawal.objects.filter(status=WithdrawalStatus.REQUESTED).values_list("pk", flat=True):
            withdrawal_approve(operator=self.operator, withdrawal_id=withdrawal_id)
        batch = payout_batch_create(operator=self.operator)
        if batch is not None:
            payout_batch_pay(batch_id=batch.pk)

    @rule(index=st.integers(0, 5))
    def a_dead_workers_retry_sends_again(self, index):
        """A payout sent before (whatever became of it) asked again with its reference: never a second one."""
        items = list(
            PayoutItem.objects.exclude(outcome=PayoutItemOutcome.UNSENT).select_related("withdrawal__payout_account")
        )
        if not items:
            return
        item = items[index % len(items)]
        try:
            payout_provider().payout_send(
                reference=item.reference,
                reseller_id=item.withdrawal.reseller_id,
                amount=item.amount,
                account=payout_account_info(item.withdrawal.payout_account),
            )
        except DomainError:
            pass
        REACHED.add("sent again")

    @rule(index=st.integers(0, 5))
    def an_operator_pays_a_card_by_hand(self, index):
        items = self._items(PayoutAccountKind.BANK, PayoutItemOutcome.PENDING)
        if items:
            item = items[index % len(items)]
            withdrawal_mark_paid(operator=self.operator, withdrawal_id=item.withdrawal_id, reason=f"BANK{item.pk}")
            REACHED.add("bank paid")

    @rule(matches=st.booleans())
    def alipay_knows_the_payee_by(self, matches):
        self.alipay.payees["13900139000"] = "赵六" if matches else "赵六六"

    # --- WeChat and its notifications ---------------------------------------------------------------

    def _finish(self, index: int, outcome: str) -> None:
        waiting = self._waiting_bills()
        if not waiting:
            return
        no = waiting[index % len(waiting)]
        if outcome == "accept":
            self.wechat.transfer_confirm_by_payee(no)
        elif outcome == "expire":
            self.wechat.transfer_expire(no)
        else:
            self.wechat.transfer_finish(no, "FAIL", "ACCOUNT_FROZEN")
        REACHED.add(f"wechat {outcome}")

    @rule(index=st.integers(0, 5))
    def the_payee_accepts_in_wechat(self, index):
        self._finish(index, "accept")

    @rule(index=st.integers(0, 5))
    def nobody_accepts_in_time(self, index):
        self._finish(index, "expire")

    @rule(index=st.integers(0, 5))
    def wechat_fails_a_transfer(self, index):
        self._finish(index, "fail")

    @rule(on=st.booleans())
    def notifications_get_through(self, on):
        self.wechat.notify = on

    @rule()
    def held_notifications_arrive_late(self):
        self.wechat.release()

    @rule(index=st.integers(0, 9))
    def wechat_repeats_a_notification(self, index):
        delivered = [sent for sent in self.wechat.sent if sent.status is not None]
        if delivered:
            sent = delivered[index % len(delivered)]
            assert self.wechat.deliver(sent.url, sent.body, sent.headers) in (204, 404)

    @rule(overdue=st.booleans())
    def the_sweep_runs(self, overdue):
        if overdue:  # a day later: every transfer still waiting is past its window
            PayoutItem.objects.filter(outcome=PayoutItemOutcome.PENDING).exclude(confirm_until=None).update(
                confirm_until=timezone.now() - timedelta(minutes=1)
            )
        if payout_items_pending_settle():
            REACHED.add("swept")

    # --- what must hold after every step -------------------------------------------------------------

    @invariant()
    def the_ledger_balances(self):
        assert ledger_unbalanced_transactions() == []
        assert ledger_balance_mismatches() == []

    @invariant()
    def reconcile_finds_nothing_in_withdrawals(self):
        assert check_withdrawals_match_the_ledger() == []
        assert check_no_withdrawal_paid_twice() == []

    @invariant()
    def money_is_withdrawable_pending_or_paid(self):
        for reseller in self.resellers.values():
            paid = sum(
                Withdrawal.objects.filter(reseller=reseller, status=WithdrawalStatus.PAID).values_list(
                    "amount", flat=True
                )
            )
            held = balances(reseller.pk)
            assert held["withdrawable"] + held["pending"] + paid == START
            assert held["pending"] == sum(
                Withdrawal.objects.filter(
                    reseller=reseller,
                    status__in=[WithdrawalStatus.REQUESTED, WithdrawalStatus.APPROVED, WithdrawalStatus.PAYING],
                ).values_list("amount", flat=True)
            )

    @invariant()
    def what_the_fakes_paid_is_what_we_recorded(self):
        ours = {
            kind: {bill_no(item): item.amount for item in self._items(kind, PayoutItemOutcome.PAID)}
            for kind in (PayoutAccountKind.WECHAT, PayoutAccountKind.ALIPAY)
        }
        wechat_paid = {no: bill.amount for no, bill in self.wechat.transfers.items() if bill.state == "SUCCESS"}
        alipay_paid = {no: int(transfer.amount * 100) for no, transfer in self.alipay.transfers.items()}
        assert alipay_paid == ours[PayoutAccountKind.ALIPAY]
        assert ours[PayoutAccountKind.WECHAT].items() <= wechat_paid.items()
        # paid there, not yet here: its notification is on its way, so it is pending (never failed)
        pending = {bill_no(item) for item in self._items(PayoutAccountKind.WECHAT, PayoutItemOutcome.PENDING)}
        assert set(wechat_paid) - set(ours[PayoutAccountKind.WECHAT]) <= pending
        failed_there = {no for no, bill in self.wechat.transfers.items() if bill.state in ("FAIL", "CANCELLED")}
        assert not failed_there & set(ours[PayoutAccountKind.WECHAT])
        assert all(bill.amount < 200_000 or bill.user_name == "王五" for bill in self.wechat.transfers.values())


@pytest.mark.timeout(900)
def test_random_payout_flows_through_the_fakes_keep_every_rule(payout_rails, client):
    PayoutFlow.wechat, PayoutFlow.alipay = payout_rails
    PayoutFlow.client = client
    run_state_machine_as_test(
        PayoutFlow,
        settings=hypothesis_settings(
            max_examples=8,
            stateful_step_count=25,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    # the sequences reached these, not only refusals
    assert {"wechat accept", "sent again", "bank paid", "swept"} <= REACHED, REACHED
