"""Shops over HTTP: a public shop and its products at its prices (anyone),
and the reseller's own shop and picks (its owner only)."""

import django_filters
from django.core.exceptions import ValidationError
from django.db import transaction
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.exceptions import ValidationError as DrfValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.images import upload_read
from catalog.models import Product
from catalog.selectors import product_search_filter
from distribution.models import Reseller
from socialshop.api.parsers import JSONParser
from socialshop.api.schema import ERRORS_AUTHENTICATED, INVALID, NOT_FOUND, THROTTLED, error_response
from socialshop.errors import NotFound

from ..exceptions import NotReseller, ProductNotOnSale, ShopNotOpen
from ..models import ShopProduct
from ..selectors import (
    product_card,
    shop_for_user,
    shop_get_by_slug,
    shop_is_public,
    shop_pick_get_visible,
    shop_picks_for_owner,
    shop_picks_visible,
)
from ..services import shop_open, shop_pick_product, shop_pick_remove, shop_pick_update, shop_set_status, shop_update
from .serializers import (
    PickIn,
    PickOut,
    PickUpdateIn,
    ShopOpenIn,
    ShopOut,
    ShopProductOut,
    ShopUpdateIn,
)

SHOP_NOT_OPEN = error_response(
    "the shop is closed or suspended", "shop_not_open", "This shop is closed or suspended.", current_state="closed"
)
PRICE_OUT_OF_BOUNDS = error_response(
    "a price outside the SKU's resale bounds; nothing was saved",
    "price_out_of_bounds",
    "The price must lie between the SKU's lowest and highest resale price.",
    {"sku_12": ["… (¥50.00 – ¥136.00)"]},
    sku_ids=[12],
)
NOT_A_RESELLER = error_response("not an active reseller", "not_a_reseller", "Only active resellers can run a shop.")


def _public_shop(slug: str):
    shop = shop_get_by_slug(slug=slug)
    if shop is None:
        raise NotFound()
    if not shop_is_public(shop):
        raise ShopNotOpen(current_state=shop.status)
    return shop


def _prices(items) -> dict[int, int | None]:
    return {item["sku_id"]: item["price_amount"] for item in items or []}


# --- public -------------------------------------------------------------------


class ShopProductFilter(django_filters.FilterSet):
    category = django_filters.CharFilter(field_name="product__category__slug", help_text="a category's slug")
    q = django_filters.CharFilter(method="search", help_text="words in the title or description")

    class Meta:
        model = ShopProduct
        fields = ["category", "q"]

    def search(self, queryset, name, value):
        return queryset.filter(product_search_filter(value.strip(), prefix="product__")) if value.strip() else queryset


class PublicShopDetail(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        summary="A shop",
        description="Any shop by its address, with its status: a closed or suspended shop answers with "
        "`is_open: false` so a client can say so.",
        tags=["shops"],
        responses={200: ShopOut, 404: NOT_FOUND, 429: THROTTLED},
    )
    def get(self, request, slug: str):
        shop = shop_get_by_slug(slug=slug)
        if shop is None:
            raise NotFound()
        return Response(ShopOut(shop, context={"request": request}).data)


class PublicShopProductList(generics.ListAPIView):
    permission_classes = [permissions.AllowAny]
    serializer_class = ShopProductOut
    filterset_class = ShopProductFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no shop
            return ShopProduct.objects.none()
        return shop_picks_visible(shop=self.shop)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.shop = None if getattr(self, "swagger_fake_view", False) else _public_shop(kwargs["slug"])

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "shop": self.shop}

    def list(self, request, *args, **kwargs):
        picks = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(picks)
        cards = [product_card(pick) for pick in page]
        return self.get_paginated_response(self.get_serializer(cards, many=True).data)

    @extend_schema(
        summary="A shop's products at its prices",
        description="The products on display in an open shop, in the owner's order, each SKU at the shop's "
        "price (`price_amount`).",
        tags=["shops"],
        responses={200: ShopProductOut, 400: INVALID, 404: NOT_FOUND, 409: SHOP_NOT_OPEN, 429: THROTTLED},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class PublicShopProductDetail(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        summary="One product of a shop, at its prices",
        tags=["shops"],
        responses={200: ShopProductOut, 404: NOT_FOUND, 409: SHOP_NOT_OPEN, 429: THROTTLED},
    )
    def get(self, request, slug: str, product_id: int):
        shop = _public_shop(slug)
        card = product_card(shop_pick_get_visible(shop=shop, product_id=product_id))
        return Response(ShopProductOut(card, context={"request": request, "shop": shop}).data)


# --- the owner's shop --------------------------------------------------------------


def _reseller(request) -> Reseller:
    reseller = Reseller.objects.filter(user=request.user).first()
    if reseller is None or not reseller.is_active:
        raise NotReseller()
    return reseller


def _own_shop(request):
    _reseller(request)
    shop = shop_for_user(user=request.user)
    if shop is None:
        raise NotFound()
    return shop


class MyShop(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        summary="My shop",
        tags=["my shop"],
        responses={200: ShopOut, **ERRORS_AUTHENTICATED, 403: NOT_A_RESELLER, 404: NOT_FOUND},
    )
    def get(self, request):
        return Response(ShopOut(_own_shop(request), context={"request": request}).data)

    @extend_schema(
        summary="Open my shop",
        description="A reseller opens its one shop (JSON, or multipart with an `avatar` picture, checked with "
        "Pillow: a file that is not a JPEG/PNG/WebP or too many pixels answers 400 on `avatar`).",
        tags=["my shop"],
        request={"application/json": ShopOpenIn, "multipart/form-data": ShopOpenIn},
        responses={
            201: ShopOut,
            **ERRORS_AUTHENTICATED,
            400: error_response(
                "bad or taken address (`shop_slug_invalid`, `shop_slug_taken`), or a refused avatar",
                "shop_slug_taken",
                "This address is taken; try another.",
                {"slug": ["This address is taken; try another."]},
            ),
            403: NOT_A_RESELLER,
            409: error_response("already has a shop", "shop_already_open", "This reseller already has a shop."),
        },
        examples=[
            OpenApiExample("open", request_only=True, value={"name": "小美的好物", "slug": "xiaomei", "intro": ""})
        ],
    )
    def post(self, request):
        reseller = _reseller(request)
        data = ShopOpenIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            shop = shop_open(
                owner=reseller,
                name=values["name"],
                slug=values["slug"],
                intro=values.get("intro", ""),
                avatar=upload_read(values.get("avatar")),
            )
        except ValidationError as error:
            raise DrfValidationError({"avatar": error.messages}) from error
        return Response(ShopOut(shop, context={"request": request}).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change my shop",
        description="Name, introduction, avatar (multipart; null removes it) and open/closed. The address "
        "(slug) cannot change. Only operators suspend a shop or lift a suspension.",
        tags=["my shop"],
        request={"application/json": ShopUpdateIn, "multipart/form-data": ShopUpdateIn},
        responses={
            200: ShopOut,
            **ERRORS_AUTHENTICATED,
            400: error_response("bad input, or a refused avatar", "validation_error", "Some fields are not valid."),
            403: error_response(
                "only operators lift a suspension",
                "shop_transition_not_allowed",
                "Only the platform's operators can suspend a shop or lift a suspension.",
            ),
            404: NOT_FOUND,
        },
    )
    def patch(self, request):
        shop = _own_shop(request)
        data = ShopUpdateIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        with transaction.atomic():  # a refused status change leaves the name and avatar unchanged too
            if {"name", "intro", "avatar"} & values.keys():
                try:
                    shop_update(
                        shop=shop,
                        name=values.get("name", shop.name),
                        intro=values.get("intro", shop.intro),
                        avatar=upload_read(values.get("avatar")),
                        remove_avatar="avatar" in values and values["avatar"] is None,
                    )
                except ValidationError as error:
                    raise DrfValidationError({"avatar": error.messages}) from error
            if "status" in values:
                shop = shop_set_status(shop=shop, status=values["status"], by=request.user)
        return Response(ShopOut(shop, context={"request": request}).data)


def _pick_card(shop, pick_id: int):
    pick = shop_picks_for_owner(shop=shop).filter(pk=pick_id).first()
    if pick is None:
        raise NotFound()
    return product_card(pick)


class MyPickList(APIView):
    @extend_schema(
        summary="My picks (选品)",
        description="Every product in my shop, hidden ones too, with each SKU's price, bounds and my markup.",
        tags=["my shop"],
        responses={200: PickOut(many=True), **ERRORS_AUTHENTICATED, 403: NOT_A_RESELLER, 404: NOT_FOUND},
    )
    def get(self, request):
        shop = _own_shop(request)
        cards = [product_card(pick) for pick in shop_picks_for_owner(shop=shop)]
        return Response(PickOut(cards, many=True).data)

    @extend_schema(
        summary="Pick a product into my shop",
        description="Adds a product on sale at the end of the shop (picking it again changes nothing) and "
        "optionally sets prices: each within the SKU's resale bounds, `null` for the list price. All or "
        "nothing.",
        tags=["my shop"],
        request=PickIn,
        responses={
            201: PickOut,
            **ERRORS_AUTHENTICATED,
            400: PRICE_OUT_OF_BOUNDS,
            403: NOT_A_RESELLER,
            404: NOT_FOUND,
            409: error_response(
                "the product is not on sale", "product_not_on_sale", "Only products on sale can be picked."
            ),
        },
        examples=[
            OpenApiExample(
                "pick with a price",
                request_only=True,
                value={"product_id": 7, "prices": [{"sku_id": 12, "price_amount": "79.00"}]},
            )
        ],
    )
    def post(self, request):
        shop = _own_shop(request)
        data = PickIn(data=request.data)
        data.is_valid(raise_exception=True)
        product = Product.objects.filter(pk=data.validated_data["product_id"]).first()
        if product is None:
            raise ProductNotOnSale(fields={"product_id": [str(ProductNotOnSale.default_message)]})
        pick = shop_pick_product(shop=shop, product=product, prices=_prices(data.validated_data.get("prices")))
        return Response(PickOut(_pick_card(shop, pick.pk)).data, status=status.HTTP_201_CREATED)


class MyPickDetail(APIView):
    @extend_schema(
        summary="One of my picks",
        tags=["my shop"],
        responses={200: PickOut, **ERRORS_AUTHENTICATED, 403: NOT_A_RESELLER, 404: NOT_FOUND},
    )
    def get(self, request, pick_id: int):
        return Response(PickOut(_pick_card(_own_shop(request), pick_id)).data)

    @extend_schema(
        summary="Change one of my picks",
        description="Prices (`null` = list price), hidden or shown, and its place (0 = first). All or nothing.",
        tags=["my shop"],
        request=PickUpdateIn,
        responses={200: PickOut, 400: PRICE_OUT_OF_BOUNDS, **ERRORS_AUTHENTICATED, 403: NOT_A_RESELLER, 404: NOT_FOUND},
        examples=[
            OpenApiExample(
                "raise a price and move it first",
                request_only=True,
                value={"prices": [{"sku_id": 12, "price_amount": "88.00"}], "position": 0},
            )
        ],
    )
    def patch(self, request, pick_id: int):
        shop = _own_shop(request)
        pick = ShopProduct.objects.select_related("product", "shop").filter(shop=shop, pk=pick_id).first()
        if pick is None:
            raise NotFound()
        data = PickUpdateIn(data=request.data)  # not partial: each price names its SKU
        data.is_valid(raise_exception=True)
        values = data.validated_data
        shop_pick_update(
            pick=pick,
            prices=_prices(values.get("prices")),
            is_hidden=values.get("is_hidden"),
            position=values.get("position"),
        )
        return Response(PickOut(_pick_card(shop, pick.pk)).data)

    @extend_schema(
        summary="Remove a product from my shop",
        tags=["my shop"],
        responses={204: None, **ERRORS_AUTHENTICATED, 403: NOT_A_RESELLER, 404: NOT_FOUND},
    )
    def delete(self, request, pick_id: int):
        shop = _own_shop(request)
        pick = ShopProduct.objects.filter(shop=shop, pk=pick_id).first()
        if pick is None:
            raise NotFound()
        shop_pick_remove(pick=pick)
        return Response(status=status.HTTP_204_NO_CONTENT)
