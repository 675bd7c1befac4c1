"""Taking and returning stock: the one writer of ``Sku.stock``.

Every change of a SKU's stock goes through here (as Saleor's
``warehouse/management.py``): a supplier counting it, an order taking it,
a cancelled or expired order giving it back.
``catalog/tests/test_stock.py`` reads the project's code and fails on any
other write.

The rules:

- **lock order**: whoever locks several SKUs locks them in id order
  (``stock_lock``; the PostgreSQL placing path's read ends ``ORDER BY id
  FOR UPDATE OF`` the SKU), so two checkouts of overlapping carts, or a
  checkout and a cancellation, never deadlock;
- **never below zero**: stock is taken with one conditional decrement
  (``stock = stock − q`` only where ``stock >= q``); fewer rows than SKUs
  means it ran out, and the caller's transaction rolls back. ``CHECK
  (stock >= 0)`` backs it;
- **returned whole**: a cancelled or expired order's units come back with
  one increment, under the same lock order.
"""

from collections.abc import Iterable, Mapping

from django.db import connection
from django.db.models import Case, F, Q, QuerySet, Value, When

from .models import Sku


def stock_lock(sku_ids: Iterable[int]) -> QuerySet[Sku]:
    """The SKUs, to be locked in id order (``FOR UPDATE OF`` the SKU rows
    only) when the query runs; the caller may join more (``select_related``)."""
    return Sku.objects.select_for_update(of=("self",)).filter(pk__in=list(sku_ids)).order_by("pk")


def stock_take(wanted: Mapping[int, int]) -> bool:
    """Take ``wanted[sku_id]`` units of each SKU (rows already locked in id
    order and checked) with one conditional UPDATE; False when the database
    took fewer rows than asked (the caller's transaction rolls back)."""
    if len(set(wanted.values())) == 1:
        # the usual cart takes as many of each SKU (one of each): no CASE to build, which cost more
        # Python than the rest of the statement
        quantity = next(iter(wanted.values()))
        updated = Sku.objects.filter(pk__in=list(wanted), stock__gte=quantity).update(stock=F("stock") - quantity)
    else:
        condition = Q()
        for sku_id, quantity in wanted.items():
            condition |= Q(pk=sku_id, stock__gte=quantity)
        decrement = Case(*(When(pk=sku_id, then=Value(quantity)) for sku_id, quantity in wanted.items()))
        updated = Sku.objects.filter(condition).update(stock=F("stock") - decrement)
    return updated == len(wanted)


def stock_take_sql(*, sku_ids: str, quantities: str) -> str:
    """``stock_take`` as one SQL statement, for a caller that inlines it in a
    statement of its own (the PostgreSQL placing path's data-modifying CTE):
    ``sku_ids`` and ``quantities`` are the SQL of two arrays (parameters),
    and the statement returns the id of every SKU that gave its units (as
    many rows as SKUs, or the caller must give up)."""
    table = connection.ops.quote_name(Sku._meta.db_table)
    return (
        f"UPDATE {table} AS s SET stock = s.stock - wanted.quantity "  # noqa: S608 - the table name is the model's
        f"FROM unnest({sku_ids}, {quantities}) AS wanted(id, quantity) "
        "WHERE s.id = wanted.id AND s.stock >= wanted.quantity "
        "RETURNING s.id"
    )


def stock_return(quantities: Mapping[int, int]) -> None:
    """Give back ``quantities[sku_id]`` units of each SKU (a cancelled or
    expired order's): the SKUs are locked in id order, then one UPDATE adds
    the units."""
    if not quantities:
        return
    list(stock_lock(quantities).values_list("pk", flat=True))
    increment = Case(*(When(pk=sku_id, then=Value(quantity)) for sku_id, quantity in quantities.items()))
    Sku.objects.filter(pk__in=list(quantities)).update(stock=F("stock") + increment)


def stock_count_set(*, sku: Sku, count: int) -> None:
    """A supplier's count of the SKU, new or edited (``sku`` not saved yet,
    or locked by the caller, who saves it with the rest of its edit)."""
    sku.stock = count
