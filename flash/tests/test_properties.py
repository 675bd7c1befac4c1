"""The gate under random sequences of taps, orders, payments, cancellations,
expiries and lost Redis keys (hypothesis' state machine over the real
services, PostgreSQL and Redis). After every step:

- PostgreSQL: the units held (``taken``) are the active admissions, never
  more than the flash stock; nobody holds more than the per-person limit;
- the gate, when it has keys, holds exactly what PostgreSQL counts (units
  left, tokens, each buyer's count);
- conservation: the SKU's stock + the flash stock not yet sold + the units
  in live orders is the stock the SKU started with.
"""

from datetime import timedelta

import pytest
import redis
from django.conf import settings as django_settings
from django.test import TestCase
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from accounts.tests.factories import UserFactory
from catalog.models import Sku
from flash.choices import ACTIVE_ADMISSIONS, AdmissionStatus
from flash.gate import gate_read
from flash.models import FlashAdmission
from flash.services import flash_admissions_expire, flash_admit, flash_order_place
from orders.choices import Actor, OrderStatus, Reason
from orders.services.lifecycle import order_cancel
from orders.tests.factories import an_address, pay
from socialshop.errors import DomainError

from .factories import a_flash_item

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db]

STOCK, UNITS, LIMIT, BUYERS = 8, 4, 2, 4


def _committed(call):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return call()


class Gate(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.now = timezone.now()
        self.item = a_flash_item(units=UNITS, stock=STOCK, limit=LIMIT, hold_minutes=5, lasts=timedelta(days=3))
        self.buyers = [UserFactory() for _ in range(BUYERS)]

    def _try(self, call):
        try:
            return _committed(call)
        except DomainError:
            return None  # refused with a code: the invariants say whether it was right

    def _active(self):
        return FlashAdmission.objects.filter(item=self.item, status__in=ACTIVE_ADMISSIONS)

    @rule(buyer=st.integers(0, BUYERS - 1))
    def tap(self, buyer):
        self._try(lambda: flash_admit(item_id=self.item.pk, buyer=self.buyers[buyer], now=self.now))

    @rule(pick=st.integers(0, 10))
    def order(self, pick):
        waiting = list(self._active().filter(status=AdmissionStatus.ADMITTED).order_by("pk"))
        if waiting:
            admission = waiting[pick % len(waiting)]
            self._try(
                lambda: flash_order_place(
                    buyer=admission.buyer, token=admission.token, address=an_address(), now=self.now
                )
            )

    @rule(pick=st.integers(0, 10), cancel=st.booleans())
    def pay_or_cancel(self, pick, cancel):
        unpaid = list(
            self._active()
            .filter(status=AdmissionStatus.ORDERED, order__status=OrderStatus.PENDING_PAYMENT)
            .select_related("order")
            .order_by("pk")
        )
        if not unpaid:
            return
        order = unpaid[pick % len(unpaid)].order
        if cancel:
            self._try(
                lambda: order_cancel(
                    order_id=order.pk,
                    by=order.buyer,
                    actor_kind=Actor.BUYER,
                    reason=Reason.CANCELLED_BY_BUYER,
                    buyer=order.buyer,
                )
            )
        else:
            self._try(lambda: pay(order))

    @rule(minutes=st.sampled_from([1, 3, 6]))
    def time_passes_and_the_sweep_runs(self, minutes):
        self.now += timedelta(minutes=minutes)
        _committed(lambda: flash_admissions_expire(now=self.now))

    @rule()
    def redis_loses_the_gate(self):
        prefix = f"{django_settings.FLASH_KEY_PREFIX}item:{self.item.pk}"
        redis.Redis.from_url(django_settings.FLASH_REDIS_URL).delete(prefix, f"{prefix}:buyers", f"{prefix}:held")

    @invariant()
    def postgres_counts_hold(self):
        self.item.refresh_from_db()
        active = list(self._active().values_list("buyer_id", flat=True))
        assert self.item.taken == len(active) <= self.item.flash_stock <= UNITS
        assert all(active.count(buyer) <= LIMIT for buyer in set(active))
        ordered = self._active().filter(status=AdmissionStatus.ORDERED).count()
        assert self.item.sold == ordered

    @invariant()
    def the_gate_holds_what_postgres_counts(self):
        self.item.refresh_from_db()
        gate = gate_read(item_id=self.item.pk)
        if gate is None:
            return  # lost: the next tap rebuilds it
        tokens = sorted(self._active().values_list("token", flat=True))
        assert gate["tokens"] == tokens
        assert gate["left"] == self.item.flash_stock - self.item.taken
        counts = {buyer: count for buyer, count in gate["buyers"].items() if count}
        expected: dict[int, int] = {}
        for buyer in self._active().values_list("buyer_id", flat=True):
            expected[buyer] = expected.get(buyer, 0) + 1
        assert counts == expected

    @invariant()
    def no_unit_is_made_or_lost(self):
        self.item.refresh_from_db()
        in_orders = self._active().filter(
            status=AdmissionStatus.ORDERED, order__status__in=[OrderStatus.PENDING_PAYMENT, OrderStatus.PAID]
        )
        held = self.item.flash_stock - self.item.sold
        assert Sku.objects.get(pk=self.item.sku_id).stock + held + in_orders.count() == STOCK


def test_random_taps_orders_expiries_and_lost_gates_keep_the_counts():
    run_state_machine_as_test(
        Gate,
        settings=settings(
            max_examples=25,
            stateful_step_count=25,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    assert FlashAdmission.objects.filter(status=AdmissionStatus.RELEASED).exists()
    assert FlashAdmission.objects.filter(order__status=OrderStatus.PAID).exists()
