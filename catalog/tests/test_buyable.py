"""``SkuQuerySet.buyable`` (for queries) and ``Sku.is_buyable`` (for rows
already loaded, as pricing a cart or an order has them) are one rule written
twice; this holds them to the same rows."""

import itertools

import pytest

from catalog.choices import ProductStatus
from catalog.models import Product, Sku
from catalog.tests.factories import ProductFactory, SkuFactory, SupplierFactory

pytestmark = pytest.mark.django_db


def test_the_buyable_queryset_and_the_property_agree_on_every_combination():
    # given every combination of SKU active, product status and supplier active, with two SKUs per product
    suppliers = {active: SupplierFactory(is_active=active) for active in (True, False)}
    for status, supplier_active in itertools.product(ProductStatus.values, (True, False)):
        product = ProductFactory(status=status, supplier=suppliers[supplier_active])
        for sku_active in (True, False):
            SkuFactory(product=product, is_active=sku_active)

    # when both definitions pick the buyable SKUs
    by_query = set(Sku.objects.buyable().values_list("pk", flat=True))
    by_property = {sku.pk for sku in Sku.objects.select_related("product__supplier") if sku.is_buyable}

    # then they pick the same ones: exactly the active SKUs of products on sale from active suppliers
    assert by_query == by_property
    # and the products' own rule, which both build on, picks the same products in both forms
    products_by_query = set(Product.objects.on_sale().values_list("pk", flat=True))
    assert products_by_query == {p.pk for p in Product.objects.select_related("supplier") if p.is_on_sale}
    assert products_by_query == set(Sku.objects.filter(pk__in=by_query).values_list("product_id", flat=True))
    assert len(by_query) == 1
    (only,) = Sku.objects.filter(pk__in=by_query).select_related("product__supplier")
    assert only.is_active and only.product.status == ProductStatus.ON_SALE and only.product.supplier.is_active
