import pytest

from accounts.tests.factories import OperatorFactory
from distribution.models import DistributionSettings


@pytest.fixture
def operator(db):
    return OperatorFactory()


@pytest.fixture
def distribution_settings(db):
    """Change the platform's distribution settings: ``distribution_settings(binding_rule=...)``."""

    def change(**fields) -> DistributionSettings:
        settings, _ = DistributionSettings.objects.update_or_create(
            pk=DistributionSettings.SINGLETON_ID, defaults=fields
        )
        return settings

    return change
