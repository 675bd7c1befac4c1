"""Flash sales over HTTP: the campaign list (anyone), 立即抢购 (a signed-in
buyer: the gate's answer) and placing the admitted buyer's order. Each view
calls one service."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from orders.api.serializers import OrderOut, order_out_data
from orders.services.addresses import ShippingAddress
from socialshop.api.schema import ERRORS_AUTHENTICATED, INVALID, NOT_FOUND, THROTTLED, error_response

from ..selectors import flash_slots, item_progress
from ..services import flash_admit, flash_order_place
from ..throttles import FLASH_GRAB_THROTTLES
from .serializers import FlashCampaignOut, FlashOrderIn, GrabOut

UNAVAILABLE = error_response(
    "The gate cannot answer now (Redis down or rebuilding); try again in a moment.",
    "flash_unavailable",
    "Too many people are trying right now. Try again in a moment.",
)


def campaigns_data(now) -> list[dict]:
    data = []
    for slot in flash_slots(now=now):
        campaigns: dict[int, dict] = {}
        for item in slot.items:
            campaign = item.campaign
            entry = campaigns.setdefault(
                campaign.pk,
                {
                    "id": campaign.pk,
                    "title": campaign.title,
                    "starts_at": campaign.starts_at,
                    "ends_at": campaign.ends_at,
                    "state": slot.state(now),
                    "per_person_limit": campaign.per_person_limit,
                    "hold_minutes": campaign.hold_minutes,
                    "coupons_apply": campaign.coupons_apply,
                    "items": [],
                },
            )
            entry["items"].append(
                {
                    "id": item.pk,
                    "sku_id": item.sku_id,
                    "sku": item.sku,
                    "flash_price_amount": item.flash_price_amount,
                    "flash_stock": item.flash_stock,
                    "planned_stock": item.planned_stock,
                    "sold_percent": item_progress(item),
                }
            )
        data.extend(campaigns.values())
    return data


class FlashCampaignList(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        tags=["flash"],
        operation_id="flash_campaigns_list",
        summary="Flash-sale campaigns",
        description="Today's and tomorrow's slots not yet ended (Beijing time), with their items. Anyone may read it.",
        responses={200: FlashCampaignOut(many=True), 429: THROTTLED},
    )
    def get(self, request):
        return Response(FlashCampaignOut(campaigns_data(timezone.now()), many=True).data)


class FlashGrab(APIView):
    throttle_classes = FLASH_GRAB_THROTTLES

    @extend_schema(
        tags=["flash"],
        operation_id="flash_grab",
        summary="立即抢购: ask the gate for a unit",
        description=(
            "One tap on 立即抢购. Admitted: a unit is held for the caller under `token` until `expires_at` (the "
            "campaign's hold time): place the order with `POST /flash/orders/` and pay it in that time, or the unit "
            "goes back to others. Refused with 409 `flash_sold_out`, `flash_limit_reached` (the per-person limit), "
            "`flash_not_started`, `flash_ended`; 404 for an unknown item; 429 when the caller or its address taps "
            "too fast; 503 `flash_unavailable`. No body."
        ),
        request=None,
        responses={
            201: GrabOut,
            404: NOT_FOUND,
            409: error_response("Refused by the gate; nothing is held.", "flash_sold_out", "Sold out."),
            503: UNAVAILABLE,
            **ERRORS_AUTHENTICATED,
        },
        examples=[
            OpenApiExample(
                "Admitted",
                response_only=True,
                status_codes=["201"],
                value={
                    "outcome": "admitted",
                    "token": "q9Xk3v0d6yJmC1bT2aP8Rw",
                    "expires_at": "2026-12-04T10:05:00+08:00",
                    "item_id": 12,
                },
            )
        ],
    )
    def post(self, request, item_id: int):
        admitted = flash_admit(item_id=item_id, buyer=request.user)
        body = {
            "outcome": "admitted",
            "token": admitted.token,
            "expires_at": admitted.expires_at,
            "item_id": admitted.item_id,
        }
        return Response(GrabOut(body).data, status=status.HTTP_201_CREATED)


class FlashOrderCreate(APIView):
    throttle_scope = "order_place"

    @extend_schema(
        tags=["flash"],
        operation_id="flash_orders_place",
        summary="Place an admitted buyer's flash order",
        description=(
            "Turns the admission `token` (from `POST /flash/items/{id}/grab/`) into an order of one unit at the flash "
            "price, through the normal placing service; pay it with `POST /orders/{id}/pay/` before the admission "
            "expires. Sending the same token again answers the same order. 404 for an unknown or another's token, "
            "409 `flash_admission_expired` once the unit went back, 400 `invalid_address` / `validation_error`."
        ),
        request=FlashOrderIn,
        responses={
            201: OrderOut,
            400: INVALID,
            404: NOT_FOUND,
            409: error_response(
                "The admission was released.",
                "flash_admission_expired",
                "Your place was not used in time and went back to others. Try again.",
            ),
            **ERRORS_AUTHENTICATED,
        },
    )
    def post(self, request):
        data = FlashOrderIn(data=request.data)
        data.is_valid(raise_exception=True)
        order = flash_order_place(
            buyer=request.user,
            token=data.validated_data["token"],
            address=ShippingAddress(**data.validated_data["shipping_address"]),
            note=data.validated_data["note"],
            shop_slug=data.validated_data.get("shop"),
        )
        return Response(order_out_data(order), status=status.HTTP_201_CREATED)
