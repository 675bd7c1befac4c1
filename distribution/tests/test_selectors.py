from datetime import timedelta

import pytest
from django.utils import timezone

from distribution.choices import ResellerStatus
from distribution.exceptions import NotAReseller, TeamLevelOutOfRange
from distribution.models import Reseller
from distribution.selectors import reseller_for_user, reseller_uplines, team_members, team_summary
from distribution.services import reseller_sale_record, team_sales_roll_up

from .factories import ResellerFactory
from .recount import upline_walk

pytestmark = pytest.mark.django_db


def chain(length: int) -> list[Reseller]:
    """A root and ``length - 1`` resellers each invited by the previous one."""
    members = [ResellerFactory()]
    for _ in range(length - 1):
        members.append(ResellerFactory(inviter=members[-1]))
    return members


@pytest.mark.parametrize("depth", [1, 2, 3, 10, 60])
def test_the_commission_upline_costs_one_query_whatever_the_depth(django_assert_num_queries, depth):
    members = chain(depth)
    seller = members[-1]

    with django_assert_num_queries(1):
        upline = reseller_uplines(reseller_ids={seller.id}, tiers=3)[seller.id]

    expected = list(reversed(members))[:3]
    assert [(member.reseller_id, member.is_active) for member in upline] == [(r.id, r.is_active) for r in expected]


@pytest.mark.parametrize("tiers, expected", [(1, 1), (2, 2), (3, 3), (7, 3)])
def test_the_upline_stops_at_the_tier_limit_and_never_passes_3(tiers, expected):
    seller = chain(6)[-1]

    assert len(reseller_uplines(reseller_ids={seller.id}, tiers=tiers)[seller.id]) == expected


def test_the_upline_keeps_frozen_resellers_with_their_status():
    root, middle, seller = chain(3)
    Reseller.objects.filter(pk=middle.pk).update(status=ResellerStatus.FROZEN)

    upline = reseller_uplines(reseller_ids={seller.id}, tiers=3)[seller.id]

    assert [member.is_active for member in upline] == [True, False, True]


def test_the_team_summary_counts_levels_up_to_the_tier_limit(tier_count):
    # given root → 2 children → each 2 grandchildren → one great-grandchild
    root = ResellerFactory()
    children = [ResellerFactory(inviter=root) for _ in range(2)]
    grandchildren = [ResellerFactory(inviter=child) for child in children for _ in range(2)]
    ResellerFactory(inviter=grandchildren[0])
    tier_count(2)

    summary = team_summary(reseller=root)

    assert summary.team_size == 7
    assert [(level.level, level.size) for level in summary.levels] == [(1, 2), (2, 4)]
    tier_count(3)
    assert [level.size for level in team_summary(reseller=root).levels] == [2, 4, 1]


def test_new_members_this_week_are_counted_per_level(tier_count):
    tier_count(2)
    root = ResellerFactory()
    old_child = ResellerFactory(inviter=root)
    ResellerFactory(inviter=root)
    ResellerFactory(inviter=old_child)
    Reseller.objects.filter(pk=old_child.pk).update(joined_at=timezone.now() - timedelta(days=8))

    summary = team_summary(reseller=root)

    assert [(level.size, level.new_this_week) for level in summary.levels] == [(2, 1), (1, 1)]
    assert summary.new_this_week == 2


def test_the_team_summary_reads_a_constant_number_of_queries(django_assert_max_num_queries):
    root = ResellerFactory()
    for _ in range(3):
        child = ResellerFactory(inviter=root)
        ResellerFactory(inviter=child)

    with django_assert_max_num_queries(5):  # settings, totals, one count per visible level, inviter
        team_summary(reseller=root)


def test_team_sales_show_after_the_roll_up():
    root, child = chain(2)
    reseller_sale_record(reseller_id=child.id, amount=19_900, key="k")
    team_sales_roll_up()

    summary = team_summary(reseller=root)

    assert (summary.team_sales_amount, summary.own_sales_amount) == (19_900, 0)


def test_team_members_are_the_level_asked_newest_first():
    root = ResellerFactory()
    first = ResellerFactory(inviter=root)
    second = ResellerFactory(inviter=root)
    grandchild = ResellerFactory(inviter=first)

    assert list(team_members(reseller=root, level=1)) == [second, first]
    assert list(team_members(reseller=root, level=2)) == [grandchild]


def test_levels_beyond_the_tier_limit_are_not_shown(tier_count):
    tier_count(2)

    with pytest.raises(TeamLevelOutOfRange):
        team_members(reseller=ResellerFactory(), level=3)


def test_a_customer_has_no_team():
    from accounts.tests.factories import UserFactory

    with pytest.raises(NotAReseller):
        reseller_for_user(UserFactory())


@pytest.mark.parametrize("depth", [3, 30])
def test_uplines_of_many_sellers_cost_one_query_and_match_the_walk(django_assert_num_queries, depth):
    members = chain(depth)
    sellers = {members[-1].id, members[-2].id, members[0].id}
    Reseller.objects.filter(pk=members[-3].pk).update(status=ResellerStatus.FROZEN)

    with django_assert_num_queries(1):
        uplines = reseller_uplines(reseller_ids=sellers, tiers=3)

    for seller_id in sellers:
        walked = upline_walk(reseller_id=seller_id, tiers=3)
        assert [(m.reseller_id, m.is_active) for m in uplines[seller_id]] == [(r.id, r.is_active) for r in walked]
