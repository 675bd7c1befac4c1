import factory

from distribution.tests.factories import ResellerFactory
from shops.models import Shop


class ShopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shop

    owner = factory.SubFactory(ResellerFactory)
    name = factory.Sequence(lambda n: f"小店{n}")
    slug = factory.Sequence(lambda n: f"shop-{n}")
