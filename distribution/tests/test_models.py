"""The rules the database itself enforces, whatever code writes."""

import pytest
from django.db import IntegrityError, transaction

from distribution.models import DistributionSettings, Reseller, ResellerEvent, ResellerSale

from .factories import ResellerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("days", [0, -1])
def test_a_binding_lifetime_is_positive_or_permanent(days):
    with pytest.raises(IntegrityError), transaction.atomic():
        DistributionSettings.objects.create(binding_lifetime_days=days)


def test_there_is_one_settings_row():
    with pytest.raises(IntegrityError), transaction.atomic():
        DistributionSettings.objects.create(id=2)


def test_a_reseller_is_never_its_own_inviter():
    reseller = ResellerFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Reseller.objects.filter(pk=reseller.pk).update(inviter=reseller)


def test_a_move_is_never_recorded_without_a_reason():
    reseller = ResellerFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        ResellerEvent.objects.create(reseller=reseller, kind="moved", reason="")


def test_a_sale_is_recorded_once_per_key():
    reseller = ResellerFactory()
    ResellerSale.objects.create(reseller=reseller, amount=100, key="order-line:1:paid")

    with pytest.raises(IntegrityError), transaction.atomic():
        ResellerSale.objects.create(reseller=reseller, amount=100, key="order-line:1:paid")
