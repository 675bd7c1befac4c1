"""Placing an order on PostgreSQL in one read and one write.

``orders.services.placing`` decides everything about an order in Python, on
either path: which lines can be bought where, at which price, attributed to
whom, whether the stock suffices. This module only moves the rows, in the
two round trips PostgreSQL allows:

- ``place_read``: one SELECT locks the SKUs **in id order**
  (``ORDER BY id FOR UPDATE OF`` the SKU), exactly as the ORM path does, and
  brings along their product and supplier, the picks of the named shops
  that are open to buyers (with the shop, its owner and the shop's stored
  price), and, when a line is bought outside any shop, the buyer's current
  binding with the platform's distribution settings.
- ``place_write``: one statement of data-modifying CTEs takes the stock
  (``catalog.stock.stock_take_sql``, the stock module's own SQL:
  ``stock = stock − q`` only where ``stock >= q``, so the ``CHECK`` still
  backs it), then inserts the order, its fulfilment groups and its lines
  only if every SKU gave its units.

Why: building the ORM path's statements in Python, and the round trips
they took, were most of an order's time (``bench/orders.py`` prints what an
order costs; bench/README.md says where the time went). The columns read and
written come from the models' fields, so a new field is carried without
touching this file. The rules the read applies are not written here: the
app that owns each gives its SQL beside its queryset
(``shops.selectors.picks_open_to_buyers_sql``,
``distribution.selectors.binding_current_sql``, and the stock's
``catalog.stock.stock_take_sql``), each tested against its queryset there,
and ``orders/tests/test_placing_paths.py`` holds the two stores to the same
orders and the same refusals on generated worlds. Like the ORM path's bulk
inserts, it sends no model signals (nothing listens to them; the order
events are sent by the state services).
"""

from collections import Counter
from collections.abc import Iterable
from functools import cache

from django.db import connection
from django.db.models import Model

from accounts.models import User
from catalog.models import Product, Sku, Supplier
from catalog.stock import stock_take_sql
from distribution.models import Binding, DistributionSettings, Reseller
from distribution.selectors import binding_current_sql, binding_reseller_in_force, distribution_settings_sql
from shops.models import Shop, ShopProduct, ShopSkuPrice
from shops.selectors import ShopOffer, picks_open_to_buyers_sql, shop_offers_build
from socialshop.sql import ModelColumns, Prepared, sql_table

from ..models import FulfilmentGroup, Order, OrderLine

# --- reading ---------------------------------------------------------------------------


@cache
def _read_statement() -> tuple[Prepared, list[ModelColumns]]:
    sku, product, supplier = ModelColumns(Sku, "s"), ModelColumns(Product, "p"), ModelColumns(Supplier, "su")
    pick, shop, owner = ModelColumns(ShopProduct, "picked"), ModelColumns(Shop, "shop"), ModelColumns(Reseller, "owner")
    binding, bound = ModelColumns(Binding, "b"), ModelColumns(Reseller, "bound")
    rules = ModelColumns(DistributionSettings, "st")
    # each rule from the app that owns it, under these aliases
    picks_open = picks_open_to_buyers_sql(pick="picked", shop="shop", owner="owner")
    current = binding_current_sql(customer="$4", binding="b", reseller="bound")
    settings_row = distribution_settings_sql(alias="st")
    # $1 SKU ids, $2 shop addresses, $3 whether the binding is needed, $4 the buyer
    sql = f"""
        SELECT {sku.sql}, {product.sql}, {supplier.sql}, {pick.sql}, {shop.sql}, {owner.sql}, price.price_amount,
               {binding.sql}, {bound.sql}, {rules.sql}
        FROM {sql_table(Sku)} s
        JOIN {sql_table(Product)} p ON p.id = s.product_id
        JOIN {sql_table(Supplier)} su ON su.id = p.supplier_id
        LEFT JOIN ({picks_open.tables})
               ON picked.product_id = s.product_id AND shop.slug = ANY($2) AND {picks_open.condition}
        LEFT JOIN {sql_table(ShopSkuPrice)} price ON price.pick_id = picked.id AND price.sku_id = s.id
        LEFT JOIN ({current.tables}) ON $3 AND {current.condition}
        LEFT JOIN {settings_row.tables} ON $3 AND {settings_row.condition}
        WHERE s.id = ANY($1)
        ORDER BY s.id
        FOR UPDATE OF s -- catalog.stock's lock order: the SKUs in id order
    """  # noqa: S608 - table and column names come from the models
    statement = Prepared("orders_place_read", sql, ["bigint[]", "text[]", "boolean", "bigint"])
    return statement, [sku, product, supplier, pick, shop, owner, binding, bound, rules]


def _slices(columns: list[ModelColumns], extra_after: int) -> list[slice]:
    """Where each model's columns sit in a row (one more column, the stored
    price, after the ``extra_after``-th model)."""
    slices, at = [], 0
    for index, model_columns in enumerate(columns):
        slices.append(slice(at, at + len(model_columns)))
        at += len(model_columns) + (1 if index == extra_after else 0)
    return slices


def place_read(
    *, buyer: User, sku_ids: list[int], shop_slugs: Iterable[str], needs_binding: bool
) -> tuple[dict[int, Sku], dict[tuple[str, int], ShopOffer], Reseller | None]:
    """Lock ``sku_ids`` in id order and read what pricing and attribution
    need, in one statement: the SKUs (with product and supplier) by id, the
    offers in ``shop_slugs`` as ``shop_sku_offers_many`` gives them, and the
    reseller the buyer's binding attributes to now (None when
    ``needs_binding`` is false, the buyer is bound to nobody, or the binding
    is not in force). Every instance is whole, as the ORM store's."""
    statement, columns = _read_statement()
    sku_columns, product_columns, supplier_columns, pick_columns, shop_columns, owner_columns = columns[:6]
    binding_columns, bound_columns, rules_columns = columns[6:]
    (
        at_sku,
        at_product,
        at_supplier,
        at_pick,
        at_shop,
        at_owner,
        at_binding,
        at_bound,
        at_rules,
    ) = _slices(columns, extra_after=5)
    at_price = at_owner.stop
    slugs = sorted({slug.lower() for slug in shop_slugs})
    rows = statement.run([sku_ids, slugs, needs_binding, buyer.pk])

    skus: dict[int, Sku] = {}
    picks: dict[int, ShopProduct] = {}
    prices: dict[tuple[int, int], int] = {}
    for row in rows:  # one row per SKU and pick of its product in a named shop
        sku_id = row[0]
        if sku_id not in skus:
            sku = sku_columns.load(list(row[at_sku]))
            sku.product = product_columns.load(list(row[at_product]))
            sku.product.supplier = supplier_columns.load(list(row[at_supplier]))
            skus[sku_id] = sku
        pick_id = row[at_pick.start]
        if pick_id is None:
            continue
        if pick_id not in picks:
            pick = pick_columns.load(list(row[at_pick]))
            pick.shop = shop_columns.load(list(row[at_shop]))
            pick.shop.owner = owner_columns.load(list(row[at_owner]))
            picks[pick_id] = pick
        if row[at_price] is not None:
            prices[(pick_id, sku_id)] = row[at_price]

    reseller = None
    if rows and rows[0][at_binding.start] is not None:
        first = rows[0]
        binding = binding_columns.load(list(first[at_binding]))
        binding.reseller = bound_columns.load(list(first[at_bound]))
        rules = DistributionSettings() if first[at_rules.start] is None else rules_columns.load(list(first[at_rules]))
        reseller = binding_reseller_in_force(binding=binding, settings=rules)
    return skus, shop_offers_build(skus=skus.values(), picks=picks.values(), prices=prices), reseller


# --- writing ---------------------------------------------------------------------------


class _Insert:
    """The columns a model's INSERT writes (all concrete ones but the id and
    those the statement fills itself) with their types, and each instance's
    values as the ORM's INSERT would send them."""

    def __init__(self, model: type[Model], filled_by_statement: tuple[str, ...] = ()):
        quote = connection.ops.quote_name
        self.table = quote(model._meta.db_table)
        self.fields = [
            field
            for field in model._meta.concrete_fields
            if not field.primary_key and field.name not in filled_by_statement
        ]
        self.names = ", ".join(quote(field.column) for field in self.fields)
        self.types = [field.db_type(connection) for field in self.fields]

    def values(self, instance: Model) -> list:
        return [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in self.fields]

    def columns(self, instances: list[Model]) -> list[list]:
        """The instances' values column by column (one array per column)."""
        return [list(column) for column in zip(*(self.values(instance) for instance in instances), strict=True)]


def _parameters(first: int, count: int) -> str:
    return ", ".join(f"${number}" for number in range(first, first + count))


@cache
def _write_statement() -> tuple[Prepared, _Insert, _Insert, _Insert]:
    order, group, line = (
        _Insert(Order),
        _Insert(FulfilmentGroup, filled_by_statement=("order",)),
        _Insert(OrderLine, filled_by_statement=("order", "fulfilment")),
    )
    # $1 SKU ids, $2 the units each gives, $3 how many SKUs; then the order's values, each group column as
    # an array, each line column as an array
    at_group = 4 + len(order.fields)
    at_line = at_group + len(group.fields)
    sql = f"""
        WITH taken AS (
            {stock_take_sql(sku_ids="$1", quantities="$2")}
        ), placed AS (
            INSERT INTO {order.table} ({order.names})
            SELECT {_parameters(4, len(order.fields))} WHERE (SELECT count(*) FROM taken) = $3
            RETURNING id
        ), parcels AS (
            INSERT INTO {group.table} (order_id, {group.names})
            SELECT placed.id, v.*
            FROM placed CROSS JOIN unnest({_parameters(at_group, len(group.fields))}) AS v({group.names})
            RETURNING id, supplier_id
        ), written AS (
            INSERT INTO {line.table} (order_id, fulfilment_id, {line.names})
            SELECT placed.id, parcels.id, v.*
            FROM placed CROSS JOIN unnest({_parameters(at_line, len(line.fields))}) AS v({line.names})
            JOIN parcels ON parcels.supplier_id = v.supplier_id
            RETURNING id, sku_id, shop_id
        )
        SELECT placed.id,
               ARRAY(SELECT ARRAY[id, supplier_id] FROM parcels),
               ARRAY(SELECT ARRAY[id, sku_id, shop_id] FROM written)
        FROM placed
    """  # noqa: S608 - table and column names come from the models
    types = [
        "bigint[]",
        "integer[]",
        "bigint",
        *order.types,
        *(f"{t}[]" for t in group.types),
        *(f"{t}[]" for t in line.types),
    ]
    return Prepared("orders_place_write", sql, types), order, group, line


def place_write(*, order: Order, groups: list[FulfilmentGroup], lines: list[OrderLine], wanted: Counter) -> bool:
    """Take ``wanted[sku_id]`` units of each (locked, checked) SKU and insert
    ``order``, its ``groups`` (one per supplier) and its ``lines`` (one per
    SKU and shop), in one statement; the instances get their ids. False,
    with nothing inserted, when a SKU gave fewer units than asked (the
    caller's transaction then rolls the stock back)."""
    statement, order_insert, group_insert, line_insert = _write_statement()
    rows = statement.run(
        [
            list(wanted),
            list(wanted.values()),
            len(wanted),
            *order_insert.values(order),
            *group_insert.columns(groups),
            *line_insert.columns(lines),
        ]
    )
    if not rows:
        return False
    order_id, group_ids, line_ids = rows[0]
    _saved(order, order_id)
    group_id_of = {supplier_id: group_id for group_id, supplier_id in group_ids}
    group_of = {}
    for group in groups:
        _saved(group, group_id_of[group.supplier_id])
        group.order = order  # sets order_id, now that the order has one
        group_of[group.supplier_id] = group
    line_id_of = {(sku_id, shop_id): line_id for line_id, sku_id, shop_id in line_ids}
    for line in lines:
        _saved(line, line_id_of[(line.sku_id, line.shop_id)])
        line.order = order
        line.fulfilment = group_of[line.supplier_id]
    return True


class SqlStore:
    """``placing.PlacingStore`` on PostgreSQL: ``place_read`` and ``place_write``."""

    def read(self, *, buyer: User, sku_ids: list[int], shop_slugs: set[str], needs_binding: bool):
        return place_read(buyer=buyer, sku_ids=sku_ids, shop_slugs=shop_slugs, needs_binding=needs_binding)

    def write(self, *, order: Order, groups: list[FulfilmentGroup], lines: list[OrderLine], wanted: Counter) -> bool:
        return place_write(order=order, groups=groups, lines=lines, wanted=wanted)


def _saved(instance: Model, pk: int) -> None:
    """What ``save()`` leaves on an instance it inserted."""
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = connection.alias
