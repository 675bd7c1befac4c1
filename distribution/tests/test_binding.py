"""Binding customers (锁粉): the services and selectors, under each rule."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from distribution.choices import BindingAfterLifetime, BindingRule, BindingSource, ResellerStatus
from distribution.exceptions import InviteCodeUnknown, SelfBindingRefused
from distribution.models import Binding
from distribution.selectors import binding_reseller_for, binding_state
from distribution.services import binding_touch, binding_touch_by_code

from .factories import ResellerFactory

pytestmark = pytest.mark.django_db

LINK = BindingSource.LINK
T0 = timezone.now() - timedelta(days=400)


def days(n: float):
    return T0 + timedelta(days=n)


@pytest.fixture
def customer():
    return UserFactory()


@pytest.fixture
def xiaomei():
    return ResellerFactory()


@pytest.fixture
def ajie():
    return ResellerFactory()


def test_a_first_visit_binds_and_records_where_and_when(customer, xiaomei):
    binding = binding_touch(customer=customer, reseller=xiaomei, source=LINK, at=days(0))

    assert (binding.reseller, binding.source, binding.bound_at, binding.ended_at) == (xiaomei, LINK, days(0), None)
    assert binding_reseller_for(customer=customer, now=days(1)) == xiaomei


def test_first_touch_keeps_the_first_reseller_within_the_lifetime(distribution_settings, customer, xiaomei, ajie):
    distribution_settings(binding_rule=BindingRule.FIRST_TOUCH, binding_lifetime_days=30)
    binding_touch(customer=customer, reseller=xiaomei, source=LINK, at=days(0))

    binding_touch(customer=customer, reseller=ajie, source=LINK, at=days(29))

    assert binding_reseller_for(customer=customer, now=days(29)) == xiaomei
    assert Binding.objects.count() == 1


def test_first_touch_lets_another_reseller_take_over_after_the_lifetime(distribution_settings, customer, xiaomei, ajie):
    distribution_settings(binding_rule=BindingRule.FIRST_TOUCH, binding_lifetime_days=30)
    first = binding_touch(customer=customer, reseller=xiaomei, source=LINK, at=days(0))

    binding_touch(customer=customer, reseller=ajie, source=BindingSource.INVITE_CODE, at=days(31))

    assert binding_reseller_for(customer=customer, now=days(31)) == ajie
    first.refresh_from_db()
    assert first.ended_at == days(31)  # the history keeps who was bound when
    current = Binding.objects.get(ended_at__isnull=True)
    assert (current.source, current.bound_at) == (BindingSource.INVITE_CODE, days(31))


def test_a_visit_through_the_same_link_renews_the_lifetime(distribution_settings, customer, xiaomei, ajie):
    distribution_settings(binding_rule=BindingRule.FIRST_TOUCH, binding_lifetime_days=30)
    binding_touch(customer=customer, reseller=xiaomei, source=LINK, at=days(0))
    binding_touch(customer=customer, reseller=xiaomei, source=LINK, at=days(20))

    binding_touch(customer=customer, reseller=ajie, source=LINK, at=days(40))

    assert binding_reseller_for(customer=customer, now=days(40)) == xiaomei
    assert binding_state(customer=customer, now=days(40)).replaceable_from == days(50)
    assert Binding.objects.get().bound_at == days(0)


def test_permanent_first_touch_never_changes(distribution_settings, customer, xiaomei, ajie):
    distribution_settings(binding_rule=BindingRule.FIRST_TOUCH, binding_lifetime_days=None)
    binding_touch(customer=customer, reseller=xiaomei, source=LINK, at=days(0))

    binding_touch(customer=customer, reseller=ajie, source=LINK, at=days(365))

    assert binding_reseller_for(customer=customer, now=days(399)) == xiaomei
    assert binding_state(customer=customer, now=days(399)).replaceable_from is None


def test_last_touch_rebinds_on_every_other_link(distribution_settings, customer, xiaomei, ajie):
    distribution_settings(binding_rule=BindingRule.LAST_TOUCH, binding_lifetime_days=None)
    binding_touch(customer=customer, reseller=xiaomei, source=LINK, at=days(0))

    binding_touch(customer=customer, reseller=ajie, source=LINK, at=days(1))
    assert binding_reseller_for(customer=customer, now=days(1)) == ajie
    binding_touch(customer=customer, reseller=xiaomei, source=LINK, at=days(2))

    assert binding_reseller_for(customer=customer, now=days(2)) == xiaomei
    assert list(Binding.objects.order_by("bound_at").values_list("reseller", flat=True)) == [
        xiaomei.id,
        ajie.id,
        xiaomei.id,
    ]


def test_an_older_visit_never_replaces_a_newer_one(distribution_settings, customer, xiaomei, ajie):
    distribution_settings(binding_rule=BindingRule.LAST_TOUCH)
    binding_touch(customer=customer, reseller=xiaomei, source=LINK, at=days(10))

    # a remembered visit from before (the cookie of another link) comes in late, at log-in
    binding_touch(customer=customer, reseller=ajie, source=LINK, at=days(5))

    assert binding_reseller_for(customer=customer, now=days(11)) == xiaomei


@pytest.mark.parametrize(
    "after_lifetime, bound_after",
    [(BindingAfterLifetime.REPLACEABLE, True), (BindingAfterLifetime.ENDS, False)],
)
def test_after_its_lifetime_a_binding_counts_or_ends_as_set(
    distribution_settings, customer, xiaomei, after_lifetime, bound_after
):
    distribution_settings(binding_lifetime_days=30, binding_after_lifetime=after_lifetime)
    binding_touch(customer=customer, reseller=xiaomei, source=LINK, at=days(0))

    assert binding_reseller_for(customer=customer, now=days(29)) == xiaomei
    assert (binding_reseller_for(customer=customer, now=days(31)) == xiaomei) is bound_after


def test_an_ended_binding_starts_again_with_the_next_link(distribution_settings, customer, xiaomei):
    distribution_settings(binding_lifetime_days=30, binding_after_lifetime=BindingAfterLifetime.ENDS)
    binding_touch(customer=customer, reseller=xiaomei, source=LINK, at=days(0))

    binding_touch(customer=customer, reseller=xiaomei, source=LINK, at=days(60))

    assert binding_reseller_for(customer=customer, now=days(61)) == xiaomei


def test_a_reseller_is_never_bound_to_itself(xiaomei):
    with pytest.raises(SelfBindingRefused):
        binding_touch(customer=xiaomei.user, reseller=xiaomei, source=LINK)

    assert not Binding.objects.exists()


def test_resellers_may_be_bound_to_others_as_buyers(xiaomei, ajie):
    binding_touch(customer=ajie.user, reseller=xiaomei, source=LINK)

    assert binding_reseller_for(customer=ajie.user) == xiaomei


@pytest.mark.parametrize("status", [ResellerStatus.FROZEN, ResellerStatus.PENDING])
def test_an_inactive_reseller_binds_nobody(customer, status):
    reseller = ResellerFactory(status=status)

    assert binding_touch(customer=customer, reseller=reseller, source=LINK) is None
    assert not Binding.objects.exists()


def test_an_unknown_code_binds_nobody(customer):
    with pytest.raises(InviteCodeUnknown):
        binding_touch_by_code(customer=customer, invite_code="NOPE22", source=LINK)


def test_one_current_binding_per_customer_is_a_database_rule(customer, xiaomei, ajie):
    from django.db import IntegrityError, transaction

    binding_touch(customer=customer, reseller=xiaomei, source=LINK)

    with pytest.raises(IntegrityError), transaction.atomic():
        now = timezone.now()
        Binding.objects.create(customer=customer, reseller=ajie, source=LINK, bound_at=now, touched_at=now)


def test_a_future_time_is_taken_as_now(customer, xiaomei):
    binding = binding_touch(customer=customer, reseller=xiaomei, source=LINK, at=timezone.now() + timedelta(days=3))

    assert binding.bound_at <= timezone.now()


def test_nobody_is_bound_until_a_link_is_opened(customer):
    assert binding_state(customer=customer) is None
    assert binding_reseller_for(customer=customer) is None
