"""The hand-written SQL helpers: rows read beside the ORM come back as the
ORM would give them, and a prepared statement is prepared once per
connection, again on a new one."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import ApiToken, User
from accounts.services import api_token_create
from accounts.tests.factories import UserFactory
from catalog.models import Sku
from catalog.tests.factories import SkuFactory
from socialshop.sql import ModelColumns, Prepared


def _read(model, pk: int):
    columns = ModelColumns(model, "t")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns.sql} FROM {connection.ops.quote_name(model._meta.db_table)} t WHERE t.id = %s",  # noqa: S608
            [pk],
        )
        return columns.load(list(cursor.fetchone()))


@pytest.mark.django_db
@pytest.mark.parametrize("model", [Sku, User, ApiToken], ids=["json", "user", "datetimes"])
def test_a_row_read_by_hand_is_the_instance_the_orm_reads(model):
    # a SKU has a JSON spec; a user and a token have aware datetimes (SQLite hands them over naive)
    sku = SkuFactory(spec={"颜色": "红色"})
    token, _secret = api_token_create(user=UserFactory(), name="pos")
    pk = {Sku: sku.pk, User: token.user_id, ApiToken: token.pk}[model]

    by_hand, by_orm = _read(model, pk), model.objects.get(pk=pk)

    for field in model._meta.concrete_fields:
        assert getattr(by_hand, field.attname) == getattr(by_orm, field.attname), field.name
    assert not by_hand._state.adding and by_hand._state.db == by_orm._state.db


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # closes the connection, which a test's transaction forbids
def test_a_statement_is_prepared_once_per_connection_and_again_on_a_new_one():
    statement = Prepared("socialshop_test_twice", "SELECT $1::bigint * 2", ["bigint"])

    def run() -> tuple[list[tuple], list[str]]:
        with CaptureQueriesContext(connection) as queries:
            rows = statement.run([21])
        return rows, [query["sql"].split()[0] for query in queries]

    assert run() == ([(42,)], ["PREPARE", "EXECUTE"])
    assert run() == ([(42,)], ["EXECUTE"])
    connection.close()
    assert run() == ([(42,)], ["PREPARE", "EXECUTE"])
