"""The sandbox payout provider, through the interface commissions calls."""

import pytest

from commissions.providers import PayoutProviderUnavailable, payout_provider
from sandbox.payouts import SandboxPayoutProvider

pytestmark = pytest.mark.django_db


def test_it_is_the_default_payout_provider():
    assert isinstance(payout_provider(), SandboxPayoutProvider)


def test_a_reference_is_paid_once_and_answered_the_same_every_time(settings):
    settings.PAYOUT_SANDBOX_FAILURE_RATE = 0.0
    provider = payout_provider()

    first = provider.payout_send(reference="WD1-A", reseller_id=7, amount=10_000)
    again = provider.payout_send(reference="WD1-A", reseller_id=7, amount=10_000)

    assert first.succeeded and first == again
    assert list(provider.payouts_made()) == ["WD1-A"]


def test_payouts_made_names_only_what_it_paid(settings):
    settings.PAYOUT_SANDBOX_FAILURE_RATE = 0.0
    provider = payout_provider()
    provider.payout_send(reference="WD1-A", reseller_id=7, amount=10_000)
    refused = provider.payout_send(reference="WD2-A", reseller_id=7, amount=10_013)  # the "test card" amount

    assert not refused.succeeded and refused.failure_reason
    assert set(provider.payouts_made()) == {"WD1-A"}


def test_an_outage_pays_nothing_yet_its_records_still_answer(settings):
    settings.PAYOUT_SANDBOX_FAILURE_RATE = 0.0
    provider = payout_provider()
    provider.payout_send(reference="WD1-A", reseller_id=7, amount=10_000)
    settings.PAYOUT_SANDBOX_OUTAGE = True

    with pytest.raises(PayoutProviderUnavailable):
        provider.payout_send(reference="WD2-A", reseller_id=7, amount=10_000)
    assert list(provider.payouts_made()) == ["WD1-A"]
