from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import OperatorFactory
from catalog.tests.factories import ProductFactory
from commissions.models import CommissionOverride, CommissionPlan
from commissions.selectors import commission_plan_in_effect, commission_shares_for

pytestmark = pytest.mark.django_db


def _plan_form(**changes):
    data = {
        "tier_count": 2,
        "tier1_share_bps": 3000,
        "tier2_share_bps": 1000,
        "tier3_share_bps": 0,
        "base": "margin",
        "min_withdrawal_amount": "10.00",
        "withdrawal_fee_amount": "0",
        "withdrawal_fee_bps": 0,
        "note": "",
        "overrides-TOTAL_FORMS": 0,
        "overrides-INITIAL_FORMS": 0,
    }
    data.update(changes)
    return data


def test_there_is_always_a_plan_with_two_tiers_by_default():
    plan = commission_plan_in_effect(at=timezone.now())

    assert plan.tier_count == 2
    assert plan.tier_shares() == [3000, 1000]


def test_a_new_version_pays_payments_confirmed_after_it_and_not_before():
    before = timezone.now()
    new = CommissionPlan.objects.create(tier1_share_bps=4000, tier2_share_bps=500, note="richer tier 1")

    assert commission_plan_in_effect(at=before).pk != new.pk
    assert commission_plan_in_effect(at=timezone.now() + timedelta(seconds=1)).pk == new.pk


def test_the_database_refuses_shares_over_100_percent_and_unconfirmed_three_tiers():
    with pytest.raises(IntegrityError), transaction.atomic():
        CommissionPlan.objects.create(tier1_share_bps=8000, tier2_share_bps=3000)
    with pytest.raises(IntegrityError), transaction.atomic():
        CommissionPlan.objects.create(tier_count=3, tier3_share_bps=500)


def test_an_override_for_a_product_beats_its_category():
    product = ProductFactory()
    plan = CommissionPlan.objects.create(note="with overrides")
    CommissionOverride.objects.create(plan=plan, category=product.category, tier1_share_bps=2000)
    CommissionOverride.objects.create(plan=plan, product=product, tier1_share_bps=5000, tier2_share_bps=500)
    plan = commission_plan_in_effect(at=timezone.now())
    other = ProductFactory(category=product.category)

    assert commission_shares_for(plan=plan, product_id=product.id, category_id=product.category_id) == [5000, 500]
    assert commission_shares_for(plan=plan, product_id=other.id, category_id=other.category_id) == [2000, 0]
    assert commission_shares_for(plan=plan, product_id=0, category_id=0) == [3000, 1000]


def test_an_operator_publishes_a_new_version_in_the_admin(client):
    operator = OperatorFactory()
    client.force_login(operator)

    response = client.post(reverse("admin:commissions_commissionplan_add"), _plan_form(tier1_share_bps=3500))

    assert response.status_code == 302
    plan = commission_plan_in_effect(at=timezone.now())
    assert plan.tier1_share_bps == 3500 and plan.created_by == operator
    # published versions are read-only
    page = client.get(reverse("admin:commissions_commissionplan_change", args=[plan.pk]))
    assert page.status_code == 200 and not page.context["has_change_permission"]


def test_operators_type_the_withdrawal_minimum_and_fee_in_yuan(client):
    client.force_login(OperatorFactory())

    # the spaces around what was typed are trimmed, as in any text field
    form = _plan_form(min_withdrawal_amount=" 12.50 ", withdrawal_fee_amount="0.5")

    response = client.post(reverse("admin:commissions_commissionplan_add"), form)

    assert response.status_code == 302
    plan = commission_plan_in_effect(at=timezone.now())
    assert (plan.min_withdrawal_amount, plan.withdrawal_fee_amount) == (1_250, 50)


@pytest.mark.parametrize("typed", ["１０", "+10", "10.", "0", "-1"])
def test_the_admin_refuses_an_amount_outside_the_money_grammar(client, typed):
    client.force_login(OperatorFactory())
    versions = CommissionPlan.objects.count()

    response = client.post(reverse("admin:commissions_commissionplan_add"), _plan_form(min_withdrawal_amount=typed))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["min_withdrawal_amount"]
    assert CommissionPlan.objects.count() == versions


def test_the_admin_refuses_shares_over_100_percent(client):
    client.force_login(OperatorFactory())
    versions = CommissionPlan.objects.count()

    response = client.post(
        reverse("admin:commissions_commissionplan_add"), _plan_form(tier1_share_bps=9000, tier2_share_bps=2000)
    )

    assert response.status_code == 200
    assert "10000" in str(response.context["adminform"].form.non_field_errors())
    assert CommissionPlan.objects.count() == versions


def test_three_tiers_need_the_operator_to_confirm_the_warning(client):
    client.force_login(OperatorFactory())

    refused = client.post(reverse("admin:commissions_commissionplan_add"), _plan_form(tier_count=3))
    assert refused.status_code == 200
    assert "传销" in str(refused.context["adminform"].form.errors["three_tiers_confirmed"])

    accepted = client.post(
        reverse("admin:commissions_commissionplan_add"),
        _plan_form(tier_count=3, three_tiers_confirmed="on", tier3_share_bps=500),
    )
    assert accepted.status_code == 302
    assert commission_plan_in_effect(at=timezone.now()).tier_shares() == [3000, 1000, 500]


def test_the_add_form_starts_from_the_plan_in_effect(client):
    product = ProductFactory()
    plan = CommissionPlan.objects.create(tier1_share_bps=2500, note="current")
    CommissionOverride.objects.create(plan=plan, product=product, tier1_share_bps=4000)
    client.force_login(OperatorFactory())

    page = client.get(reverse("admin:commissions_commissionplan_add"))

    assert page.context["adminform"].form.initial["tier1_share_bps"] == 2500
    inline_initial = page.context["inline_admin_formsets"][0].formset.forms[0].initial
    assert inline_initial["product"] == product.id and inline_initial["tier1_share_bps"] == 4000
