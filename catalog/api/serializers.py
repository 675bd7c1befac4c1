from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from socialshop.api.fields import MoneyField


class CategoryOut(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class ImageOut(serializers.Serializer):
    id = serializers.IntegerField()
    image_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    def _url(self, file) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(file.url) if request else file.url

    def get_image_url(self, image) -> str:
        return self._url(image.image)

    def get_thumbnail_url(self, image) -> str:
        return self._url(image.thumbnail or image.image)


class ResaleBoundsOut(serializers.Serializer):
    min_amount = MoneyField(source="min_resale_amount", help_text="lowest price a reseller may set")
    max_amount = MoneyField(source="max_resale_amount", help_text="highest price a reseller may set")


class CatalogueSkuOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    spec = serializers.DictField(child=serializers.CharField())
    spec_label = serializers.CharField()
    list_price_amount = MoneyField()
    stock = serializers.IntegerField()
    resale_bounds = serializers.SerializerMethodField(
        help_text="the price range a reseller may set; shown to resellers only (null for others)"
    )

    @extend_schema_field(ResaleBoundsOut(allow_null=True))
    def get_resale_bounds(self, sku):
        if not self.context.get("show_resale_bounds"):
            return None
        return ResaleBoundsOut(sku).data


class CatalogueProductOut(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    category = CategoryOut()
    supplier_name = serializers.CharField(source="supplier.name")
    images = ImageOut(many=True, source="ordered_images")
    skus = CatalogueSkuOut(many=True, source="active_skus")


class ImageUploadIn(serializers.Serializer):
    image = serializers.FileField(help_text="JPEG, PNG or WebP, at most 8 MB and 40 megapixels")
