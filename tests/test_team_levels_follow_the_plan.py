"""Across commissions and distribution: a reseller sees as many levels of
its team as the commission plan in effect pays tiers."""

import pytest

from commissions.models import CommissionPlan
from distribution.selectors import team_summary, tier_limit_get
from distribution.tests.factories import ResellerFactory

pytestmark = pytest.mark.django_db


def test_publishing_a_three_tier_plan_shows_three_levels():
    root = ResellerFactory()
    child = ResellerFactory(inviter=root)
    ResellerFactory(inviter=ResellerFactory(inviter=child))
    assert tier_limit_get() == 2
    assert len(team_summary(reseller=root).levels) == 2

    CommissionPlan.objects.create(tier_count=3, three_tiers_confirmed=True, tier3_share_bps=500, note="3 tiers")

    assert tier_limit_get() == 3
    assert [level.size for level in team_summary(reseller=root).levels] == [1, 1, 1]
