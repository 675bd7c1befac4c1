import factory

from catalog.tests.factories import ProductFactory, SkuFactory
from distribution.tests.factories import ResellerFactory
from shops.models import Shop, ShopProduct, ShopSkuPrice


class ShopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shop

    owner = factory.SubFactory(ResellerFactory)
    name = factory.Sequence(lambda n: f"小店{n}")
    slug = factory.Sequence(lambda n: f"shop-{n}")


class ShopProductFactory(factory.django.DjangoModelFactory):
    """A pick of a product on sale with one SKU (list price 100.00, bounds 60.00–200.00)."""

    class Meta:
        model = ShopProduct
        skip_postgeneration_save = True

    shop = factory.SubFactory(ShopFactory)
    product = factory.SubFactory(ProductFactory)
    position = factory.Sequence(lambda n: n)

    @factory.post_generation
    def with_sku(self, create, extracted, **kwargs):
        if create and extracted is not False and not self.product.skus.exists():
            SkuFactory(product=self.product)


class ShopSkuPriceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShopSkuPrice

    pick = factory.SubFactory(ShopProductFactory)
    sku = factory.LazyAttribute(lambda price: price.pick.product.skus.first())
    price_amount = 12000
