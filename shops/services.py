"""The only writers of shops, their picks and their prices."""

from django.db import transaction

from catalog.choices import ProductStatus
from catalog.models import Product
from distribution.models import Reseller

from .exceptions import PriceOutOfBounds, ProductNotOnSale, ShopAlreadyOpen
from .models import Shop, ShopProduct, ShopSkuPrice


@transaction.atomic
def shop_open(*, owner: Reseller, name: str, slug: str, intro: str = "") -> Shop:
    if Shop.objects.filter(owner=owner).exists():
        raise ShopAlreadyOpen()
    return Shop.objects.create(owner=owner, name=name, slug=slug, intro=intro)


@transaction.atomic
def shop_pick_product(*, shop: Shop, product: Product, prices: dict[int, int] | None = None) -> ShopProduct:
    """Add a product on sale to the shop (idempotent) and set the shop's price
    for some of its SKUs (``{sku_id: price_fen}``); each price must lie within
    the SKU's resale bounds, or nothing is saved."""
    if product.status != ProductStatus.ON_SALE:
        raise ProductNotOnSale()
    last = ShopProduct.objects.filter(shop=shop).order_by("-position").values_list("position", flat=True).first()
    pick, _ = ShopProduct.objects.get_or_create(
        shop=shop, product=product, defaults={"position": 0 if last is None else last + 1}
    )
    skus = {sku.id: sku for sku in product.skus.all()}
    for sku_id, price in (prices or {}).items():
        sku = skus.get(sku_id)
        if sku is None or not (sku.min_resale_amount <= price <= sku.max_resale_amount):
            raise PriceOutOfBounds(fields={"sku": sku_id, "price_amount": price})
        ShopSkuPrice.objects.update_or_create(pick=pick, sku=sku, defaults={"price_amount": price})
    return pick
