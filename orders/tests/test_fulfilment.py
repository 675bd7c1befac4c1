"""Suppliers ship their own parcels, one by one or from a CSV whose bad rows
are reported by line while the good rows apply."""

import pytest

from accounts.tests.factories import UserFactory
from catalog.tests.factories import SupplierFactory
from orders.choices import FulfilmentStatus, OrderStatus
from orders.events import order_shipped
from orders.exceptions import InvalidTransition, ShipmentInvalid
from orders.models import FulfilmentGroup
from orders.services.fulfilment import fulfilment_ship, fulfilments_csv_export, fulfilments_ship_csv
from socialshop.errors import NotFound

from .factories import pay, place, shop_selling

pytestmark = pytest.mark.django_db


def _paid_parcels(count: int, django_capture_on_commit_callbacks, supplier=None):
    shop, sku = shop_selling(**({"product__supplier": supplier} if supplier else {}))
    groups = []
    for _ in range(count):
        order = place(shop=shop, sku=sku)
        with django_capture_on_commit_callbacks(execute=True):
            pay(order)
        groups.append(order.fulfilments.get())
    return groups


def test_shipping_records_the_tracking_and_the_order_ships(events, django_capture_on_commit_callbacks):
    shipped_events = events(order_shipped)
    [group] = _paid_parcels(1, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        fulfilment_ship(
            fulfilment_id=group.pk,
            supplier=group.supplier,
            by=UserFactory(),
            carrier="顺丰",
            tracking_number="SF 1234 5678",
        )

    group.refresh_from_db()
    assert (group.status, group.carrier, group.tracking_number) == (FulfilmentStatus.SHIPPED, "SF", "SF12345678")
    assert group.order.status == OrderStatus.SHIPPED and group.order.shipped_at is not None
    assert shipped_events == [{"order_id": group.order_id, "fulfilment_group_id": group.pk}]


def test_another_suppliers_parcel_is_not_found(django_capture_on_commit_callbacks):
    [group] = _paid_parcels(1, django_capture_on_commit_callbacks)

    with pytest.raises(NotFound):
        fulfilment_ship(
            fulfilment_id=group.pk,
            supplier=SupplierFactory(),
            by=UserFactory(),
            carrier="SF",
            tracking_number="SF123456",
        )


def test_an_unpaid_orders_parcel_cannot_ship():
    shop, sku = shop_selling()
    group = place(shop=shop, sku=sku).fulfilments.get()

    with pytest.raises(InvalidTransition) as refused:
        fulfilment_ship(
            fulfilment_id=group.pk, supplier=group.supplier, by=UserFactory(), carrier="SF", tracking_number="SF123456"
        )

    assert refused.value.extra["current_state"] == OrderStatus.PENDING_PAYMENT


@pytest.mark.parametrize(
    ("carrier", "tracking", "field"), [("DHL?", "SF123456", "carrier"), ("SF", "12", "tracking_number")]
)
def test_a_bad_carrier_or_tracking_number_is_refused(carrier, tracking, field, django_capture_on_commit_callbacks):
    [group] = _paid_parcels(1, django_capture_on_commit_callbacks)

    with pytest.raises(ShipmentInvalid) as refused:
        fulfilment_ship(
            fulfilment_id=group.pk, supplier=group.supplier, by=UserFactory(), carrier=carrier, tracking_number=tracking
        )

    assert field in refused.value.fields


def test_a_csv_ships_the_good_rows_and_reports_the_bad_ones_by_line(django_capture_on_commit_callbacks):
    supplier = SupplierFactory()
    first, second, third = _paid_parcels(3, django_capture_on_commit_callbacks, supplier=supplier)
    [stranger] = _paid_parcels(1, django_capture_on_commit_callbacks)
    content = (
        "发货单号,快递公司,快递单号\n"
        f"{first.pk},顺丰,SF1000000001\n"
        f"{second.pk},火箭快递,SF1000000002\n"
        f"{stranger.pk},ZTO,ZT1000000003\n"
        "abc,SF,SF1000000004\n"
        "\n"
        f"{third.pk},ZTO,ZT1000000005\n"
        f"{first.pk},SF,SF1000000006\n"
    ).encode("gb18030")

    result = fulfilments_ship_csv(supplier=supplier, by=UserFactory(), content=content)

    assert result.applied == [first.pk, third.pk]
    assert [line for line, _message in result.errors] == [3, 4, 5, 8]
    assert FulfilmentGroup.objects.get(pk=second.pk).status == FulfilmentStatus.TO_SHIP
    assert FulfilmentGroup.objects.get(pk=first.pk).tracking_number == "SF1000000001"
    assert FulfilmentGroup.objects.get(pk=stranger.pk).status == FulfilmentStatus.TO_SHIP


def test_a_csv_without_the_columns_is_refused_whole(django_capture_on_commit_callbacks):
    with pytest.raises(ShipmentInvalid):
        fulfilments_ship_csv(supplier=SupplierFactory(), by=UserFactory(), content=b"a,b\n1,2\n")


def test_the_export_lists_only_the_suppliers_paid_parcels_to_ship(django_capture_on_commit_callbacks):
    supplier = SupplierFactory()
    [group] = _paid_parcels(1, django_capture_on_commit_callbacks, supplier=supplier)
    _paid_parcels(1, django_capture_on_commit_callbacks)
    shop, sku = shop_selling(product__supplier=supplier)
    place(shop=shop, sku=sku)  # unpaid: not to ship yet

    rows = fulfilments_csv_export(supplier=supplier).splitlines()

    assert rows[0].startswith("发货单号,快递公司,快递单号")
    assert len(rows) == 2 and rows[1].startswith(f"{group.pk},,,")
