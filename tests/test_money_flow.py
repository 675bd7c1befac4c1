"""The whole money flow under random sequences (hypothesis RuleBasedStateMachine):
joins, orders paid in shops and through bindings, shipping and completion,
refunds partial and full before and after settlement, settlement sweeps as
time passes, withdrawals, operators' decisions, payout batches that
sometimes fail, tree moves and freezes. After every step, every rule of
DESIGN §5 that money touches is checked, and ``reconcile`` must pass."""

from collections import defaultdict
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Sum
from django.test import TestCase
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from accounts.tests.factories import OperatorFactory, UserFactory
from catalog.tests.factories import SkuFactory
from commissions.choices import CommissionKind, CommissionState, WithdrawalStatus
from commissions.models import Commission, SupplierPayable, Withdrawal
from commissions.reconciliation import reconcile
from commissions.selectors import commission_plan_in_effect
from commissions.services.settlement import commissions_settle_matured
from commissions.services.withdrawals import (
    payout_batch_create,
    withdrawal_approve,
    withdrawal_quote,
    withdrawal_reject,
    withdrawal_request,
)
from coupons.choices import CouponFunder, CouponKind
from coupons.tests.factories import claimed
from distribution.choices import BindingSource, ResellerStatus
from distribution.models import Reseller
from distribution.services import binding_touch, reseller_freeze, reseller_move, reseller_unfreeze
from distribution.tests.factories import ResellerFactory
from ledger.choices import AccountKind
from ledger.models import LedgerAccount
from ledger.selectors import ledger_unbalanced_transactions
from orders.choices import Actor
from orders.models import FulfilmentGroup, Order, OrderDiscount, OrderLine
from orders.services.fulfilment import fulfilment_ship
from orders.services.lifecycle import order_cancel, order_confirm_receipt, orders_auto_complete
from orders.services.placing import LineRequest, order_place
from orders.services.refunds import refund_decide, refund_request
from orders.tests.factories import an_address, pay
from shops.services import shop_pick_product
from shops.tests.factories import ShopFactory
from socialshop.errors import DomainError
from socialshop.events import event_consumers, events_unhandled
from socialshop.models import Event, EventReceipt, ReceiptStatus

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


# What the broker does with the wake-ups queued after each commit (the consumers of events, refund
# execution, payouts, the team-sales roll-up): delivers them at once ("live"), loses them ("down":
# only the beat sweeps recover), or holds them until the worker catches up ("behind").
BROKER = {"mode": "live", "held": []}


def committed(call):
    """Run a service as if its transaction committed: its after-commit work
    (the wake-ups of event consumers, refund execution, payouts) runs too,
    is lost, or waits, as the broker is live, down or behind."""
    live = BROKER["mode"] == "live"
    with TestCase.captureOnCommitCallbacks(execute=live) as callbacks:
        result = call()
    if BROKER["mode"] == "behind":
        BROKER["held"].extend(callbacks)
    return result


def sweeps_run():
    """What beat runs every few seconds: each event's consumers, the team
    sales roll-up, and the payout batches left open."""
    from commissions.tasks import payout_batches_resume_task
    from distribution.services import team_sales_roll_up
    from socialshop.events import events_sweep

    committed(events_sweep)
    committed(team_sales_roll_up)
    committed(payout_batches_resume_task)


PAID_ORDERS_CHECK = "every paid order's commissions are decided"
LAG_CHECKS = {
    PAID_ORDERS_CHECK,
    "every refund paid back has its reversal",
    "every completed order's commissions have a maturity date",
    "every event is handled by each of its consumers",
}


def attempt(call):
    try:
        return committed(call)
    except DomainError:
        return None  # refused with a clear error: fine, as long as the rules hold


REACHED: set[str] = set()  # the interesting states the examples reached, gathered before each is rolled back


class MoneyFlow(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        # each example starts from the same empty world: what one leaves behind is rolled back
        # in teardown, so a failure is the failing example's own and replays as it happened
        self.savepoint = transaction.savepoint()
        self.operator = OperatorFactory()
        self.sku = SkuFactory(stock=10_000)  # cost 50.00, list 100.00, shop prices 60.00–200.00
        self.resellers: list[int] = []
        self.order_ids: list[int] = []
        self.withdrawal_ids: list[int] = []
        self.expected: dict[int, dict[tuple[str, int], int]] = {}  # line → (kind, tier) → beneficiary
        self.now = timezone.now()
        # a chain to start from (root → its invitee → theirs), so that one freeze and one sale
        # already put a frozen upline in the way of a commission
        self._join(None, 10_000)
        self._join(self.resellers[-1], 12_000)
        self._join(self.resellers[-1], 15_000)
        # and a first sale settled, so that withdrawals have money to work with from the first step
        self._buy(self.resellers[0], 3, in_shop=True)
        self._ship_and_complete(Order.objects.get(pk=self.order_ids[-1]))
        self._time_passes(30)

    def teardown(self):
        # in the end the broker is back and the worker catches up: everything is made good, exactly once
        held, BROKER["held"] = BROKER["held"], []
        BROKER["mode"] = "live"
        for callback in held:
            committed(callback)
        sweeps_run()
        assert [(result.name, result.breaks[:3]) for result in reconcile() if not result.ok] == []
        commissions = Commission.objects.all()
        REACHED.update(
            name
            for name, reached in [
                ("settled", commissions.filter(state=CommissionState.SETTLED).exists()),
                ("clawed back", commissions.filter(clawed_back_amount__gt=0).exists()),
                ("cancelled", commissions.filter(state=CommissionState.CANCELLED).exists()),
            ]
            if reached
        )
        REACHED.update(Withdrawal.objects.values_list("status", flat=True))
        transaction.savepoint_rollback(self.savepoint)

    # --- the tree ------------------------------------------------------------

    def _join(self, inviter_id, price):
        inviter = Reseller.objects.get(pk=inviter_id) if inviter_id else None
        reseller = attempt(lambda: ResellerFactory(inviter=inviter))  # refused under a frozen inviter
        if reseller is None:
            return
        shop = ShopFactory(owner=reseller)
        shop_pick_product(shop=shop, product=self.sku.product, prices={self.sku.pk: price})
        self.resellers.append(reseller.pk)

    @rule(data=st.data(), price=st.integers(6_000, 20_000))
    def join(self, data, price):
        self._join(data.draw(st.sampled_from(self.resellers)), price)

    @rule(data=st.data())
    def move(self, data):
        who, under = data.draw(st.sampled_from(self.resellers)), data.draw(st.sampled_from([None, *self.resellers]))
        attempt(
            lambda: reseller_move(
                reseller=Reseller.objects.get(pk=who),
                new_inviter=Reseller.objects.get(pk=under) if under else None,
                actor=self.operator,
                reason="restructure",
            )
        )

    @rule(data=st.data(), freeze=st.booleans())
    def freeze_or_unfreeze(self, data, freeze):
        reseller = Reseller.objects.get(pk=data.draw(st.sampled_from(self.resellers)))
        service = reseller_freeze if freeze else reseller_unfreeze
        attempt(lambda: service(reseller=reseller, actor=self.operator, reason="review"))

    # --- orders ----------------------------------------------------------------

    @rule(
        data=st.data(),
        quantity=st.integers(1, 3),
        in_shop=st.booleans(),
        coupon=st.none()
        | st.fixed_dictionaries({"funder": st.sampled_from(CouponFunder.values), "off_amount": st.integers(1, 1_000)}),
    )
    def buy(self, data, quantity, in_shop, coupon):
        """Half the time with a no-threshold coupon (up to 10.00 off) funded by the platform, the SKU's
        supplier or the seller: its funder's discount account moves with the payment and the refunds
        (reconcile checks it)."""
        self._buy(data.draw(st.sampled_from(self.resellers)), quantity, in_shop, coupon=coupon)

    def _buy(self, seller_id, quantity, in_shop, coupon=None):
        seller = Reseller.objects.select_related("shop").get(pk=seller_id)
        buyer = UserFactory()
        if not in_shop:
            attempt(lambda: binding_touch(customer=buyer, reseller=seller, source=BindingSource.INVITE_CODE))
        line = LineRequest(self.sku.pk, quantity, seller.shop.slug if in_shop else None)
        coupon_ids = []
        if coupon is not None:
            funders = {"funder_supplier": self.sku.product.supplier, "funder_reseller": seller}
            coupon_ids = [
                claimed(
                    user=buyer,
                    kind=CouponKind.NO_THRESHOLD,
                    threshold_amount=0,
                    **coupon,
                    **{name: funders[name] for name in funders if name.endswith(coupon["funder"])},
                ).pk
            ]
        order = attempt(lambda: order_place(buyer=buyer, lines=[line], address=an_address(), coupon_ids=coupon_ids))
        if order is None:
            return
        self._record_expected_beneficiaries(order)  # the tree as it is when the payment is confirmed
        committed(lambda: pay(order))
        self.order_ids.append(order.pk)

    def _record_expected_beneficiaries(self, order):
        for line in OrderLine.objects.filter(order=order).select_related("attributed_reseller"):
            expected = {}
            seller = line.attributed_reseller
            if seller is not None and seller.status == ResellerStatus.ACTIVE:
                expected[(CommissionKind.TIER, 1)] = seller.pk
                if line.unit_price_amount > line.list_price_amount:
                    expected[(CommissionKind.MARKUP, 1)] = seller.pk
            if seller is not None and seller.inviter_id:
                inviter = Reseller.objects.get(pk=seller.inviter_id)
                if inviter.status == ResellerStatus.ACTIVE:
                    expected[(CommissionKind.TIER, 2)] = inviter.pk
            self.expected[line.pk] = expected

    @precondition(lambda self: self.order_ids)
    @rule(data=st.data())
    def ship_and_complete(self, data):
        self._ship_and_complete(Order.objects.get(pk=data.draw(st.sampled_from(self.order_ids))))

    def _ship_and_complete(self, order):
        for group in FulfilmentGroup.objects.filter(order=order, status="to_ship"):
            attempt(
                lambda group=group: fulfilment_ship(
                    fulfilment_id=group.pk,
                    supplier=group.supplier,
                    by=self.operator,
                    carrier="SF",
                    tracking_number="SF1234567890",
                )
            )
        attempt(lambda: order_confirm_receipt(order_id=order.pk, buyer=order.buyer))

    @precondition(lambda self: self.order_ids)
    @rule(data=st.data(), share=st.sampled_from([100, 100, 60, 33, 1]), approve=st.booleans())
    def refund(self, data, share, approve):
        settled = list(
            Commission.objects.filter(order_id__in=self.order_ids, state=CommissionState.SETTLED)
            .order_by("order_id")  # drawn from by position: the same list on a replay
            .values_list("order_id", flat=True)
        )  # half the time a settled order, when there is one: its refund is a clawback (扣回)
        line = OrderLine.objects.filter(order_id=data.draw(st.sampled_from(self.order_ids + settled * 3))).first()
        amount = max(1, line.paid_amount * share // 100)
        refund = attempt(
            lambda: refund_request(
                order_id=line.order_id, line_id=line.pk, buyer=line.order.buyer, amount=amount, reason="r"
            )
        )
        if refund is not None:
            attempt(
                lambda: refund_decide(refund_id=refund.pk, approve=approve, by=self.operator, actor_kind=Actor.OPERATOR)
            )

    @precondition(lambda self: self.order_ids)
    @rule(data=st.data())
    def buyer_cancels_before_shipping(self, data):
        """A paid order cancelled before it ships is refunded in full: its
        frozen commissions are cancelled (refused once a parcel has left)."""
        order = Order.objects.get(pk=data.draw(st.sampled_from(self.order_ids)))
        attempt(
            lambda: committed(
                lambda: order_cancel(
                    order_id=order.pk,
                    by=order.buyer,
                    actor_kind=Actor.BUYER,
                    reason="changed my mind",
                    buyer=order.buyer,
                )
            )
        )

    @rule(days=st.integers(3, 30))
    def time_passes_and_settlement_sweeps(self, days):
        self._time_passes(days)

    def _time_passes(self, days):
        self.now += timedelta(days=days)
        committed(lambda: orders_auto_complete(now=self.now))
        committed(lambda: commissions_settle_matured(now=self.now))

    # --- withdrawals -------------------------------------------------------------

    def _with_money(self) -> list[tuple[int, int]]:
        return list(
            LedgerAccount.objects.filter(
                kind=AccountKind.RESELLER_WITHDRAWABLE, owner_id__in=self.resellers, balance_amount__gte=2_000
            )
            .order_by("owner_id")  # drawn from by position: the same list on a replay
            .values_list("owner_id", "balance_amount")
        )

    @precondition(lambda self: self._with_money())  # drawn only once someone has money, so each example gets there
    @rule(
        data=st.data(),
        share=st.sampled_from([100, 60, 30, 120]),
        failing=st.booleans(),
        then=st.sampled_from(["wait", "approve", "reject", "approve and pay"]),
    )
    def withdraw(self, data, share, failing, then):
        """Ask for a share of what a reseller can withdraw (120%: more than it
        has, refused); a little less, so that what is sent ends in 13 fen, the
        sandbox will refuse to pay it, and it is paid out at once. An
        operator may decide at once (other rules decide later)."""
        reseller_id, balance = data.draw(st.sampled_from(self._with_money()))
        amount = max(1_000, balance * share // 100 // 100 * 100)
        if failing and amount > 1_100:
            # what the sandbox is sent (the net, after fee and tax withheld) ends in 13 fen, within the balance
            plan = commission_plan_in_effect(at=timezone.now())
            amount = next(
                smaller
                for smaller in range(amount - 1, amount - 200, -1)
                if withdrawal_quote(reseller_id=reseller_id, amount=smaller, plan=plan).net_amount % 100 == 13
            )
        withdrawal = attempt(lambda: withdrawal_request(reseller=Reseller.objects.get(pk=reseller_id), amount=amount))
        if withdrawal is None:
            return
        self.withdrawal_ids.append(withdrawal.pk)
        if failing:  # one the sandbox will refuse: paid out at once, so that its failure and the refund are reached
            then = "approve and pay"
        if then.startswith("approve"):
            attempt(lambda: withdrawal_approve(operator=self.operator, withdrawal_id=withdrawal.pk))
        if then == "reject":
            attempt(lambda: withdrawal_reject(operator=self.operator, withdrawal_id=withdrawal.pk, reason="no"))
        if then == "approve and pay":
            self.pay_out()

    @precondition(lambda self: self.withdrawal_ids)
    @rule(data=st.data(), approve=st.booleans())
    def decide(self, data, approve):
        withdrawal_id = data.draw(st.sampled_from(self.withdrawal_ids))
        if approve:
            attempt(lambda: withdrawal_approve(operator=self.operator, withdrawal_id=withdrawal_id))
        else:
            attempt(lambda: withdrawal_reject(operator=self.operator, withdrawal_id=withdrawal_id, reason="no"))

    @precondition(lambda self: self.withdrawal_ids)
    @rule()
    def pay_out(self):
        committed(lambda: payout_batch_create(operator=self.operator))

    # --- the broker and the worker --------------------------------------------------------

    @rule(change=st.sampled_from(["goes down", "falls behind", "comes back", "catches up"]))
    def the_broker_and_the_worker(self, change):
        """One rule (so the others keep their share of the steps):

        - the broker goes down: wake-ups queued from now on are lost (a Redis
          down, or restarted empty); only the sweeps will find the work;
        - the worker falls behind: wake-ups are queued, nobody takes them yet;
        - the broker comes back: beat's sweeps run;
        - the worker catches up: the held wake-ups run, late and in order,
          then beat sweeps."""
        if change == "goes down":
            BROKER["mode"] = "down"
        elif change == "falls behind":
            BROKER["mode"] = "behind"
        else:
            held, BROKER["held"] = (BROKER["held"], []) if change == "catches up" else ([], BROKER["held"])
            BROKER["mode"] = "live"
            for callback in held:
                committed(callback)
            sweeps_run()

    @rule(data=st.data(), freeze=st.booleans(), quantity=st.integers(1, 3))
    def an_operator_changes_the_tree_between_payment_and_commission(self, data, freeze, quantity):
        """A sale is paid while the worker is behind, then the seller is moved
        or its inviter frozen before the commissions are made: the upline at
        payment earns all the same."""
        BROKER["mode"] = "behind"
        seller_id = data.draw(st.sampled_from(self.resellers))
        self._buy(seller_id, quantity, in_shop=True)
        seller = Reseller.objects.get(pk=seller_id)
        if freeze and seller.inviter_id:
            inviter = Reseller.objects.get(pk=seller.inviter_id)
            attempt(lambda: reseller_freeze(reseller=inviter, actor=self.operator, reason="review"))
        else:
            under = data.draw(st.sampled_from([None, *self.resellers]))
            attempt(
                lambda: reseller_move(
                    reseller=seller,
                    new_inviter=Reseller.objects.get(pk=under) if under else None,
                    actor=self.operator,
                    reason="restructure",
                )
            )

    # --- the rules ---------------------------------------------------------------------

    @invariant()
    def the_ledger_balances_at_every_commit(self):
        with connection.cursor() as cursor:  # what COMMIT would check, now
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        assert ledger_unbalanced_transactions() == []

    def _paid_orders_waiting_for_commissions(self) -> set[str]:
        handled = EventReceipt.objects.filter(
            event_id=OuterRef("pk"), consumer="commissions", status=ReceiptStatus.HANDLED
        )
        ids = Event.objects.filter(type="order.paid").exclude(Exists(handled)).values_list("aggregate_id", flat=True)
        return {order.number for order in Order.objects.filter(pk__in=ids, paid_amount__gt=0)}

    @invariant()
    def the_books_reconcile_and_name_what_is_missing(self):
        breaks = {result.key: result.breaks for result in reconcile() if not result.ok}
        later = timezone.now() + timedelta(days=1)
        if not any(events_unhandled(consumer=name, before=later, limit=1) for name in event_consumers()):
            assert breaks == {}
            return
        # the work the broker lost or holds is reported, by order; nothing else breaks
        assert set(breaks) <= LAG_CHECKS, {name: found[:3] for name, found in breaks.items()}
        named = {item.split()[1] for item in breaks.get(PAID_ORDERS_CHECK, [])}
        assert named == self._paid_orders_waiting_for_commissions()

    @invariant()
    def commissions_go_to_the_seller_and_its_upline_at_payment_time(self):
        waiting = self._paid_orders_waiting_for_commissions()
        lines = OrderLine.objects.filter(pk__in=self.expected).select_related("order")
        for line_id, expected in self.expected.items():
            if lines.get(pk=line_id).order.number in waiting:
                expected = {}  # the worker has not made them yet: none made early either
            paid = {
                (kind, tier): beneficiary
                for kind, tier, beneficiary in Commission.objects.filter(order_line_id=line_id).values_list(
                    "kind", "tier", "beneficiary_id"
                )
            }
            assert paid == expected, (line_id, paid, expected)

    @invariant()
    def refunds_never_exceed_what_was_paid(self):
        assert not OrderLine.objects.filter(refunded_amount__gt=F("paid_amount")).exists()

    @invariant()
    def reserved_and_frozen_money_is_never_negative(self):
        assert not LedgerAccount.objects.filter(
            kind__in=[AccountKind.RESELLER_FROZEN, AccountKind.RESELLER_WITHDRAWAL_PENDING], balance_amount__lt=0
        ).exists()

    @invariant()
    def a_withdrawal_is_paid_at_most_once_and_pending_money_matches(self):
        for reseller_id in self.resellers:
            pending = (
                Withdrawal.objects.filter(
                    reseller_id=reseller_id,
                    status__in=[WithdrawalStatus.REQUESTED, WithdrawalStatus.APPROVED, WithdrawalStatus.PAYING],
                ).aggregate(total=Sum(F("amount") - F("tax_amount")))["total"]  # the tax left for tax payable
                or 0
            )
            account = LedgerAccount.objects.filter(
                kind=AccountKind.RESELLER_WITHDRAWAL_PENDING, owner_id=reseller_id
            ).first()
            assert (account.balance_amount if account else 0) == pending

    @invariant()
    def coupon_funders_pay_exactly_their_discounts_less_what_refunds_returned(self):
        """A reseller's coupons come out of its withdrawable money when the
        order is paid, and go back with refunds; a supplier's out of what it
        is owed when the line's payable is posted (docs/coupons.md). Each
        funder's net money is what its own rows say, to the fen."""
        net = defaultdict(int)  # (funder, id) → its coupons' shares less what refunds gave back
        supplier_lines_owed = SupplierPayable.objects.filter(order_line_id=OuterRef("line_id"))
        for funder, funder_id, amount, returned, owed in (
            OrderDiscount.objects.filter(
                order__paid_at__isnull=False, funder__in=[CouponFunder.RESELLER, CouponFunder.SUPPLIER]
            )
            .annotate(owed=Exists(supplier_lines_owed))
            .values_list("funder", "funder_id", "amount", "returned_amount", "owed")
        ):
            if funder == CouponFunder.RESELLER or owed:
                net[(funder, funder_id)] += amount - returned
        balances = {
            (kind, owner): balance
            for kind, owner, balance in LedgerAccount.objects.filter(
                kind__in=[
                    AccountKind.RESELLER_WITHDRAWABLE,
                    AccountKind.RESELLER_COUPON_DISCOUNT,
                    AccountKind.SUPPLIER_PAYABLE,
                ]
            ).values_list("kind", "owner_id", "balance_amount")
        }
        for reseller_id in self.resellers:
            settled = (
                Commission.objects.filter(beneficiary_id=reseller_id, state=CommissionState.SETTLED).aggregate(
                    total=Sum(F("amount") - F("reversed_amount") - F("clawed_back_amount"))
                )["total"]
                or 0
            )
            withdrawn = (
                Withdrawal.objects.filter(reseller_id=reseller_id)
                .exclude(status__in=[WithdrawalStatus.REJECTED, WithdrawalStatus.FAILED])
                .aggregate(total=Sum("amount"))["total"]
                or 0
            )
            withdrawable = balances.get((AccountKind.RESELLER_WITHDRAWABLE, reseller_id), 0)
            assert withdrawable == settled - withdrawn - net[(CouponFunder.RESELLER, reseller_id)], reseller_id
            assert balances.get((AccountKind.RESELLER_COUPON_DISCOUNT, reseller_id), 0) == 0
        supplier = self.sku.product.supplier_id
        owed = SupplierPayable.objects.filter(supplier_id=supplier).aggregate(total=Sum("amount"))["total"] or 0
        payable = balances.get((AccountKind.SUPPLIER_PAYABLE, supplier), 0)
        assert payable == owed - net[(CouponFunder.SUPPLIER, supplier)]
        REACHED.update({"reseller coupon" for key in net if key[0] == CouponFunder.RESELLER})
        REACHED.update({"supplier coupon netted" for key in net if key[0] == CouponFunder.SUPPLIER})

    @invariant()
    def the_tree_has_no_cycles(self):
        inviters = dict(Reseller.objects.filter(pk__in=self.resellers).values_list("pk", "inviter_id"))
        for reseller_id in inviters:
            seen, current = set(), reseller_id
            while current is not None:
                assert current not in seen
                seen.add(current)
                current = inviters.get(current)


# On a failure Hypothesis shrinks for up to five minutes (each example is a few hundred database
# statements). The suite's 300 s timeout used to fire inside that shrinking, and the timed-out example,
# which passes when replayed, was reported as a FlakyFailure beside the real one. Longer than the
# shrinking, the limit leaves the real failure, shrunk, as the report. (Passing takes about 45 s.)
@pytest.mark.timeout(900)
def test_random_money_flows_keep_every_rule(settings):
    settings.EVENTS_LAG_ALERT_MINUTES = 0  # reconcile expects the work done the moment it could have been
    settings.WITHHOLDING_RULE, settings.WITHHOLDING_FLAT_RATE_BPS = "flat", 2_000  # tax withheld, and returned
    run_state_machine_as_test(
        MoneyFlow,
        settings=hypothesis_settings(
            max_examples=30,
            stateful_step_count=50,
            deadline=None,
            derandomize=True,  # the same sequences every run: CI never flakes, and what it covers is known
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    # the sequences reached the interesting states, not only refusals
    wanted = {
        "settled",
        "clawed back",
        "cancelled",
        WithdrawalStatus.PAID,
        WithdrawalStatus.FAILED,
        WithdrawalStatus.REJECTED,
        "reseller coupon",
        "supplier coupon netted",
    }
    assert wanted <= REACHED, REACHED
