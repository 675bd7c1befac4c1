"""The roll-ups (and the dashboard's totals and the peers' ranking built on
them) equal a recomputation from the raw history, for generated histories
of visits (some of them in the batch of a drain that died, taken over after
the window), bindings (from links and posters) and paid orders."""

import time
from collections import defaultdict
from datetime import datetime, timedelta
from datetime import time as clock

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.tests.factories import UserFactory
from commissions.models import Commission
from distribution.choices import BindingSource
from distribution.models import Binding
from distribution.services import binding_touch
from distribution.tests.factories import ResellerFactory
from growth import visits
from growth.choices import Channel, RankMeasure, TotalKind
from growth.models import DailyPlatformStat, DailyProductStat, DailyStat, DailyTotal, PeriodRank
from growth.stats import stats_recompute
from orders.models import Order
from orders.tests.factories import pay, place, shop_selling
from shops.tests.factories import ShopFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.redis]

DAYS = 4
PRICE = 10_000


def _moment(today, offset: int, hour: int) -> datetime:
    return datetime.combine(today - timedelta(days=DAYS - offset), clock(hour), tzinfo=timezone.get_current_timezone())


visit_strategy = st.tuples(
    st.integers(0, 1),  # reseller
    st.integers(0, DAYS - 1),  # day
    st.sampled_from(Channel.values),
    st.integers(0, 4),  # visitor
    st.booleans(),  # a product page
    st.booleans(),  # in the batch of a drain that died
)
order_strategy = st.tuples(st.integers(0, 2), st.integers(0, 1), st.integers(0, DAYS - 1))  # buyer, reseller, day
binding_strategy = st.tuples(  # customer, reseller, day, source
    st.integers(0, 2), st.integers(0, 1), st.integers(0, DAYS - 1), st.sampled_from(BindingSource.values)
)
BINDING_CHANNEL = {
    BindingSource.LINK: Channel.LINK,
    BindingSource.POSTER: Channel.POSTER,
    BindingSource.INVITE_CODE: Channel.CODE,
}


def test_roll_ups_equal_a_recomputation_from_the_raw_history(visit_buffer, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    resellers = [ResellerFactory(), ResellerFactory()]
    shops = [shop_selling(shop=ShopFactory(owner=reseller), price=PRICE) for reseller in resellers]
    people = [UserFactory() for _ in range(3)]

    @settings(
        max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(
        visit_history=st.lists(visit_strategy, max_size=12),
        orders=st.lists(order_strategy, max_size=4),
        bindings=st.lists(binding_strategy, max_size=3),
    )
    def property_holds(visit_history, orders, bindings):
        for key in visit_buffer.scan_iter(match=visits._key("*")):
            visit_buffer.delete(key)
        savepoint = transaction.savepoint()
        try:
            check(visit_history, orders, bindings)
        finally:
            transaction.savepoint_rollback(savepoint)

    def check(visit_history, orders, bindings):
        expected = defaultdict(lambda: defaultdict(int))
        expected_products = defaultdict(lambda: defaultdict(int))
        visitors, product_visitors = defaultdict(set), defaultdict(set)
        live, dead = [], []
        for reseller_index, day, channel, visitor, on_product, in_dead_batch in visit_history:
            reseller = resellers[reseller_index]
            shop, sku = shops[reseller_index]
            at = _moment(today, day, 10)
            product_id = sku.product_id if on_product else None
            item = visits._item(
                at=at,
                invite_code=reseller.invite_code,
                shop_id=shop.pk,
                product_id=product_id,
                channel=channel,
                key=f"{visitor:032d}",
            )
            (dead if in_dead_batch else live).append(item)
            key = (at.date(), reseller.pk, channel)
            expected[key]["visits"] += 1
            visitors[key].add(visitor)
            if product_id:
                product_key = (at.date(), reseller.pk, product_id)
                expected_products[product_key]["visits"] += 1
                product_visitors[product_key].add(visitor)
        for key, seen in visitors.items():
            expected[key]["visitors"] = len(seen)
        for key, seen in product_visitors.items():
            expected_products[key]["visitors"] = len(seen)

        # a drain claims the "dead" visits and dies; the live ones are pushed after
        now = time.time()
        if dead:
            visit_buffer.rpush(visits._key(visits.QUEUE_KEY), *dead)
            visits.visits_claim(batch_size=len(dead), now=now)
        if live:
            visit_buffer.rpush(visits._key(visits.QUEUE_KEY), *live)
        visits.visits_drain(now=now + 1)  # within the window: the dead batch waits
        visits.visits_drain(now=now + visits.STALE_AFTER + 1)  # after it: taken over

        for customer_index, reseller_index, day, source in sorted(bindings, key=lambda binding: binding[2]):
            binding_touch(
                customer=people[customer_index],
                reseller=resellers[reseller_index],
                source=source,
                at=_moment(today, day, 9),
            )
        for binding in Binding.objects.filter(customer__in=people):
            channel = BINDING_CHANNEL[binding.source]
            expected[(timezone.localdate(binding.bound_at), binding.reseller_id, channel)]["new_bindings"] += 1

        first_day = {}
        buyers = defaultdict(set)
        for buyer_index, reseller_index, day in sorted(orders, key=lambda order: order[2]):
            shop, sku = shops[reseller_index]
            at = _moment(today, day, 12)
            with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
                pay(place(buyer=people[buyer_index], shop=shop, sku=sku))
            reseller_id = resellers[reseller_index].pk
            key = (at.date(), reseller_id, "")
            expected[key]["orders"] += 1
            expected[key]["sales_amount"] += PRICE
            product_key = (at.date(), reseller_id, sku.product_id)
            expected_products[product_key]["orders"] += 1
            expected_products[product_key]["sales_amount"] += PRICE
            buyers[(key, buyer_index)] = first_day.setdefault((reseller_id, buyer_index), at.date())
        for (key, _buyer), first in buyers.items():
            expected[key]["buyers"] += 1
            expected[key]["repeat_buyers"] += first < key[0]
        product_buyers = defaultdict(set)
        for buyer_index, reseller_index, day in orders:
            product_buyers[
                (_moment(today, day, 12).date(), resellers[reseller_index].pk, shops[reseller_index][1].product_id)
            ].add(buyer_index)
        for key, seen in product_buyers.items():
            expected_products[key]["buyers"] = len(seen)
        for commission in Commission.objects.all():
            key = (timezone.localdate(commission.created_at), commission.beneficiary_id, "")
            expected[key]["commission_amount"] += commission.amount

        stats_recompute(first=today - timedelta(days=DAYS + 1), last=today)

        figures = [
            "visits",
            "visitors",
            "new_bindings",
            "orders",
            "buyers",
            "repeat_buyers",
            "sales_amount",
            "commission_amount",
        ]
        got = {
            (row["day"], row["reseller_id"], row["channel"]): {name: row[name] for name in figures if row[name]}
            for row in DailyStat.objects.values("day", "reseller_id", "channel", *figures)
        }
        assert got == {key: {k: v for k, v in value.items() if v} for key, value in expected.items()}
        product_figures = ["visits", "visitors", "orders", "buyers", "sales_amount"]
        got_products = {
            (row["day"], row["reseller_id"], row["product_id"]): {
                name: row[name] for name in product_figures if row[name]
            }
            for row in DailyProductStat.objects.values("day", "reseller_id", "product_id", *product_figures)
        }
        assert got_products == {key: {k: v for k, v in value.items() if v} for key, value in expected_products.items()}

        # what the dashboard reads: the platform's days (the roll-up's rows added up, GMV from the paid orders),
        # the totals per reseller, product and supplier, and the peers' ranking
        platform = defaultdict(lambda: defaultdict(int))
        totals = defaultdict(lambda: defaultdict(int))
        for (day, reseller_id, _channel), values in expected.items():
            for name, value in values.items():
                platform[day][name] += value
                if name in ("visits", "new_bindings", "orders", "sales_amount"):
                    totals[(day, TotalKind.RESELLER, reseller_id)][name] += value
        for (day, _reseller_id, product_id), values in expected_products.items():
            for name in ("visits", "orders", "sales_amount"):
                totals[(day, TotalKind.PRODUCT, product_id)][name] += values[name]
        for order in Order.objects.filter(buyer__in=people, paid_at__isnull=False):
            day = timezone.localdate(order.paid_at)
            platform[day]["gmv_amount"] += order.paid_amount
            platform[day]["paid_orders"] += 1
            for line in order.lines.all():
                totals[(day, TotalKind.SUPPLIER, line.supplier_id)]["sales_amount"] += line.paid_amount
                totals[(day, TotalKind.SUPPLIER, line.supplier_id)]["orders"] += 1
        platform_figures = [*figures, "gmv_amount", "paid_orders", "refunds_amount", "refunds"]
        got_platform = {
            row["day"]: {name: row[name] for name in platform_figures if row[name]}
            for row in DailyPlatformStat.objects.values("day", *platform_figures)
        }
        assert got_platform == {
            day: {k: v for k, v in value.items() if v} for day, value in platform.items() if any(value.values())
        }
        total_figures = ["visits", "new_bindings", "orders", "sales_amount"]
        got_totals = {
            (row["day"], row["kind"], row["item_id"]): {name: row[name] for name in total_figures if row[name]}
            for row in DailyTotal.objects.values("day", "kind", "item_id", *total_figures)
        }
        assert {key: value for key, value in got_totals.items() if value} == {
            key: {k: v for k, v in value.items() if v} for key, value in totals.items() if any(value.values())
        }
        for measure in RankMeasure.values:
            sums = defaultdict(int)
            for (day, kind, reseller_id), values in totals.items():
                if kind == TotalKind.RESELLER and day > today - timedelta(days=7):
                    if measure == RankMeasure.ACTIVITY:
                        sums[reseller_id] += values["visits"] + values["new_bindings"] + values["orders"]
                    else:
                        sums[reseller_id] += values[measure]
            expected_ranks = {
                reseller_id: (total, 1 + sum(other > total for other in sums.values()))
                for reseller_id, total in sums.items()
                if total > 0
            }
            got_ranks = {
                row.reseller_id: (row.total, row.rank) for row in PeriodRank.objects.filter(days=7, measure=measure)
            }
            assert got_ranks == expected_ranks

    property_holds()
