from rest_framework import serializers

from catalog.api.serializers import CategoryOut, ImageOut
from socialshop.api.fields import MoneyField, StrictIntegerField

from ..choices import ShopStatus
from ..selectors import shop_is_public
from ..sharing import absolute, product_share_path, shop_share_path


def _absolute_url(context, url: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(url) if request else url


class ShopOut(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    intro = serializers.CharField()
    avatar_url = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=ShopStatus.choices)
    is_open = serializers.SerializerMethodField(help_text="open and its owner active: visitors can browse and buy")
    share_url = serializers.SerializerMethodField(help_text="the link to share; carries ?ref=<owner's invite code>")

    def get_avatar_url(self, shop) -> str | None:
        return _absolute_url(self.context, shop.avatar.url) if shop.avatar else None

    def get_is_open(self, shop) -> bool:
        return shop_is_public(shop)

    def get_share_url(self, shop) -> str:
        return absolute(self.context["request"], shop_share_path(shop))


class OfferOut(serializers.Serializer):
    """One SKU at this shop's price."""

    sku_id = serializers.IntegerField(source="sku.id")
    code = serializers.CharField(source="sku.code")
    spec = serializers.DictField(source="sku.spec", child=serializers.CharField())
    spec_label = serializers.CharField(source="sku.spec_label")
    price_amount = MoneyField(help_text="what a buyer pays in this shop")
    stock = serializers.IntegerField(source="sku.stock")


class OwnerOfferOut(OfferOut):
    """What the shop's owner sees of a SKU: its price decision and markup."""

    list_price_amount = MoneyField()
    min_resale_amount = MoneyField(source="sku.min_resale_amount")
    max_resale_amount = MoneyField(source="sku.max_resale_amount")
    markup_amount = MoneyField(help_text="price − list price (negative below the list price)")
    has_shop_price = serializers.BooleanField(help_text="false: the shop follows the list price")


class ShopProductOut(serializers.Serializer):
    """A product as a shop sells it (built from a shops.selectors.ProductCard)."""

    product_id = serializers.IntegerField(source="product.id")
    title = serializers.CharField(source="product.title")
    description = serializers.CharField(source="product.description")
    category = CategoryOut(source="product.category")
    images = ImageOut(many=True, source="product.ordered_images")
    min_price_amount = MoneyField()
    skus = OfferOut(many=True, source="offers")
    share_url = serializers.SerializerMethodField(help_text="carries ?ref=<owner's invite code>")

    def get_share_url(self, card) -> str:
        # the shop comes in the context: one shop for the whole list, no query per product
        return absolute(self.context["request"], product_share_path(self.context["shop"], card.product.id))


class PickOut(serializers.Serializer):
    """One of the owner's picks."""

    id = serializers.IntegerField(source="pick.id")
    product_id = serializers.IntegerField(source="product.id")
    title = serializers.CharField(source="product.title")
    position = serializers.IntegerField(source="pick.position")
    is_hidden = serializers.BooleanField(source="pick.is_hidden")
    product_on_sale = serializers.SerializerMethodField(help_text="false: the product was taken off sale")
    skus = OwnerOfferOut(many=True, source="offers")

    def get_product_on_sale(self, card) -> bool:
        return card.product.status == "on_sale" and card.product.supplier.is_active


class PriceIn(serializers.Serializer):
    sku_id = StrictIntegerField()
    price_amount = MoneyField(allow_null=True, help_text="null: sell at the list price")


class PickIn(serializers.Serializer):
    product_id = StrictIntegerField()
    prices = PriceIn(many=True, required=False)


class PickUpdateIn(serializers.Serializer):
    prices = PriceIn(many=True, required=False)
    is_hidden = serializers.BooleanField(required=False)
    position = StrictIntegerField(min_value=0, required=False, help_text="0 = first")


class ShopOpenIn(serializers.Serializer):
    name = serializers.CharField(max_length=40)
    slug = serializers.CharField(max_length=40, help_text="the address /s/<slug>/; cannot be changed later")
    intro = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    avatar = serializers.FileField(required=False, help_text="JPEG, PNG or WebP, at most 8 MB")


class ShopUpdateIn(serializers.Serializer):
    name = serializers.CharField(max_length=40, required=False)
    intro = serializers.CharField(max_length=200, required=False, allow_blank=True)
    avatar = serializers.FileField(required=False, allow_null=True, help_text="null removes the avatar")
    status = serializers.ChoiceField(
        choices=[ShopStatus.OPEN, ShopStatus.CLOSED], required=False, help_text="the owner opens or closes its shop"
    )
