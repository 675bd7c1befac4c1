"""``catalog/stock.py`` is the one writer of ``Sku.stock``: taking it for an
order (never below zero), giving it back, a supplier's count. The project's
code is read as Python syntax trees (tests and migrations aside, which build
worlds and schemas); any other write of the column fails here. Then the
module's own promises, on the ORM form and on the SQL form placing inlines."""

import ast
from pathlib import Path

import pytest
from django.db import connection, transaction

from catalog.models import Sku
from catalog.stock import stock_count_set, stock_lock, stock_return, stock_take, stock_take_sql
from catalog.tests.factories import SkuFactory
from socialshop.tests.codescan import ROOT, constant_strings, project_python_files

OWNER = Path("catalog/stock.py")
WRITING_CALLS = frozenset({"update", "create", "get_or_create", "update_or_create", "Sku"})


def _stock_writes(source: str) -> list[str]:
    """Each write of a ``stock`` column: ``x.stock =`` (also ``+=``),
    ``.update(stock=…)`` / ``.create(stock=…)`` / ``Sku(stock=…)``,
    ``setattr(x, "stock", …)``, ``bulk_update`` naming it, SQL that sets it."""
    found = []
    for node in ast.walk(ast.parse(source)):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            for part in ast.walk(target):
                if isinstance(part, ast.Attribute) and part.attr == "stock" and isinstance(part.ctx, ast.Store):
                    found.append(f"{node.lineno}: .stock =")
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in WRITING_CALLS and any(keyword.arg == "stock" for keyword in node.keywords):
                found.append(f"{node.lineno}: {name}(stock=…)")
            if name == "setattr" and len(node.args) >= 2 and "stock" in constant_strings(node.args[1]):
                found.append(f"{node.lineno}: setattr(…, 'stock')")
            if name == "bulk_update" and "stock" in set().union(*map(constant_strings, node.args[1:])):
                found.append(f"{node.lineno}: bulk_update of stock")
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "set stock" in node.value.lower():
            found.append(f"{node.lineno}: SQL setting stock")
    return found


def test_no_code_but_catalog_stock_writes_a_skus_stock():
    files = project_python_files(owner=OWNER)
    assert len(files) > 100  # the scan reads the project, not an empty folder

    writes = [f"{relative}:{write}" for relative in files for write in _stock_writes((ROOT / relative).read_text())]

    assert writes == [], "Sku.stock changes only through catalog/stock.py:\n" + "\n".join(writes)


def test_the_owner_itself_is_seen_writing():
    """The scan would find the owner's writes: it is not blind."""
    assert len(_stock_writes((ROOT / OWNER).read_text())) >= 4


@pytest.mark.parametrize(
    "source",
    [
        "def f(sku):\n    sku.stock = 3\n",
        "def f(sku):\n    sku.stock -= 1\n",
        "def f(rows):\n    rows.update(stock=F('stock') - 1)\n",
        "def f(p):\n    Sku.objects.create(product=p, stock=5)\n",
        "def f(sku):\n    setattr(sku, 'stock', 2)\n",
        "def f(rows):\n    Sku.objects.bulk_update(rows, ['stock'])\n",
        "SQL = 'UPDATE catalog_sku SET stock = stock - 1'\n",
    ],
)
def test_the_scan_finds_each_kind_of_write(source):
    assert _stock_writes(source)


@pytest.mark.django_db
def test_stock_is_taken_only_whole_and_never_below_zero():
    # given two SKUs, 3 and 1 in stock
    first, second = SkuFactory(stock=3), SkuFactory(stock=1)

    # when an order asks for 2 of each (its caller rolling back the refusal), then another for 1 of each
    with transaction.atomic():
        list(stock_lock([first.pk, second.pk]))
        with transaction.atomic():
            refused = stock_take({first.pk: 2, second.pk: 2})
            transaction.set_rollback(True)
    with transaction.atomic():
        list(stock_lock([first.pk, second.pk]))
        taken = stock_take({first.pk: 1, second.pk: 1})

    # then the first is refused and leaves the stock whole, the second takes its units
    assert refused is False and taken is True
    assert sorted(Sku.objects.filter(pk__in=[first.pk, second.pk]).values_list("stock", flat=True)) == [0, 2]


@pytest.mark.django_db
def test_returned_stock_adds_up():
    sku = SkuFactory(stock=3)

    stock_return({sku.pk: 4})

    sku.refresh_from_db()
    assert sku.stock == 7


@pytest.mark.django_db
def test_a_suppliers_count_is_kept_on_the_row_it_saves():
    sku = SkuFactory(stock=3)

    stock_count_set(sku=sku, count=9)
    sku.save()

    sku.refresh_from_db()
    assert sku.stock == 9


@pytest.mark.django_db
def test_the_sql_form_takes_what_the_orm_form_takes():
    if connection.vendor != "postgresql":
        pytest.skip("the SQL form is the PostgreSQL placing path's")
    # given a SKU with 2 left and one with 5
    short, plenty = SkuFactory(stock=2), SkuFactory(stock=5)

    # when the SQL form asks for 3 of each
    with connection.cursor() as cursor:
        cursor.execute(
            stock_take_sql(sku_ids="%s::bigint[]", quantities="%s::integer[]"), [[short.pk, plenty.pk], [3, 3]]
        )
        taken = {row[0] for row in cursor.fetchall()}

    # then only the one with enough gives its units, as stock_take's condition says
    assert taken == {plenty.pk}
    assert Sku.objects.get(pk=short.pk).stock == 2
    assert Sku.objects.get(pk=plenty.pk).stock == 2
