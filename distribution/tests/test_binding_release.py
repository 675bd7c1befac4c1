"""A customer asks to be unbound (issue 19): allowed when the binding rule
would let another reseller's link take over now, otherwise refused with the
day from which it can, and nothing changes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from distribution.choices import BindingRule, BindingSource
from distribution.exceptions import BindingMissing, BindingReleaseRefused
from distribution.models import Binding, DistributionSettings
from distribution.services import binding_release, binding_touch

from .factories import ResellerFactory

pytestmark = pytest.mark.django_db


def bound(days_ago: int = 0):
    customer = UserFactory()
    binding_touch(
        customer=customer,
        reseller=ResellerFactory(),
        source=BindingSource.LINK,
        at=timezone.now() - timedelta(days=days_ago),
    )
    return customer


def test_under_first_touch_a_binding_inside_its_lifetime_holds_and_the_page_says_until_when(client):
    customer = bound(days_ago=10)  # default: first touch, 30 days
    client.force_login(customer)

    with pytest.raises(BindingReleaseRefused) as refused:
        binding_release(customer=customer)
    page = client.post("/binding/end/", follow=True)

    until = timezone.localtime(timezone.now() + timedelta(days=20)).strftime("%Y-%m-%d")
    assert refused.value.extra["available_from"] == until
    assert until in page.content.decode() and "届时起可以解除" in page.content.decode()
    assert Binding.objects.get(customer=customer).ended_at is None


def test_once_outlived_or_under_last_touch_the_customer_is_unbound(client):
    outlived = bound(days_ago=31)
    DistributionSettings.objects.create(binding_rule=BindingRule.LAST_TOUCH)
    fresh = bound()

    binding_release(customer=outlived)
    client.force_login(fresh)
    page = client.post("/binding/end/", follow=True)

    assert Binding.objects.filter(ended_at__isnull=True).count() == 0
    assert "已解除" in page.content.decode()
    with pytest.raises(BindingMissing):
        binding_release(customer=fresh)


def test_a_permanent_binding_under_first_touch_cannot_be_ended():
    DistributionSettings.objects.create(binding_lifetime_days=None)
    customer = bound(days_ago=400)

    with pytest.raises(BindingReleaseRefused):
        binding_release(customer=customer)
    assert Binding.objects.get(customer=customer).ended_at is None
