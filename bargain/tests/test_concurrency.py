"""Real concurrency against PostgreSQL: threads released at the same
moment, each with its own database connection."""

import pytest

from accounts.tests.factories import UserFactory
from bargain.calculations import bargain_cuts
from bargain.choices import BargainStatus
from bargain.exceptions import AlreadyHelped, AlreadyStarted, BargainClosed, FloorReached
from bargain.models import Bargain, Help
from bargain.services import bargain_buy, bargain_help, bargain_start
from conftest import run_together
from orders.models import Order
from orders.tests.factories import an_address

from .factories import a_campaign, helped, started

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _celery_knows_it_is_not_inside_a_task():
    """Eager tasks run by several threads at once leave Celery's process-wide
    "inside a task" flag set (see orders/tests/test_concurrency.py)."""
    from celery._state import _set_task_join_will_block

    yield
    _set_task_join_will_block(False)


def test_k_plus_five_friends_at_once_land_exactly_k_cuts_on_the_floor():
    helps = 4
    bargain = started(a_campaign(start=10000, floor=6000, helps=helps))
    friends = [UserFactory() for _ in range(helps + 5)]

    outcomes = run_together(*(lambda f=friend: bargain_help(helper=f, bargain_id=bargain.pk) for friend in friends))

    landed = [outcome for outcome in outcomes if isinstance(outcome, Help)]
    assert len(landed) == helps, outcomes
    assert all(isinstance(outcome, FloorReached) for outcome in outcomes if not isinstance(outcome, Help))
    bargain.refresh_from_db()
    assert (bargain.current_price_amount, bargain.helps_count) == (6000, helps)
    rows = list(Help.objects.filter(bargain=bargain).order_by("number").values_list("number", "cut_amount"))
    plan = bargain_cuts(seed=bargain.seed, helps_needed=helps, start_amount=10000, floor_amount=6000)
    assert rows == list(enumerate(plan, start=1))


def test_one_friend_tapping_twice_at_once_helps_once():
    bargain = started(a_campaign(helps=5))
    friend = UserFactory()

    outcomes = run_together(*(lambda: bargain_help(helper=friend, bargain_id=bargain.pk) for _ in range(4)))

    assert sum(isinstance(outcome, Help) for outcome in outcomes) == 1, outcomes
    assert all(isinstance(outcome, (Help, AlreadyHelped)) for outcome in outcomes)
    assert Bargain.objects.get(pk=bargain.pk).helps_count == 1


def test_buying_racing_helps_never_lets_a_help_land_after_the_order():
    bargain = started(a_campaign(start=10000, floor=6000, helps=10))
    helped(bargain)
    friends = [UserFactory() for _ in range(5)]

    outcomes = run_together(
        lambda: bargain_buy(starter=bargain.starter, bargain_id=bargain.pk, address=an_address()),
        *(lambda f=friend: bargain_help(helper=f, bargain_id=bargain.pk) for friend in friends),
    )

    order = next(outcome for outcome in outcomes if isinstance(outcome, Order))
    bargain.refresh_from_db()
    assert bargain.status == BargainStatus.ORDERED
    # the order's price is the price the bargain stood at when it was bought: no help after it counted
    assert order.total_amount == bargain.current_price_amount
    landed = sum(isinstance(outcome, Help) for outcome in outcomes)
    assert bargain.helps_count == 1 + landed
    assert all(isinstance(outcome, (Order, Help, BargainClosed)) for outcome in outcomes), outcomes


def test_starting_twice_at_once_makes_one_bargain():
    campaign = a_campaign()
    buyer = UserFactory()

    outcomes = run_together(*(lambda: bargain_start(starter=buyer, campaign_id=campaign.pk) for _ in range(3)))

    assert sum(isinstance(outcome, Bargain) for outcome in outcomes) == 1, outcomes
    assert all(isinstance(outcome, (Bargain, AlreadyStarted)) for outcome in outcomes)
