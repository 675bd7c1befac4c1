import pytest

from accounts.tests.factories import OperatorFactory
from distribution.models import DistributionSettings


@pytest.fixture
def operator(db):
    return OperatorFactory()


@pytest.fixture
def tier_count(monkeypatch):
    """Say how many tiers earn for this test (the commission plan's business
    in the running platform): ``tier_count(3)``."""
    from distribution import selectors

    def change(count: int) -> None:
        monkeypatch.setattr(selectors, "_tier_count_source", lambda: count)

    return change


@pytest.fixture
def distribution_settings(db):
    """Change the platform's distribution settings: ``distribution_settings(binding_rule=...)``."""

    def change(**fields) -> DistributionSettings:
        settings, _ = DistributionSettings.objects.update_or_create(
            pk=DistributionSettings.SINGLETON_ID, defaults=fields
        )
        return settings

    return change
