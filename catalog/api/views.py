"""The catalogue over HTTP: products on sale (anyone), and a supplier's picture upload."""

import django_filters
from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.exceptions import ValidationError as DrfValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from socialshop.api.schema import ERRORS_AUTHENTICATED, INVALID, NOT_FOUND, THROTTLED, error_response

from ..exceptions import NotSupplierStaff
from ..images import upload_read
from ..models import Product
from ..selectors import product_get_for_supplier, product_list_on_sale, product_search_filter, supplier_for_user
from ..services import product_image_add
from .serializers import CatalogueProductOut, ImageOut, ImageUploadIn


class CatalogueFilter(django_filters.FilterSet):
    category = django_filters.CharFilter(field_name="category__slug", help_text="a category's slug, e.g. `food`")
    q = django_filters.CharFilter(method="search", help_text="words in the title or description")

    class Meta:
        model = Product
        fields = ["category", "q"]

    def search(self, queryset, name, value):
        return queryset.filter(product_search_filter(value.strip())) if value.strip() else queryset


def _shows_resale_bounds(request) -> bool:
    user = request.user
    return user.is_authenticated and (user.is_reseller or user.is_operator)


class CatalogueProductList(generics.ListAPIView):
    permission_classes = [permissions.AllowAny]
    serializer_class = CatalogueProductOut
    filterset_class = CatalogueFilter

    def get_queryset(self):
        return product_list_on_sale()

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "show_resale_bounds": _shows_resale_bounds(self.request)}

    @extend_schema(
        summary="Products on sale",
        description=(
            "The platform's catalogue: reviewed products of active suppliers with their active SKUs, newest "
            "first. Resellers (选品) also see each SKU's resale bounds."
        ),
        tags=["catalogue"],
        responses={200: CatalogueProductOut, 400: INVALID, 404: NOT_FOUND, 429: THROTTLED},
        examples=[
            OpenApiExample(
                "a page of products",
                response_only=True,
                value={
                    "id": 7,
                    "title": "高原蜂蜜 500g",
                    "description": "野生百花蜜，自然结晶。",
                    "category": {"slug": "food", "name": "食品"},
                    "supplier_name": "云南山野农产",
                    "images": [],
                    "skus": [
                        {
                            "id": 12,
                            "code": "S02-03-01",
                            "spec": {"规格": "单瓶"},
                            "spec_label": "单瓶",
                            "list_price_amount": "68.00",
                            "stock": 200,
                            "resale_bounds": {"min_amount": "50.00", "max_amount": "136.00"},
                        }
                    ],
                },
            )
        ],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class CatalogueProductDetail(generics.RetrieveAPIView):
    permission_classes = [permissions.AllowAny]
    serializer_class = CatalogueProductOut

    def get_queryset(self):
        return product_list_on_sale()

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "show_resale_bounds": _shows_resale_bounds(self.request)}

    @extend_schema(
        summary="One product on sale",
        tags=["catalogue"],
        responses={200: CatalogueProductOut, 404: NOT_FOUND, 429: THROTTLED},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class SupplierProductImageUpload(APIView):
    """Supplier staff add a picture to one of their products."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Upload a product picture (supplier staff)",
        description=(
            "Multipart upload of one picture. It is checked with Pillow (a real JPEG, PNG or WebP, at most 8 MB "
            "and 40 megapixels, so a decompression bomb is refused before it is decoded), re-encoded and stored "
            "with a thumbnail. A refused file stores nothing and answers 400 with the reason on `image`."
        ),
        tags=["supplier"],
        request={"multipart/form-data": ImageUploadIn},
        responses={
            201: ImageOut,
            **ERRORS_AUTHENTICATED,
            400: error_response(
                "not an acceptable image; nothing was stored",
                "validation_error",
                "Some fields are not valid.",
                {"image": ["The file is not an image we can read."]},
            ),
            403: error_response("not a supplier's staff", "not_supplier_staff", "Only a supplier's staff can do this."),
            404: NOT_FOUND,
            415: error_response(
                "the body is not multipart/form-data",
                "unsupported_media_type",
                'Unsupported media type "…" in request.',
            ),
        },
    )
    def post(self, request, product_id: int):
        supplier = supplier_for_user(user=request.user)
        if supplier is None:
            raise NotSupplierStaff()
        product = product_get_for_supplier(supplier=supplier, product_id=product_id)
        data = ImageUploadIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            image = product_image_add(product=product, data=upload_read(data.validated_data["image"]))
        except ValidationError as error:
            raise DrfValidationError({"image": error.messages}) from error
        return Response(ImageOut(image, context={"request": request}).data, status=status.HTTP_201_CREATED)
