import factory

from catalog.choices import ProductStatus
from catalog.models import Category, Product, ProductImage, Sku, Supplier, SupplierMembership


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier

    name = factory.Sequence(lambda n: f"供应商{n}")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"类目{n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    supplier = factory.SubFactory(SupplierFactory)
    category = factory.SubFactory(CategoryFactory)
    title = factory.Sequence(lambda n: f"商品{n}")
    status = ProductStatus.ON_SALE


class SkuFactory(factory.django.DjangoModelFactory):
    """cost 50.00 ≤ lowest 60.00 ≤ list 100.00 ≤ highest 200.00, 100 in stock."""

    class Meta:
        model = Sku

    product = factory.SubFactory(ProductFactory)
    code = factory.Sequence(lambda n: f"SKU-{n}")
    spec = factory.LazyFunction(lambda: {"规格": "标准"})
    cost_amount = 5000
    min_resale_amount = 6000
    list_price_amount = 10000
    max_resale_amount = 20000
    stock = 100


def image_bytes(size=(120, 90), color=(200, 80, 60), fmt="JPEG") -> bytes:
    """A small real picture, for uploads in tests."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGBA" if fmt == "PNG" else "RGB", size, color).save(buffer, fmt)
    return buffer.getvalue()


class ProductImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductImage

    product = factory.SubFactory(ProductFactory)
    image = factory.django.ImageField(width=200, height=200, color="orange", format="JPEG")
    thumbnail = factory.django.ImageField(width=100, height=100, color="orange", format="JPEG")


class SupplierStaffFactory(factory.django.DjangoModelFactory):
    """A supplier-staff user with its membership (``.user``, ``.supplier``)."""

    class Meta:
        model = SupplierMembership

    user = factory.SubFactory("accounts.tests.factories.UserFactory", role="supplier_staff")
    supplier = factory.SubFactory(SupplierFactory)
