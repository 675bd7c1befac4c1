import pytest
from django.conf import settings

from distribution.services import reseller_sale_record
from distribution.tasks import team_sales_roll_up_task

from .factories import ResellerFactory
from .recount import tree_totals

pytestmark = pytest.mark.django_db


def test_a_recorded_sale_is_rolled_up_after_commit(django_capture_on_commit_callbacks):
    root = ResellerFactory()
    seller = ResellerFactory(inviter=root)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        reseller_sale_record(reseller_id=seller.id, amount=8_800, key="order-line:7:paid")

    assert len(callbacks) == 1
    assert tree_totals()[root.id]["team_sales_amount"] == 8_800


def test_the_roll_up_task_is_safe_to_run_twice():
    root = ResellerFactory()
    reseller_sale_record(reseller_id=ResellerFactory(inviter=root).id, amount=100, key="k")

    assert team_sales_roll_up_task.delay().get() == 1
    assert team_sales_roll_up_task.delay().get() == 0
    assert tree_totals()[root.id]["team_sales_amount"] == 100


def test_the_roll_up_also_runs_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["team-sales-roll-up"]

    assert entry["task"] == team_sales_roll_up_task.name
