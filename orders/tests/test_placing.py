"""Placing an order: prices and attribution fixed per line, stock reserved,
one fulfilment group per supplier, constant SQL whatever the catalogue or
tree size."""

import pytest

from accounts.tests.factories import UserFactory
from catalog.choices import ProductStatus
from catalog.models import Sku
from catalog.tests.factories import SkuFactory, SupplierFactory
from distribution.choices import BindingSource
from distribution.services import binding_touch
from distribution.tests.factories import ResellerFactory
from orders.choices import FulfilmentStatus, OrderStatus
from orders.exceptions import EmptyOrder, InvalidAddress, NotBuyable, OutOfStock
from orders.models import Order, OrderLine, StatusChange
from orders.services.placing import LineRequest, order_place, placing_in_sql
from shops.choices import ShopStatus
from shops.tests.factories import ShopFactory

from .factories import an_address, place, shop_selling

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=[True, False], ids=["sql-path", "orm-path"])
def in_sql(request, settings) -> bool:
    """Every test here runs on both placing paths: PostgreSQL's prepared read
    and write, and the portable ORM one (on SQLite both runs take the ORM path)."""
    settings.ORDERS_PLACE_IN_SQL = request.param
    return placing_in_sql()


def test_a_line_keeps_what_was_true_at_purchase():
    shop, sku = shop_selling(price=12_000)
    buyer = UserFactory()

    order = place(buyer=buyer, shop=shop, sku=sku, quantity=3)

    line = OrderLine.objects.get(order=order)
    assert (line.unit_price_amount, line.list_price_amount, line.cost_amount) == (12_000, 10_000, 5_000)
    assert (line.quantity, line.discount_amount, line.line_total_amount, line.paid_amount) == (3, 0, 36_000, 0)
    assert line.markup_amount == 6_000
    assert (line.sku_id, line.product_id, line.category_id) == (sku.pk, sku.product_id, sku.product.category_id)
    assert line.supplier_id == sku.product.supplier_id and line.title == sku.product.title
    assert line.shop == shop and line.attributed_reseller == shop.owner and not line.buyer_is_attributed_reseller
    assert order.status == OrderStatus.PENDING_PAYMENT and order.total_amount == 36_000 and order.currency == "CNY"
    # a later change of price, cost or shop price rewrites nothing
    Sku.objects.filter(pk=sku.pk).update(list_price_amount=11_000, cost_amount=5_500)
    line.refresh_from_db()
    assert (line.unit_price_amount, line.list_price_amount, line.cost_amount) == (12_000, 10_000, 5_000)


def test_the_stock_is_reserved_at_once():
    shop, sku = shop_selling(stock=5)

    place(shop=shop, sku=sku, quantity=2)

    sku.refresh_from_db()
    assert sku.stock == 3


# each SKU loses 2 (one UPDATE without CASE), or not as many of each (a CASE per SKU)
@pytest.mark.parametrize("quantities", [(2, 2, 1), (1, 1, 1), (1, 3, 2)])
def test_each_sku_of_a_cart_loses_what_its_lines_take(quantities):
    # given three SKUs, the last bought twice (in a shop and outside it)
    shop, first = shop_selling(stock=10)
    _, second = shop_selling(shop=shop, stock=10)
    _, third = shop_selling(shop=shop, stock=10)
    a, b, c = quantities

    place(
        lines=[
            LineRequest(first.pk, a, shop.slug),
            LineRequest(second.pk, b, shop.slug),
            LineRequest(third.pk, c, shop.slug),
            LineRequest(third.pk, c, None),
        ]
    )

    for sku in (first, second, third):
        sku.refresh_from_db()
    assert (first.stock, second.stock, third.stock) == (10 - a, 10 - b, 10 - 2 * c)


def test_more_than_the_stock_is_refused_and_nothing_is_written():
    shop, sku = shop_selling(stock=2)

    with pytest.raises(OutOfStock) as refused:
        place(shop=shop, sku=sku, quantity=3)

    assert refused.value.fields == {"lines.0.quantity": ["Only 2 left."]} or "lines.0.quantity" in refused.value.fields
    assert refused.value.extra["sku_ids"] == [sku.pk]
    sku.refresh_from_db()
    assert sku.stock == 2 and not Order.objects.exists()


def test_lines_from_two_suppliers_become_two_fulfilment_groups():
    shop = ShopFactory()
    _, sku_a = shop_selling(shop=shop)
    _, sku_b = shop_selling(shop=shop)
    _, sku_a2 = shop_selling(shop=shop, sku=SkuFactory(product__supplier=sku_a.product.supplier))

    order = place(
        shop=shop,
        lines=[LineRequest(sku.pk, 1, shop.slug) for sku in (sku_a, sku_b, sku_a2)],
    )

    groups = {group.supplier_id: group for group in order.fulfilments.all()}
    assert set(groups) == {sku_a.product.supplier_id, sku_b.product.supplier_id}
    assert all(group.status == FulfilmentStatus.TO_SHIP for group in groups.values())
    assert {line.sku_id: line.fulfilment_id for line in order.lines.all()} == {
        sku_a.pk: groups[sku_a.product.supplier_id].pk,
        sku_a2.pk: groups[sku_a.product.supplier_id].pk,
        sku_b.pk: groups[sku_b.product.supplier_id].pk,
    }


def test_each_line_is_attributed_to_the_shop_it_was_bought_in():
    shop_a, sku = shop_selling()
    shop_b, _ = shop_selling(sku=sku, price=15_000)

    order = place(lines=[LineRequest(sku.pk, 1, shop_a.slug), LineRequest(sku.pk, 1, shop_b.slug)])

    lines = {line.shop_id: line for line in order.lines.all()}
    assert lines[shop_a.pk].attributed_reseller == shop_a.owner and lines[shop_a.pk].unit_price_amount == 10_000
    assert lines[shop_b.pk].attributed_reseller == shop_b.owner and lines[shop_b.pk].unit_price_amount == 15_000


def test_outside_any_shop_the_buyer_binding_is_attributed_at_the_list_price():
    bound_to = ResellerFactory()
    buyer = UserFactory()
    binding_touch(customer=buyer, reseller=bound_to, source=BindingSource.LINK)
    sku = SkuFactory()

    order = place(buyer=buyer, sku=sku)

    line = order.lines.get()
    assert line.shop is None and line.attributed_reseller == bound_to and line.unit_price_amount == 10_000


def test_a_buyer_bound_to_nobody_buying_outside_a_shop_is_attributed_to_nobody():
    order = place(sku=SkuFactory())

    assert order.lines.get().attributed_reseller is None


def test_a_reseller_buying_in_its_own_shop_is_recorded_as_buying_for_itself():
    shop, sku = shop_selling()

    order = place(buyer=shop.owner.user, shop=shop, sku=sku)

    line = order.lines.get()
    assert line.attributed_reseller == shop.owner and line.buyer_is_attributed_reseller


@pytest.mark.parametrize(
    "spoil",
    [
        lambda shop, sku: ShopFactory._meta.model.objects.filter(pk=shop.pk).update(status=ShopStatus.CLOSED),
        lambda shop, sku: type(sku.product).objects.filter(pk=sku.product_id).update(status=ProductStatus.OFF_SALE),
        lambda shop, sku: Sku.objects.filter(pk=sku.pk).update(is_active=False),
        lambda shop, sku: shop.picks.update(is_hidden=True),
        lambda shop, sku: type(sku.product.supplier).objects.filter(pk=sku.product.supplier_id).update(is_active=False),
    ],
    ids=["shop closed", "off sale", "sku inactive", "pick hidden", "supplier inactive"],
)
def test_what_cannot_be_bought_in_that_shop_is_refused(spoil):
    shop, sku = shop_selling(stock=5)
    spoil(shop, sku)

    with pytest.raises(NotBuyable) as refused:
        place(shop=shop, sku=sku)

    assert "lines.0.sku_id" in refused.value.fields
    sku.refresh_from_db()
    assert sku.stock == 5 and not Order.objects.exists()


def test_a_sku_not_picked_by_that_shop_is_refused():
    shop, _ = shop_selling()

    with pytest.raises(NotBuyable):
        place(shop=shop, sku=SkuFactory())


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"phone": "12345"}, "phone"),
        ({"phone": "+1 650 253 0000"}, "phone"),
        ({"district_code": "110101"}, "district_code"),  # a Beijing district under Guangzhou
        ({"province_code": "99"}, "district_code"),
        ({"recipient_name": ""}, "recipient_name"),
        ({"street": "1"}, "street"),
    ],
)
def test_a_bad_address_is_refused_naming_the_field(changes, field):
    shop, sku = shop_selling()

    with pytest.raises(InvalidAddress) as refused:
        order_place(buyer=UserFactory(), lines=[LineRequest(sku.pk, 1, shop.slug)], address=an_address(**changes))

    assert field in refused.value.fields


def test_an_address_in_a_municipality_or_a_city_without_districts_is_accepted():
    shop, sku = shop_selling()

    beijing = place(shop=shop, sku=sku)  # the default is Guangzhou; now Beijing and Dongguan
    order_place(
        buyer=UserFactory(),
        lines=[LineRequest(sku.pk, 1, shop.slug)],
        address=an_address(province_code="11", city_code="1101", district_code="110105"),
    )
    dongguan = order_place(
        buyer=UserFactory(),
        lines=[LineRequest(sku.pk, 1, shop.slug)],
        address=an_address(province_code="44", city_code="4419", district_code=""),
    )

    assert beijing.region_label == "广东省 广州市 天河区"
    assert Order.objects.filter(region_label="北京市 朝阳区").exists()
    assert dongguan.region_label == "广东省 东莞市"


def test_an_empty_order_and_silly_quantities_are_refused():
    shop, sku = shop_selling()

    with pytest.raises(EmptyOrder):
        order_place(buyer=UserFactory(), lines=[], address=an_address())
    with pytest.raises(EmptyOrder):
        place(shop=shop, sku=sku, quantity=100)


def test_placing_records_who_and_when_on_the_order_itself():
    shop, sku = shop_selling()
    buyer = UserFactory()

    order = place(buyer=buyer, shop=shop, sku=sku)

    assert order.buyer == buyer and order.created_at is not None
    assert not StatusChange.objects.exists()  # the first move (paid, cancelled) is the first audit row


def _world(products: int, depth: int):
    """A catalogue of ``products`` products in a shop whose owner sits
    ``depth`` levels down the tree; a buyer bound to another reseller."""
    top = ResellerFactory()
    for _ in range(depth):
        top = ResellerFactory(inviter=top)
    shop = ShopFactory(owner=top)
    supplier = SupplierFactory()
    skus = [
        shop_selling(shop=shop, price=11_000 + index, sku=SkuFactory(product__supplier=supplier))[1]
        for index in range(products)
    ]
    buyer = UserFactory()
    binding_touch(customer=buyer, reseller=ResellerFactory(), source=BindingSource.LINK)
    other_supplier_sku = shop_selling(shop=shop, sku=SkuFactory(product__supplier=SupplierFactory()))[1]
    return shop, skus, buyer, other_supplier_sku


@pytest.mark.parametrize(("products", "depth"), [(3, 1), (30, 12)])
def test_placing_costs_a_constant_number_of_queries_whatever_the_catalogue_or_tree(
    products, depth, in_sql, django_assert_num_queries
):
    shop, skus, buyer, other = _world(products, depth)
    lines = [
        LineRequest(skus[0].pk, 2, shop.slug),
        LineRequest(skus[-1].pk, 1, shop.slug),
        LineRequest(other.pk, 1, shop.slug),
        LineRequest(skus[1].pk, 1, None),  # outside the shop: the binding is read
    ]
    # PostgreSQL prepares its two statements on a connection's first order
    order_place(buyer=buyer, lines=lines, address=an_address())

    # PostgreSQL: the SKUs locked with their offers, binding and settings; the stock taken and the three
    # inserts. The ORM: skus (locked), picks with their prices, binding, distribution settings, stock,
    # order, groups, lines. Both: the savepoint placing's transaction is inside the test's, and its release
    # (BEGIN and COMMIT where it is the outermost, as through the API).
    with django_assert_num_queries((2 if in_sql else 8) + 2):
        order = order_place(buyer=buyer, lines=lines, address=an_address())

    assert order.lines.count() == 4 and order.fulfilments.count() == 2
