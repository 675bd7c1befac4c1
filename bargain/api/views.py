"""Bargaining's API: start a bargain, help a friend's (帮砍), buy one's own
at the price reached, read a bargain, the caller's bargains. Paying goes
through the orders API (``POST /orders/{id}/pay/``) like any order. Each
view calls one service."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.decorators import user_phone_require
from orders.api.serializers import OrderOut, order_out_data
from orders.services.addresses import ShippingAddress
from socialshop.api.schema import ERRORS_AUTHENTICATED, INVALID, NOT_FOUND, THROTTLED, error_response
from socialshop.api.throttles import client_address

from ..selectors import bargain_view, bargain_views, bargains_for_starter
from ..services import bargain_buy, bargain_help, bargain_start
from ..throttles import BARGAIN_HELP_THROTTLES
from .serializers import BargainOut, BuyIn, HelpDoneOut, StartIn

TAG = "bargaining"


@extend_schema(tags=[TAG])
class BargainStart(APIView):
    @extend_schema(
        operation_id="bargains_start",
        summary="Start a bargain (发起砍价)",
        description=(
            "Starts the caller's bargain of a running campaign at its starting price; share its link for friends to "
            "help. One per person per campaign. Refused with `bargain_already_started`, "
            "`bargain_campaign_not_running` (409)."
        ),
        request=StartIn,
        responses={
            201: BargainOut,
            400: INVALID,
            404: NOT_FOUND,
            409: error_response(
                "Not started.", "bargain_already_started", "You already have a bargain in this campaign."
            ),
            **ERRORS_AUTHENTICATED,
        },
    )
    def post(self, request):
        data = StartIn(data=request.data)
        data.is_valid(raise_exception=True)
        bargain = bargain_start(starter=request.user, campaign_id=data.validated_data["campaign_id"])
        return Response(BargainOut(bargain_view(bargain_id=bargain.pk)).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=[TAG])
class BargainDetail(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        operation_id="bargains_read",
        summary="A bargain, as its shared link shows it",
        description=(
            "Price, progress to the floor, helpers (names masked) with their cuts, time left. Anyone may read it."
        ),
        responses={200: BargainOut, 404: NOT_FOUND},
    )
    def get(self, request, bargain_id: int):
        return Response(BargainOut(bargain_view(bargain_id=bargain_id)).data)


@extend_schema(tags=[TAG])
class BargainHelp(APIView):
    throttle_classes = BARGAIN_HELP_THROTTLES

    @extend_schema(
        operation_id="bargains_help",
        summary="Help a friend's bargain (帮砍)",
        description=(
            "Cuts the bargain's price by its next seeded cut; the last of its `helps_needed` helps lands on the "
            "floor. Once per friend. Refused with 409 `bargain_self_help`, `bargain_already_helped`, "
            "`bargain_closed` (bought, ordered or out of time), `bargain_floor_reached`, `bargain_new_users_only`; "
            "429 when the caller or its address helped too often today. No body."
        ),
        request=None,
        responses={
            201: HelpDoneOut,
            404: NOT_FOUND,
            409: error_response("Not helped.", "bargain_already_helped", "You already helped this bargain."),
            429: THROTTLED,
            **ERRORS_AUTHENTICATED,
        },
    )
    def post(self, request, bargain_id: int):
        done = bargain_help(helper=request.user, bargain_id=bargain_id, client_address=client_address(request))
        return Response(HelpDoneOut(done).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=[TAG])
class BargainBuy(APIView):
    throttle_scope = "order_place"

    @extend_schema(
        operation_id="bargains_buy",
        summary="Buy one's bargain at the price reached (立即购买)",
        description=(
            "Places the starter's order of one unit at the bargain's current price through the normal placing "
            "service; no more helps land. Pay it with `POST /orders/{id}/pay/`; an unpaid order cancelled reopens "
            "the bargain while its time lasts. Sending it again while the order waits answers the same order. 404 "
            "for another's bargain, 409 `bargain_closed` once bought or out of time, 400 `invalid_address`."
        ),
        request=BuyIn,
        responses={
            201: OrderOut,
            400: INVALID,
            404: NOT_FOUND,
            409: error_response("Not bought.", "bargain_closed", "This bargain is no longer open."),
            **ERRORS_AUTHENTICATED,
        },
    )
    def post(self, request, bargain_id: int):
        user_phone_require(request.user)  # as the checkout page's phone_required
        data = BuyIn(data=request.data)
        data.is_valid(raise_exception=True)
        order = bargain_buy(
            starter=request.user,
            bargain_id=bargain_id,
            address=ShippingAddress(**data.validated_data["shipping_address"]),
            note=data.validated_data["note"],
        )
        return Response(order_out_data(order), status=status.HTTP_201_CREATED)


@extend_schema(tags=[TAG])
class MyBargains(generics.ListAPIView):
    serializer_class = BargainOut

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return bargains_for_starter(starter=None).none()
        return bargains_for_starter(starter=self.request.user)

    @extend_schema(
        operation_id="bargains_mine",
        summary="My bargains (我的砍价)",
        description="The caller's bargains, newest first, each as its page shows it.",
        responses={200: BargainOut(many=True), **ERRORS_AUTHENTICATED},
    )
    def get(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(BargainOut(bargain_views(page), many=True).data)
