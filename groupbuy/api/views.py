"""Group buying's API: open a group, join one, read a group or a campaign
with its open groups (凑团), the caller's groups. Paying goes through the
orders API (``POST /orders/{id}/pay/``) like any order."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from orders.services.addresses import ShippingAddress
from socialshop.api.schema import ERRORS_AUTHENTICATED, INVALID, NOT_FOUND, error_response

from ..selectors import campaign_get, group_view, groups_open_for_campaign, memberships_for_buyer
from ..services import group_join, group_open
from .serializers import CampaignOut, GroupOut, JoinIn, MembershipOut, OpenIn

SEAT_REFUSED = error_response(
    "No seat: the group is full or closed, the buyer holds a seat in an open group of this campaign, the campaign "
    "is not running, not enough stock, or a coupon that cannot be used (`coupon_unavailable`).",
    "group_full",
    "Every seat of this group is taken. Open a group of your own or join another.",
    seats_left=0,
)


def _seat_answer(member) -> Response:
    return Response(MembershipOut(member).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["group buying"])
class GroupOpen(APIView):
    @extend_schema(
        operation_id="groups_open",
        summary="Open a group (开团)",
        description=(
            "Places the caller's order for the line at the campaign's leader price (团长价) if it has one, else the "
            "group price, and holds the group's first seat for `GROUPBUY_SEAT_HOLD_MINUTES` (10 by default): pay it "
            "with `POST /orders/{id}/pay/`. Refused with `campaign_not_running`, `already_in_group` (409), "
            "`over_person_limit`, `campaign_invalid`, `not_buyable`, `invalid_address` (400), `out_of_stock` (409). "
            "`coupon_ids` take the caller's coupons off the line when the campaign's `coupons_apply` is true; "
            "otherwise, or when a coupon does not reach the line, `coupon_unavailable` (409)."
        ),
        request=OpenIn,
        responses={201: MembershipOut, 400: INVALID, 409: SEAT_REFUSED, 404: NOT_FOUND, **ERRORS_AUTHENTICATED},
    )
    def post(self, request):
        data = OpenIn(data=request.data)
        data.is_valid(raise_exception=True)
        member = group_open(
            buyer=request.user,
            campaign_id=data.validated_data["campaign_id"],
            sku_id=data.validated_data["sku_id"],
            quantity=data.validated_data["quantity"],
            address=ShippingAddress(**data.validated_data["shipping_address"]),
            note=data.validated_data["note"],
            coupon_ids=data.validated_data["coupon_ids"],
        )
        return _seat_answer(member)


@extend_schema(tags=["group buying"])
class GroupJoin(APIView):
    @extend_schema(
        operation_id="groups_join",
        summary="Join a group (参团)",
        description=(
            "Takes a free seat of an open group (a seat whose hold lapsed is freed first) and places the caller's "
            "order at the group price; pay it within the hold. Refused with `group_full`, `group_closed`, "
            "`already_in_group` (409), and as opening is."
        ),
        request=JoinIn,
        responses={201: MembershipOut, 400: INVALID, 409: SEAT_REFUSED, 404: NOT_FOUND, **ERRORS_AUTHENTICATED},
    )
    def post(self, request, group_id: int):
        data = JoinIn(data=request.data)
        data.is_valid(raise_exception=True)
        member = group_join(
            buyer=request.user,
            group_id=group_id,
            sku_id=data.validated_data["sku_id"],
            quantity=data.validated_data["quantity"],
            address=ShippingAddress(**data.validated_data["shipping_address"]),
            note=data.validated_data["note"],
            coupon_ids=data.validated_data["coupon_ids"],
        )
        return _seat_answer(member)


@extend_schema(tags=["group buying"])
class GroupDetail(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        operation_id="groups_read",
        summary="A group, as its shared link shows it",
        description="Members (names masked), seats left, time left. Anyone with the link may read it.",
        responses={200: GroupOut, 404: NOT_FOUND},
    )
    def get(self, request, group_id: int):
        return Response(GroupOut(group_view(group_id=group_id)).data)


@extend_schema(tags=["group buying"])
class CampaignDetail(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        operation_id="groups_campaign_read",
        summary="A campaign and its open groups (凑团)",
        description="The SKUs at their group prices and up to 10 open groups to join, the fullest first.",
        responses={200: CampaignOut, 404: NOT_FOUND},
    )
    def get(self, request, campaign_id: int):
        campaign = campaign_get(campaign_id=campaign_id)
        campaign.open_groups = groups_open_for_campaign(campaign_id=campaign.pk)
        return Response(CampaignOut(campaign).data)


@extend_schema(tags=["group buying"])
class MyGroups(generics.ListAPIView):
    serializer_class = MembershipOut

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return memberships_for_buyer(buyer=None).none()
        return memberships_for_buyer(buyer=self.request.user)

    @extend_schema(
        operation_id="groups_mine",
        summary="My groups",
        description="The caller's seats in groups, newest first, with what to pay and how each group stands.",
        responses={200: MembershipOut(many=True), **ERRORS_AUTHENTICATED},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
