from datetime import datetime

from django.utils import timezone

from .models import CommissionPlan


def commission_plan_in_effect(*, at: datetime) -> CommissionPlan:
    """The plan version that pays a payment confirmed at ``at`` (with its
    overrides prefetched). Migrations publish a first version; should none
    exist, the defaults apply (an unsaved plan)."""
    plan = CommissionPlan.objects.in_effect_at(at).prefetch_related("overrides").first()
    return plan if plan is not None else CommissionPlan()


def commission_tier_count_in_effect() -> int:
    """How many tiers the plan in effect now pays (one small query)."""
    tier_count = CommissionPlan.objects.in_effect_at(timezone.now()).values_list("tier_count", flat=True).first()
    return tier_count if tier_count is not None else CommissionPlan().tier_count


def commission_shares_for(*, plan: CommissionPlan, product_id: int, category_id: int) -> list[int]:
    """Tier shares (bp) for one product under ``plan``: the product's
    override, else its category's, else the plan's. Uses the prefetched
    overrides: no query."""
    overrides = list(plan.overrides.all()) if plan.pk else []
    for override in overrides:
        if override.product_id == product_id:
            return override.tier_shares(plan.tier_count)
    for override in overrides:
        if override.category_id == category_id:
            return override.tier_shares(plan.tier_count)
    return plan.tier_shares()
