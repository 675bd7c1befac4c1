"""Coupons over HTTP: the coupons anyone may claim, claiming one, the
caller's own, and a reseller's own promo codes (docs/coupons.md). Placing an order takes ``coupon_ids``; the
best coupon for a cart is ``POST /checkout/coupons/`` (orders)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from distribution.api.permissions import IsReseller
from socialshop.api.schema import ERRORS_AUTHENTICATED, INVALID, NOT_FOUND, THROTTLED, error_response
from socialshop.errors import NotFound

from ..choices import ClaimSource
from ..models import ClaimedCoupon, Coupon
from ..selectors import claimed_coupons_of, coupons_claimable, reseller_codes_of
from ..services import coupon_claim, reseller_code_create, reseller_code_stop
from .serializers import ClaimedCouponOut, CouponOut, MineIn, PromoCodeIn, PromoCodeOut

NOT_CLAIMABLE = error_response(
    "the coupon is inactive, ended or not offered in the centre, or the caller holds its limit or none are left",
    "coupon_limit_reached",
    "You already hold as many of this coupon as allowed, or none are left.",
)


@extend_schema(tags=["coupons"])
class CouponList(generics.ListAPIView):
    """The coupon centre (领券中心)."""

    permission_classes = [permissions.AllowAny]
    serializer_class = CouponOut

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Coupon.objects.none()
        return coupons_claimable()

    @extend_schema(
        operation_id="coupons_list",
        summary="Coupons to claim",
        description="The coupon centre: active coupons anyone signed in may claim, newest first.",
        responses={200: CouponOut(many=True), 429: THROTTLED},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["coupons"])
class CouponClaim(APIView):
    @extend_schema(
        operation_id="coupons_claim",
        summary="Claim a coupon",
        description=(
            "Gives the caller one of the coupon (领取), valid for its window or for N days from now. 409 "
            "`coupon_limit_reached` when the caller holds its per-person limit or none are left, "
            "`coupon_not_claimable` when it is inactive, ended or not offered in the centre; 404 for no such coupon."
        ),
        request=None,
        responses={201: ClaimedCouponOut, 404: NOT_FOUND, 409: NOT_CLAIMABLE, **ERRORS_AUTHENTICATED},
    )
    def post(self, request, coupon_id: int):
        if not Coupon.objects.filter(pk=coupon_id, is_active=True, code__isnull=True).exists():
            raise NotFound()
        claim = coupon_claim(coupon_id=coupon_id, user=request.user, source=ClaimSource.CENTRE)
        return Response(ClaimedCouponOut(claim).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["coupons"])
class MyCouponList(generics.ListAPIView):
    serializer_class = ClaimedCouponOut

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ClaimedCoupon.objects.none()
        query = MineIn(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return claimed_coupons_of(user=self.request.user, status=query.validated_data["status"])

    @extend_schema(
        operation_id="coupons_mine",
        summary="My coupons",
        description="The caller's coupons in one state (我的优惠券): `unused` (still valid), `used` or `expired`.",
        parameters=[OpenApiParameter("status", str, enum=["unused", "used", "expired"], required=False)],
        responses={200: ClaimedCouponOut(many=True), 400: INVALID, **ERRORS_AUTHENTICATED},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["coupons"])
class PromoCodeList(generics.ListAPIView):
    """A reseller's own promo codes (优惠码), funded from its earnings."""

    permission_classes = [IsReseller]
    serializer_class = PromoCodeOut
    pagination_class = None  # three at most are active

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Coupon.objects.none()
        return reseller_codes_of(reseller=self.request.reseller)

    @extend_schema(
        operation_id="coupons_promo_codes_list",
        summary="My promo codes",
        description="The caller's own promo codes, newest first, with how many buyers claimed, used or let expire.",
        responses={200: PromoCodeOut(many=True), **ERRORS_AUTHENTICATED},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="coupons_promo_codes_create",
        summary="Create a promo code",
        description=(
            "A promo code the caller funds from its earnings: amount off (in yuan) above a threshold or none, "
            "valid N days after a buyer types it. 400 `coupon_invalid` for a malformed or taken code, an amount "
            "off not below the threshold, or when the caller already has 3 active codes."
        ),
        request=PromoCodeIn,
        responses={201: PromoCodeOut, 400: INVALID, **ERRORS_AUTHENTICATED},
    )
    def post(self, request):
        data = PromoCodeIn(data=request.data)
        data.is_valid(raise_exception=True)
        coupon = reseller_code_create(reseller=request.reseller, **data.validated_data)
        coupon = reseller_codes_of(reseller=request.reseller).get(pk=coupon.pk)
        return Response(PromoCodeOut(coupon).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["coupons"])
class PromoCodeStop(APIView):
    """The caller stops one of its own promo codes."""

    permission_classes = [IsReseller]

    @extend_schema(
        operation_id="coupons_promo_codes_stop",
        summary="Stop one of my promo codes",
        description=(
            "No new buyer gets its discount: typing it at checkout answers 409 `promo_code_stopped`. Coupons "
            "buyers already claimed with it stay usable until they expire, still funded by the caller. Stopping a "
            "stopped code changes nothing (200). 404 for a code that is not the caller's own. No body."
        ),
        request=None,
        responses={200: PromoCodeOut, 404: NOT_FOUND, **ERRORS_AUTHENTICATED},
    )
    def post(self, request, coupon_id: int):
        reseller_code_stop(reseller=request.reseller, coupon_id=coupon_id)
        coupon = reseller_codes_of(reseller=request.reseller).get(pk=coupon_id)
        return Response(PromoCodeOut(coupon).data)
