"""Reseller grades (分销等级): promotion from the reseller's own results only,
rates within the engine's caps, and the rate in force fixed at payment."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.tests.factories import OperatorFactory, UserFactory
from commissions.admin import CommissionPlanForm
from commissions.admin_grades import GradeConditionForm, GradeForm
from commissions.calculations import GradeRule, grade_decide, grade_shares_worst_case, tier_shares_graded
from commissions.choices import FORBIDDEN_CONDITION_KINDS, GradeChangeKind, GradeConditionKind
from commissions.exceptions import GradeConditionForbidden, GradeReasonRequired
from commissions.models import Commission, CommissionPlan, Grade, GradeChange, GradeCondition, ResellerGrade
from commissions.reconciliation import reconcile
from commissions.services.grades import (
    grade_condition_kind_check,
    grades_sweep,
    reseller_grade_evaluate,
    reseller_grade_set,
)
from distribution.tests.factories import ResellerFactory
from orders.choices import Actor
from orders.models import Order
from orders.services.lifecycle import order_confirm_receipt
from orders.services.refunds import refund_decide, refund_request
from orders.tests.factories import pay, place, ship, shop_selling
from shops.tests.factories import ShopFactory
from socialshop.money import BASIS_POINTS

pytestmark = pytest.mark.django_db

PRICE = 12_000  # list 100.00, cost 50.00: margin 70.00, markup 20.00, base 50.00


def _grade(name, rank, *, rates=(None, None, None), hold_days=0, conditions=()):
    grade = Grade.objects.create(
        name=name,
        rank=rank,
        tier1_share_bps=rates[0],
        tier2_share_bps=rates[1],
        tier3_share_bps=rates[2],
        hold_days=hold_days,
    )
    for kind, threshold, window in conditions:
        GradeCondition.objects.create(grade=grade, kind=kind, threshold=threshold, window_days=window)
    return grade


@pytest.fixture
def tree():
    parent = ResellerFactory()
    seller = ResellerFactory(inviter=parent)
    shop, sku = shop_selling(shop=ShopFactory(owner=seller), price=PRICE)
    return {"parent": parent, "seller": seller, "shop": shop, "sku": sku}


def _paid(tree, capture, *, buyer=None, quantity=1):
    order = place(buyer=buyer, shop=tree["shop"], sku=tree["sku"], quantity=quantity)
    with capture(execute=True):
        pay(order)
    return order


def _rates(order):
    return {
        (c.beneficiary_id, c.kind, c.tier): (c.rate_bps, c.amount, c.grade_id, c.grade_name)
        for c in Commission.objects.filter(order=order)
    }


# --- the arithmetic ------------------------------------------------------------------------------

shares = st.integers(0, BASIS_POINTS)


@given(
    plan=st.lists(shares, min_size=1, max_size=3).filter(lambda s: sum(s) <= BASIS_POINTS),
    grade=st.lists(st.one_of(st.none(), shares), min_size=0, max_size=3),
)
def test_graded_shares_never_pass_100_percent_and_use_the_grade_where_they_can(plan, grade):
    graded = tier_shares_graded(plan_shares=plan, grade_shares=grade)

    assert len(graded) == len(plan) and all(share >= 0 for share in graded)
    assert sum(graded) <= BASIS_POINTS
    padded = [*grade, None, None, None]
    wanted = [padded[index] if padded[index] is not None else share for index, share in enumerate(plan)]
    if sum(wanted) <= BASIS_POINTS:
        assert graded == wanted  # no cut when the mix is within the cap
    assert sum(graded) <= grade_shares_worst_case(plan_shares=plan, grades=[grade]) or sum(wanted) > BASIS_POINTS


@given(
    plan=st.lists(shares, min_size=1, max_size=3),
    grades=st.lists(st.lists(st.one_of(st.none(), shares), min_size=3, max_size=3), max_size=4),
    picks=st.lists(st.integers(0, 4), min_size=3, max_size=3),
)
def test_the_worst_case_bounds_every_mix_of_grades_on_one_line(plan, grades, picks):
    # each tier's earner holds any of the grades (or none): the line's shares never pass the worst case
    holders = [None, *grades]
    mix = [holders[pick % len(holders)] for pick in picks]
    wanted = [
        mix[i][i] if mix[i] is not None and mix[i][i] is not None else plan_share for i, plan_share in enumerate(plan)
    ]
    assert sum(wanted) <= grade_shares_worst_case(plan_shares=plan, grades=grades)


def test_a_demotion_waits_for_the_hold_period_a_promotion_does_not():
    now = timezone.now()
    rules = [
        GradeRule(grade_id=1, rank=1, hold_days=0, conditions=()),
        GradeRule(grade_id=2, rank=2, hold_days=30, conditions=((GradeConditionKind.SALES, 100, 30),)),
    ]
    low = {30: {GradeConditionKind.SALES: 0}}
    high = {30: {GradeConditionKind.SALES: 100}}

    up = grade_decide(rules=rules, figures=high, current_grade_id=1, held_until=None, now=now)
    kept = grade_decide(rules=rules, figures=low, current_grade_id=2, held_until=now + timedelta(days=1), now=now)
    down = grade_decide(rules=rules, figures=low, current_grade_id=2, held_until=now - timedelta(days=1), now=now)

    assert (up.grade_id, up.changed, up.promoted) == (2, True, True)
    assert (kept.grade_id, kept.changed, kept.held) == (2, False, True)
    assert (down.grade_id, down.changed, down.promoted) == (1, True, False)


# --- recruiting and team conditions are refused -------------------------------------------------

RECRUITING = [*sorted(FORBIDDEN_CONDITION_KINDS), "TEAM_SALES_AMOUNT", " Recruits "]


def test_the_condition_kinds_hold_no_recruiting_or_team_figure():
    assert set(GradeConditionKind.values) == {"sales_amount", "completed_orders", "buying_customers"}
    assert not FORBIDDEN_CONDITION_KINDS & set(GradeConditionKind.values)


@pytest.mark.parametrize("kind", RECRUITING)
def test_a_recruit_or_team_condition_is_refused_with_the_explanation(kind):
    grade = _grade("银牌", 2)
    form = GradeConditionForm(data={"kind": kind, "threshold": "10", "window_days": "30"}, instance=None)
    form.instance.grade = grade

    assert not form.is_valid()
    assert "禁止传销条例" in " ".join(form.errors["kind"])
    with pytest.raises(GradeConditionForbidden) as refused:
        grade_condition_kind_check(kind)
    assert refused.value.code == "grade_condition_forbidden"
    assert not GradeCondition.objects.exists()


@given(kind=st.text(max_size=30))
def test_only_the_three_own_results_kinds_pass_the_check(kind):
    if kind.strip().lower() in GradeConditionKind.values:
        assert grade_condition_kind_check(kind) in GradeConditionKind.values
    else:
        with pytest.raises(GradeConditionForbidden):
            grade_condition_kind_check(kind)


def test_the_database_refuses_a_condition_kind_outside_the_enum():
    grade = _grade("银牌", 2)
    with pytest.raises(IntegrityError), transaction.atomic():
        GradeCondition.objects.create(grade=grade, kind="team_sales", threshold=1, window_days=30)


def test_the_admin_form_refuses_a_team_condition_and_saves_nothing(client):
    grade = _grade("银牌", 2)
    client.force_login(OperatorFactory())
    response = client.post(
        f"/admin/commissions/grade/{grade.pk}/change/",
        {
            "name": "银牌",
            "badge": "银",
            "colour": "#c0c0c0",
            "rank": "2",
            "tier1_share_bps": "",
            "tier2_share_bps": "",
            "tier3_share_bps": "",
            "hold_days": "0",
            "is_active": "on",
            "conditions-TOTAL_FORMS": "1",
            "conditions-INITIAL_FORMS": "0",
            "conditions-MIN_NUM_FORMS": "0",
            "conditions-MAX_NUM_FORMS": "1000",
            "conditions-0-kind": "team_sales",
            "conditions-0-threshold": "1000",
            "conditions-0-window_days": "30",
        },
    )

    assert response.status_code == 200  # the form again, with the error
    assert "禁止传销条例" in response.content.decode()
    assert not GradeCondition.objects.exists()


def test_a_sales_threshold_is_typed_in_yuan():
    form = GradeConditionForm(data={"kind": GradeConditionKind.SALES, "threshold": "1200.50", "window_days": "30"})
    count = GradeConditionForm(data={"kind": GradeConditionKind.BUYING_CUSTOMERS, "threshold": "3", "window_days": "7"})

    assert form.is_valid() and form.cleaned_data["threshold"] == 120_050
    assert count.is_valid() and count.cleaned_data["threshold"] == 3


# --- rates within the tier cap and the margin ----------------------------------------------------


def _grade_form(**rates):
    data = {"name": "金牌", "badge": "金", "colour": "#c8a04a", "rank": "3", "hold_days": "0", "is_active": "on"}
    data.update({f"tier{tier}_share_bps": str(rates.get(f"t{tier}", "")) for tier in (1, 2, 3)})
    return GradeForm(data=data)


def test_a_rate_for_a_tier_the_plan_does_not_pay_is_refused():
    form = _grade_form(t1=4000, t3=500)  # the plan pays two tiers

    assert not form.is_valid()
    assert "tier 3" in str(form.errors) or "第 3 级" in str(form.errors)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    existing=st.tuples(st.one_of(st.none(), shares), st.one_of(st.none(), shares)),
    new=st.tuples(st.one_of(st.none(), shares), st.one_of(st.none(), shares)),
)
def test_grade_rates_are_saved_only_when_every_mix_stays_within_100_percent(existing, new):
    # the plan in effect: 30 % / 10 %, two tiers
    savepoint = transaction.savepoint()
    try:
        if sum(rate or 0 for rate in existing) <= BASIS_POINTS:
            _grade("银牌", 2, rates=(*existing, None))
        others = [grade.tier_rates() for grade in Grade.objects.all()]
        form = _grade_form(t1=new[0] if new[0] is not None else "", t2=new[1] if new[1] is not None else "")
        worst = grade_shares_worst_case(plan_shares=[3000, 1000], grades=[*others, [*new, None]])

        assert form.is_valid() == (worst <= BASIS_POINTS), form.errors
        if not form.is_valid():
            assert "100%" in str(form.errors)
    finally:
        transaction.savepoint_rollback(savepoint)


def test_a_plan_whose_shares_would_pass_100_percent_with_the_grades_is_refused():
    _grade("金牌", 3, rates=(8000, None, None))
    form = CommissionPlanForm(
        data={
            "tier_count": "2",
            "tier1_share_bps": "3000",
            "tier2_share_bps": "2500",
            "tier3_share_bps": "0",
            "base": "margin",
            "min_withdrawal_amount": "10",
            "withdrawal_fee_amount": "0",
            "withdrawal_fee_bps": "0",
        }
    )

    assert not form.is_valid()
    assert "100%" in str(form.errors)


# --- the rate in force is the payment's ----------------------------------------------------------


def test_an_order_pays_each_earner_its_own_grades_rate_and_records_the_grade(tree, django_capture_on_commit_callbacks):
    gold = _grade("金牌", 3, rates=(5000, 2000, None))
    ResellerGrade.objects.create(reseller=tree["seller"], grade=gold)

    order = _paid(tree, django_capture_on_commit_callbacks)

    assert _rates(order) == {
        (tree["seller"].pk, "markup", 1): (0, 2_000, None, ""),
        (tree["seller"].pk, "tier", 1): (5000, 2_500, gold.pk, "金牌"),  # the seller's grade: 50 % of 50.00
        (tree["parent"].pk, "tier", 2): (1000, 500, None, ""),  # the parent holds no grade: the plan's 10 %
    }
    assert all(result.ok for result in reconcile())


def test_a_promotion_after_payment_changes_nothing_of_that_order(tree, django_capture_on_commit_callbacks):
    gold = _grade("金牌", 3, rates=(5000, 2000, None))
    order = place(shop=tree["shop"], sku=tree["sku"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        pay(order)  # paid, committed; the commission engine has not run yet
    operator = OperatorFactory()
    reseller_grade_set(operator=operator, reseller_id=tree["seller"].pk, grade_id=gold.pk, reason="活动奖励")
    reseller_grade_set(operator=operator, reseller_id=tree["parent"].pk, grade_id=gold.pk, reason="活动奖励")
    for callback in callbacks:  # now the engine runs, late
        callback()

    assert _rates(order) == {
        (tree["seller"].pk, "markup", 1): (0, 2_000, None, ""),
        (tree["seller"].pk, "tier", 1): (3000, 1_500, None, ""),
        (tree["parent"].pk, "tier", 2): (1000, 500, None, ""),
    }

    later = _paid(tree, django_capture_on_commit_callbacks)  # paid after the promotion: the new rates
    assert _rates(later)[(tree["seller"].pk, "tier", 1)] == (5000, 2_500, gold.pk, "金牌")
    assert _rates(later)[(tree["parent"].pk, "tier", 2)] == (2000, 1_000, gold.pk, "金牌")
    assert all(result.ok for result in reconcile())


def test_a_products_override_stands_against_a_grade(tree, django_capture_on_commit_callbacks):
    plan = CommissionPlan.objects.create(note="override")
    plan.overrides.create(product=tree["sku"].product, tier1_share_bps=1000, tier2_share_bps=500)
    gold = _grade("金牌", 3, rates=(5000, 2000, None))
    ResellerGrade.objects.create(reseller=tree["seller"], grade=gold)

    order = _paid(tree, django_capture_on_commit_callbacks)

    assert _rates(order)[(tree["seller"].pk, "tier", 1)][:2] == (1000, 500)


# --- promotion, on events and nightly ------------------------------------------------------------


def test_a_paid_order_promotes_its_seller_with_the_figures_recorded(tree, django_capture_on_commit_callbacks):
    silver = _grade("银牌", 2, conditions=[(GradeConditionKind.SALES, 20_000, 30)])

    first = _paid(tree, django_capture_on_commit_callbacks)
    assert not GradeChange.objects.exists()  # ¥120 of ¥200
    _paid(tree, django_capture_on_commit_callbacks)

    change = GradeChange.objects.get()
    assert (change.reseller_id, change.from_grade_id, change.to_grade_id, change.kind) == (
        tree["seller"].pk,
        None,
        silver.pk,
        GradeChangeKind.PROMOTED,
    )
    assert change.figures["30"][GradeConditionKind.SALES] == 24_000
    assert change.actor is None
    assert ResellerGrade.objects.get(reseller=tree["seller"]).grade == silver
    assert not ResellerGrade.objects.filter(reseller=tree["parent"], grade__isnull=False).exists()  # no team credit
    assert first.pk  # the first order's own commissions were the plan's
    assert Commission.objects.get(order=first, tier=1, kind="tier").grade_id is None


def test_the_parent_is_never_promoted_by_its_downlines_sales(tree, django_capture_on_commit_callbacks):
    _grade("银牌", 2, conditions=[(GradeConditionKind.SALES, 1, 30)])
    for _ in range(3):
        _paid(tree, django_capture_on_commit_callbacks)

    reseller_grade_evaluate(reseller_id=tree["parent"].pk)

    assert not GradeChange.objects.filter(reseller=tree["parent"]).exists()


def test_the_nightly_sweep_demotes_once_the_window_and_the_hold_have_passed(tree, django_capture_on_commit_callbacks):
    silver = _grade("银牌", 2, hold_days=10, conditions=[(GradeConditionKind.SALES, 10_000, 30)])
    _paid(tree, django_capture_on_commit_callbacks)
    assert ResellerGrade.objects.get(reseller=tree["seller"]).grade == silver

    now = timezone.now()
    assert grades_sweep(now=now + timedelta(days=5)) == 0  # still within the window
    assert grades_sweep(now=now + timedelta(days=31)) == 1  # the sale left the window; the hold is over
    assert ResellerGrade.objects.get(reseller=tree["seller"]).grade is None
    assert GradeChange.objects.filter(kind=GradeChangeKind.DEMOTED).count() == 1
    assert grades_sweep(now=now + timedelta(days=32)) == 0  # once


def test_the_hold_period_keeps_a_grade_the_window_no_longer_justifies(tree, django_capture_on_commit_callbacks):
    silver = _grade("银牌", 2, hold_days=60, conditions=[(GradeConditionKind.SALES, 10_000, 30)])
    _paid(tree, django_capture_on_commit_callbacks)

    assert grades_sweep(now=timezone.now() + timedelta(days=40)) == 0
    assert ResellerGrade.objects.get(reseller=tree["seller"]).grade == silver


def test_an_operator_sets_a_grade_by_hand_with_a_reason_and_the_rule_leaves_it(
    tree, django_capture_on_commit_callbacks
):
    silver = _grade("银牌", 2, conditions=[(GradeConditionKind.SALES, 1, 30)])
    gold = _grade("金牌", 3, conditions=[(GradeConditionKind.SALES, 1_000_000, 30)])
    operator = OperatorFactory()

    with pytest.raises(GradeReasonRequired):
        reseller_grade_set(operator=operator, reseller_id=tree["seller"].pk, grade_id=gold.pk, reason=" ")
    reseller_grade_set(operator=operator, reseller_id=tree["seller"].pk, grade_id=gold.pk, reason="战略合作店主")
    _paid(tree, django_capture_on_commit_callbacks)
    grades_sweep()

    held = ResellerGrade.objects.get(reseller=tree["seller"])
    assert (held.grade, held.manual) == (gold, True)
    change = GradeChange.objects.get(reseller=tree["seller"])
    assert (change.kind, change.actor, change.reason) == (GradeChangeKind.MANUAL, operator, "战略合作店主")

    reseller_grade_set(
        operator=operator, reseller_id=tree["seller"].pk, grade_id=None, reason="合作结束", automatic=True
    )
    held.refresh_from_db()
    assert (held.grade, held.manual) == (silver, False)  # the rule's answer, at once


# --- concurrency --------------------------------------------------------------------------------


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
def test_two_evaluations_at_once_record_one_change():
    seller = ResellerFactory()
    shop, sku = shop_selling(shop=ShopFactory(owner=seller), price=PRICE)
    pay(place(shop=shop, sku=sku))  # no grade exists yet: nothing to change
    silver = _grade("银牌", 2, conditions=[(GradeConditionKind.SALES, 10_000, 30)])

    outcomes = _in_threads(2, lambda: reseller_grade_evaluate(reseller_id=seller.pk))

    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)], outcomes
    assert sum(isinstance(outcome, GradeChange) for outcome in outcomes) == 1
    assert GradeChange.objects.filter(reseller=seller).count() == 1
    assert ResellerGrade.objects.get(reseller=seller).grade == silver


# --- decisions equal a recomputation from the raw orders -----------------------------------------

order_strategy = st.tuples(
    st.integers(0, 3),  # buyer: three customers, or (3) the seller itself
    st.integers(0, 40),  # days before the evaluation
    st.integers(1, 2),  # quantity
    st.sampled_from(["none", "part", "all"]),  # refunded
    st.booleans(),  # completed (received)
)


def _recomputed_grade(orders, seller, rules, now):
    """From the raw rows: the seller's own figures per window, then the best grade whose conditions hold."""
    figures = {}
    for window in {window for rule in rules for *_rest, window in rule["conditions"]}:
        since = now - timedelta(days=window)
        sales, buyers, completed = 0, set(), set()
        for order in orders:
            for line in order.lines.all():
                if (
                    line.attributed_reseller_id != seller.pk
                    or line.buyer_is_attributed_reseller
                    or not line.paid_amount
                ):
                    continue
                kept = line.paid_amount > line.refunded_amount
                if since < order.paid_at <= now:
                    sales += line.paid_amount - line.refunded_amount
                    if kept:
                        buyers.add(order.buyer_id)
                if order.status == "completed" and since < order.completed_at <= now and kept:
                    completed.add(order.pk)
        figures[window] = {"sales_amount": sales, "buying_customers": len(buyers), "completed_orders": len(completed)}
    best = None
    for rule in sorted(rules, key=lambda rule: rule["rank"]):
        if all(figures[window][kind] >= threshold for kind, threshold, window in rule["conditions"]):
            best = rule["grade"]
    return best, figures


@pytest.mark.postgres
def test_promotion_decisions_equal_a_recomputation_from_raw_orders(tree, django_capture_on_commit_callbacks):
    customers = [UserFactory() for _ in range(3)]
    buyers = [*customers, tree["seller"].user]
    operator = OperatorFactory()
    base = timezone.now()

    @settings(
        max_examples=12, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(
        history=st.lists(order_strategy, max_size=5),
        silver_sales=st.sampled_from([0, 10_000, 20_000]),
        gold_customers=st.integers(1, 3),
        gold_completed=st.integers(0, 2),
    )
    def property_holds(history, silver_sales, gold_customers, gold_completed):
        savepoint = transaction.savepoint()
        try:
            check(history, silver_sales, gold_customers, gold_completed)
        finally:
            transaction.savepoint_rollback(savepoint)

    def check(history, silver_sales, gold_customers, gold_completed):
        silver = _grade("银牌", 2, conditions=[(GradeConditionKind.SALES, silver_sales, 30)])
        gold = _grade(
            "金牌",
            3,
            conditions=[
                (GradeConditionKind.BUYING_CUSTOMERS, gold_customers, 30),
                (GradeConditionKind.COMPLETED_ORDERS, gold_completed, 7),
            ],
        )
        rules = [
            {
                "grade": grade,
                "rank": grade.rank,
                "conditions": [(c.kind, c.threshold, c.window_days) for c in grade.conditions.all()],
            }
            for grade in (silver, gold)
        ]
        orders = []
        for buyer, days, quantity, refunded, received in sorted(history, key=lambda entry: -entry[1]):
            with time_machine.travel(base - timedelta(days=days, hours=1), tick=False):
                order = pay(place(buyer=buyers[buyer], shop=tree["shop"], sku=tree["sku"], quantity=quantity))
                if received:
                    ship(order)
                    order_confirm_receipt(order_id=order.pk, buyer=order.buyer)
                if refunded != "none":
                    line = order.lines.get()
                    amount = line.paid_amount if refunded == "all" else 3_000
                    with django_capture_on_commit_callbacks(execute=True):  # the provider pays it back
                        refund = refund_request(
                            order_id=order.pk, line_id=line.pk, buyer=order.buyer, amount=amount, reason="不想要了"
                        )
                        refund_decide(refund_id=refund.pk, approve=True, by=operator, actor_kind=Actor.OPERATOR)
            orders.append(order)

        change = reseller_grade_evaluate(reseller_id=tree["seller"].pk, now=base)

        raw = list(Order.objects.filter(pk__in=[order.pk for order in orders]).prefetch_related("lines"))
        expected, figures = _recomputed_grade(raw, tree["seller"], rules, base)
        assert ResellerGrade.objects.get(reseller=tree["seller"]).grade == expected
        if change is not None:  # (events on the way may have moved it already: then nothing is left to change)
            assert change.to_grade == expected
            assert change.figures == {str(window): values for window, values in figures.items()}
        assert reseller_grade_evaluate(reseller_id=tree["seller"].pk, now=base) is None  # idempotent

    property_holds()


def test_a_grade_set_by_hand_is_in_the_operators_audit_log(tree):
    from audit.selectors import audit_entries_describe, audit_rows

    silver = _grade("银牌", 2)
    operator = OperatorFactory()
    change = reseller_grade_set(operator=operator, reseller_id=tree["seller"].pk, grade_id=silver.pk, reason="补录")

    rows = [row for row in audit_rows() if row[1] == "grade"]
    assert [(source, pk, actor) for _at, source, pk, actor in rows] == [("grade", change.pk, operator.pk)]
    entry = audit_entries_describe(rows)[0]
    assert "银牌" in entry.subject and entry.reason == "补录"


def test_an_operator_sets_a_grade_in_the_admin_with_a_reason(client, tree):
    silver = _grade("银牌", 2)
    operator = OperatorFactory()
    client.force_login(operator)

    refused = client.post(
        "/admin/commissions/resellergrade/add/", {"reseller": tree["seller"].pk, "set_grade": silver.pk, "reason": ""}
    )
    assert refused.status_code == 200 and not GradeChange.objects.exists()  # a reason is required

    done = client.post(
        "/admin/commissions/resellergrade/add/",
        {"reseller": tree["seller"].pk, "set_grade": silver.pk, "reason": "线下活动冠军"},
    )
    assert done.status_code == 302
    change = GradeChange.objects.get()
    assert (change.kind, change.actor, change.reason, change.to_grade) == (
        GradeChangeKind.MANUAL,
        operator,
        "线下活动冠军",
        silver,
    )
    held = ResellerGrade.objects.get(reseller=tree["seller"])
    assert (held.grade, held.manual) == (silver, True)

    page = client.get(f"/admin/commissions/resellergrade/{tree['seller'].pk}/change/")
    assert page.status_code == 200 and "线下活动冠军" in page.content.decode()


@settings(max_examples=10, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rates=st.tuples(st.one_of(st.none(), st.integers(0, 6000)), st.one_of(st.none(), st.integers(0, 4000))),
    promoted=st.sampled_from(["seller", "parent", "both"]),
)
def test_any_promotion_after_payment_leaves_the_order_and_the_next_order_pays_the_new_rates(
    tree, django_capture_on_commit_callbacks, rates, promoted
):
    savepoint = transaction.savepoint()
    try:
        # out of reach on sales: only the operator's promotion gives it (a grade without conditions is everyone's)
        gold = _grade("金牌", 3, rates=(*rates, None), conditions=[(GradeConditionKind.SALES, 10**9, 30)])
        first = place(shop=tree["shop"], sku=tree["sku"])
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            pay(first)
        operator = OperatorFactory()
        holders = {"seller": [tree["seller"]], "parent": [tree["parent"]], "both": [tree["seller"], tree["parent"]]}
        for reseller in holders[promoted]:
            reseller_grade_set(operator=operator, reseller_id=reseller.pk, grade_id=gold.pk, reason="晋升")
        for callback in callbacks:  # the engine runs after the promotion
            callback()
        later = _paid(tree, django_capture_on_commit_callbacks)

        base = 5_000  # margin 70.00 less the markup 20.00
        plan = {1: 3000, 2: 1000}
        graded = {
            1: rates[0] if rates[0] is not None and promoted != "parent" else plan[1],
            2: rates[1] if rates[1] is not None and promoted != "seller" else plan[2],
        }
        for order, expected in ((first, plan), (later, graded)):
            tiers = {c.tier: (c.rate_bps, c.amount) for c in Commission.objects.filter(order=order, kind="tier")}
            wanted = {tier: (rate, base * rate // BASIS_POINTS) for tier, rate in expected.items() if rate}
            assert tiers == wanted, (order, tiers, wanted)
        assert all(result.ok for result in reconcile())
    finally:
        transaction.savepoint_rollback(savepoint)
