"""Dates people read are Beijing dates (TIME_ZONE = Asia/Shanghai), not the
UTC dates the database stores: 18:04 UTC on 12-03 is 02:04 on 12-04 in
Beijing, and an order placed then is numbered 20261204-…."""

from datetime import UTC, datetime

import pytest

from commissions.models import CommissionPlan, ReconciliationRun
from commissions.reconciliation import check_events_handled
from distribution.models import ResellerEvent
from orders.models import Order
from socialshop.models import Event

AFTER_MIDNIGHT_IN_BEIJING = datetime(2026, 12, 3, 18, 4, 5, tzinfo=UTC)  # 2026-12-04 02:04:05 in Beijing


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        (lambda: Order(pk=123, created_at=AFTER_MIDNIGHT_IN_BEIJING).number, "20261204-000123"),
        (lambda: str(CommissionPlan(pk=3, effective_from=AFTER_MIDNIGHT_IN_BEIJING)), "v3 (2026-12-04 02:04)"),
        (lambda: str(ReconciliationRun(ran_at=AFTER_MIDNIGHT_IN_BEIJING, ok=True)), "2026-12-04 02:04 ok"),
        (  # "移到其他邀请人 2026-12-04 02:04": the kind people read, then the time
            lambda: str(ResellerEvent(reseller_id=5, kind="moved", created_at=AFTER_MIDNIGHT_IN_BEIJING))[-16:],
            "2026-12-04 02:04",
        ),
    ],
    ids=["order number", "commission plan", "reconciliation run", "reseller event"],
)
def test_a_time_after_midnight_in_beijing_reads_as_the_beijing_date(shown, expected):
    assert shown() == expected


@pytest.mark.django_db
def test_reconciliation_says_since_when_an_event_waits_in_beijing_time():
    Event.objects.create(
        type="order.paid", aggregate_type="order", aggregate_id=1, created_at=AFTER_MIDNIGHT_IN_BEIJING
    )

    breaks = check_events_handled()

    assert breaks and all("自 2026-12-04 02:04:05 起" in line for line in breaks)
