"""The customer's current binding and the platform's settings row are read
by ``distribution/selectors.py`` through the ORM (``binding_reseller_for``)
and, for orders' PostgreSQL placing store, as SQL
(``binding_current_sql``, ``distribution_settings_sql``). This holds the two
forms to the same rows on generated histories of bindings: none, ended ones,
a current one, for several customers at once. (Whether the binding read is
in force is decided on the row, by ``binding_reseller_in_force``, on both
paths.)"""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.tests.factories import UserFactory
from distribution.choices import BindingSource
from distribution.models import Binding, DistributionSettings
from distribution.selectors import (
    _binding_current,
    binding_current_sql,
    distribution_settings_get,
    distribution_settings_sql,
)
from distribution.tests.factories import ResellerFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="runs the SQL form on PostgreSQL"),
]


def _current_by_sql(customer_id: int) -> tuple[int, int] | None:
    current = binding_current_sql(customer="%s", binding="bd_", reseller="rs_")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT bd_.id, rs_.id FROM {current.tables} WHERE {current.condition}", [customer_id])  # noqa: S608
        rows = cursor.fetchall()
    assert len(rows) <= 1
    return rows[0] if rows else None


def _settings_by_sql() -> int | None:
    row = distribution_settings_sql(alias="st_")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT st_.id FROM {row.tables} WHERE {row.condition}")  # noqa: S608
        rows = cursor.fetchall()
    return rows[0][0] if rows else None


# a customer's history: the resellers it was bound to, oldest first, and whether the last one still holds
histories = st.tuples(st.lists(st.integers(min_value=0, max_value=2), max_size=3), st.booleans())


def test_the_current_binding_is_the_same_row_in_both_forms():
    # given three customers and three resellers
    customers = [UserFactory() for _ in range(3)]
    resellers = [ResellerFactory() for _ in range(3)]
    seen = set()

    @settings(
        max_examples=100, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(histories=st.lists(histories, min_size=3, max_size=3), settings_saved=st.booleans())
    def forms_agree(histories, settings_saved):
        savepoint = transaction.savepoint()
        try:
            # when each customer gets its generated history (ended bindings, then perhaps a current one)
            start = timezone.now() - timedelta(days=100)
            rows = []
            for customer, (bound_to, last_holds) in zip(customers, histories, strict=True):
                for index, reseller in enumerate(bound_to):
                    at = start + timedelta(days=10 * index)
                    current = last_holds and index == len(bound_to) - 1
                    rows.append(
                        Binding(
                            customer=customer,
                            reseller=resellers[reseller],
                            source=BindingSource.LINK,
                            bound_at=at,
                            touched_at=at,
                            ended_at=None if current else at + timedelta(days=5),
                        )
                    )
            Binding.objects.bulk_create(rows)
            if settings_saved:
                DistributionSettings.objects.create(binding_lifetime_days=7)

            # then the ORM and the SQL read the same current binding (and its reseller) for each customer
            for customer in customers:
                by_orm = _binding_current(customer, related="reseller")
                by_sql = _current_by_sql(customer.pk)
                assert by_sql == (None if by_orm is None else (by_orm.pk, by_orm.reseller.pk))
                seen.add(by_sql is None)
            # and the same settings row: the saved one, or none (the defaults)
            assert _settings_by_sql() == (distribution_settings_get().pk if settings_saved else None)
        finally:
            transaction.savepoint_rollback(savepoint)

    forms_agree()
    assert seen == {True, False}  # customers with a current binding and customers without one
