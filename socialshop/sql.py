"""Hand-written SQL beside the ORM, for the few hot paths that measured
the ORM's statement building as most of their time (placing an order, the
API token on every request; bench/README.md). The columns and instances
still come from the models, so the models stay the one description of the
schema."""

from dataclasses import dataclass
from weakref import WeakKeyDictionary

from django.db import connection
from django.db.models import Model


class ModelColumns:
    """A model's concrete columns as one SELECT list under ``alias``, and the
    instance built from its slice of a row (converted as the ORM converts)."""

    def __init__(self, model: type[Model], alias: str):
        quote = connection.ops.quote_name
        self.model = model
        self.fields = model._meta.concrete_fields
        self.sql = ", ".join(f"{alias}.{quote(field.column)}" for field in self.fields)
        self.converters = []  # what the ORM's compiler applies: the backend's (SQLite's datetimes), the field's (JSON)
        for index, field in enumerate(self.fields):
            column = field.get_col(alias)
            for convert in connection.ops.get_db_converters(column) + column.get_db_converters(connection):
                self.converters.append((index, convert, column))

    def __len__(self):
        return len(self.fields)

    def load(self, values: list):
        for index, convert, column in self.converters:
            values[index] = convert(values[index], column, connection)
        return self.model.from_db(connection.alias, None, values)


@dataclass(frozen=True)
class SqlJoin:
    """A rule as SQL, from the app that owns it, for a hand-written statement
    to put in its ``FROM``: the tables joined (under the aliases the caller
    chose) and the condition their rows meet. The app keeps it beside the
    rule's queryset and tests the two select the same rows."""

    tables: str
    condition: str


def sql_column(model: type[Model], field: str) -> str:
    """A field's column, quoted."""
    return connection.ops.quote_name(model._meta.get_field(field).column)


def sql_table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def sql_word(value: str) -> str:
    """A choice's value (a plain word) as an SQL literal: written into a
    statement rather than sent as a parameter, it is planned for."""
    if not value.isidentifier():
        raise ValueError(f"not a plain word: {value!r}")
    return f"'{value}'"


_prepared_on: "WeakKeyDictionary[object, set[str]]" = WeakKeyDictionary()


class Prepared:
    """A statement PostgreSQL parses and plans once per connection
    (``PREPARE``) and then runs by name (``EXECUTE``); PostgreSQL only. For
    statements whose planning costs as much as their running: placing's read
    and write join and write several tables, for every order. Persistent connections
    (``CONN_MAX_AGE``, 60 s in production) keep them. A prepared statement
    lives as long as its session (a rollback keeps it), so this needs
    PostgreSQL directly or a session-pooling proxy, not a transaction-pooling
    one (docs/orders.md)."""

    def __init__(self, name: str, sql: str, types: list[str]):
        self.name, self.sql, self.types = name, sql, types
        # each value cast to its parameter's type: psycopg2 sends a list of NULLs as text[]
        self.execute = f"EXECUTE {name} ({', '.join(f'%s::{type_}' for type_ in types)})"

    def run(self, params: list) -> list[tuple]:
        with connection.cursor() as cursor:
            prepared = _prepared_on.setdefault(cursor.connection, set())
            if self.name not in prepared:
                cursor.execute(f"PREPARE {self.name} ({', '.join(self.types)}) AS {self.sql}")
                prepared.add(self.name)
            cursor.execute(self.execute, params)
            return cursor.fetchall()
