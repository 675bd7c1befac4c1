from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from socialshop.api.schema import ERRORS_AUTHENTICATED, INVALID, error_response
from socialshop.errors import NotFound

from ..choices import BindingSource
from ..invites import invite_url
from ..selectors import binding_state, team_members, team_summary
from ..services import binding_release, binding_touch_by_code, reseller_join
from .permissions import IsReseller
from .serializers import (
    BindingSerializer,
    InviteCodeInputSerializer,
    JoinedSerializer,
    TeamMemberQuerySerializer,
    TeamMemberSerializer,
    TeamSummarySerializer,
)

NOT_BOUND = error_response("The caller is bound to nobody.", "not_found", "Not found.")


@extend_schema(tags=["team"])
class TeamView(APIView):
    permission_classes = [IsReseller]

    @extend_schema(
        operation_id="team_retrieve",
        summary="The caller's team",
        description=(
            "The calling reseller's invite code and link, its inviter, the size and sales of its whole team "
            "(everyone below it), and the size of each level it may see (the platform's tier limit, at most 3) "
            "with the members who joined them in the last 7 days."
        ),
        responses={200: TeamSummarySerializer, **ERRORS_AUTHENTICATED},
        examples=[
            OpenApiExample(
                "A reseller with a small team",
                response_only=True,
                value={
                    "invite_code": "ABC234",
                    "invite_url": "https://shop.example.com/join/?ref=ABC234",
                    "status": "active",
                    "inviter": {"nickname": "林小美", "phone": "137****0001"},
                    "tier_limit": 2,
                    "team_size": 12,
                    "team_sales_amount": "3580.00",
                    "own_sales_amount": "899.00",
                    "new_this_week": 2,
                    "levels": [
                        {"level": 1, "size": 4, "new_this_week": 1},
                        {"level": 2, "size": 6, "new_this_week": 1},
                    ],
                },
            )
        ],
    )
    def get(self, request):
        reseller = request.reseller
        summary = team_summary(reseller=reseller)
        data = {
            "reseller": reseller,
            "invite_url": invite_url(request, reseller),
            "inviter": summary.inviter,
            "tier_limit": summary.tier_limit,
            "team_size": summary.team_size,
            "team_sales_amount": summary.team_sales_amount,
            "own_sales_amount": summary.own_sales_amount,
            "new_this_week": summary.new_this_week,
            "levels": summary.levels,
        }
        return Response(TeamSummarySerializer(data).data)


@extend_schema(tags=["team"])
class TeamMemberListView(generics.ListAPIView):
    permission_classes = [IsReseller]
    serializer_class = TeamMemberSerializer
    filter_backends = []

    @extend_schema(
        operation_id="team_members_list",
        summary="Members of one level of the caller's team",
        description=(
            "Level 1 is the caller's direct downline, 2 their invitees, 3 the next; only the levels the platform's "
            "tier limit shows. Newest first; names and phone numbers are masked."
        ),
        parameters=[
            OpenApiParameter("level", int, description="1 (direct downline) up to the tier limit; default 1."),
        ],
        responses={
            200: TeamMemberSerializer(many=True),
            400: error_response(
                "A level that is not a number (`validation_error`) or beyond the tier limit "
                "(`team_level_out_of_range`).",
                "team_level_out_of_range",
                "This level of the team is not visible.",
            ),
            404: error_response("A page past the last.", "not_found", "Invalid page."),
            **ERRORS_AUTHENTICATED,
        },
        examples=[
            OpenApiExample(
                "One member",
                response_only=True,
                value={
                    "nickname": "陈**",
                    "phone": "137****0002",
                    "status": "active",
                    "joined_at": "2026-11-20T10:00:00+08:00",
                    "own_sales_amount": "128.00",
                    "team_size": 3,
                },
            )
        ],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        query = TeamMemberQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return team_members(reseller=self.request.reseller, level=query.validated_data["level"])


@extend_schema(tags=["team"])
class BindingView(APIView):
    @extend_schema(
        operation_id="binding_retrieve",
        summary="The caller's binding",
        description=(
            "Which reseller the caller is bound to (锁粉), how and since when, whether it counts for orders now and "
            "when another reseller's link may take over. 404 when the caller is bound to nobody."
        ),
        responses={200: BindingSerializer, 404: NOT_BOUND, **ERRORS_AUTHENTICATED},
        examples=[
            OpenApiExample(
                "Bound through a shared link",
                response_only=True,
                value={
                    "reseller": {"nickname": "林小美", "invite_code": "ABC234"},
                    "source": "link",
                    "bound_at": "2026-11-01T09:30:00+08:00",
                    "touched_at": "2026-11-20T21:05:00+08:00",
                    "in_force": True,
                    "replaceable_from": "2026-12-20T21:05:00+08:00",
                },
            )
        ],
    )
    def get(self, request):
        state = binding_state(customer=request.user)
        if state is None:
            raise NotFound()
        return Response(BindingSerializer(state).data)

    @extend_schema(
        operation_id="binding_touch",
        summary="Report a visit through a reseller's link",
        description=(
            "For apps opened from a shared link: the link's code binds the caller as the platform's rule says "
            "(binds, renews, replaces or keeps the current binding). Answers the binding after the visit."
        ),
        request=InviteCodeInputSerializer,
        responses={
            200: BindingSerializer,
            400: error_response(
                "No code (`validation_error`), an unknown code (`invite_code_unknown`) or the caller's own "
                "(`self_binding_refused`).",
                "invite_code_unknown",
                "No reseller has this invite code.",
            ),
            404: error_response(
                "Bound to nobody after the visit (the code's reseller is not active).", "not_found", "Not found."
            ),
            **ERRORS_AUTHENTICATED,
        },
        examples=[OpenApiExample("A shared link's code", request_only=True, value={"invite_code": "ABC234"})],
    )
    def post(self, request):
        data = InviteCodeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        binding_touch_by_code(
            customer=request.user, invite_code=data.validated_data["invite_code"], source=BindingSource.LINK
        )
        return self.get(request)

    @extend_schema(
        operation_id="binding_end",
        summary="Ask to be unbound",
        description=(
            "Ends the caller's binding when the platform's rule would let another reseller's link take over now "
            "(last touch; first touch once the binding outlived its lifetime). Otherwise 409 "
            "`binding_release_refused`, with `available_from` (the Beijing day from which it can; null: never)."
        ),
        request=None,
        responses={
            204: None,
            404: NOT_BOUND,
            409: error_response(
                "The rule still holds the binding.",
                "binding_release_refused",
                "Under the platform's rules your binding holds until 2026-12-20; you can end it from then.",
                available_from="2026-12-20",
            ),
            **ERRORS_AUTHENTICATED,
        },
    )
    def delete(self, request):
        binding_release(customer=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["team"])
class JoinView(APIView):
    @extend_schema(
        operation_id="reseller_join",
        summary="Become a reseller with an invite code",
        description=(
            "The calling customer joins the team of the code's reseller (free; nobody is paid for it). With the "
            "platform's approval setting on, the new reseller is `pending` until an operator approves it."
        ),
        request=InviteCodeInputSerializer,
        responses={
            201: JoinedSerializer,
            400: INVALID,
            409: error_response(
                "Already a reseller (`already_reseller`), an inactive inviter (`inviter_not_active`) or a role "
                "that cannot become one (`role_change_refused`).",
                "already_reseller",
                "This user is already a reseller.",
            ),
            **ERRORS_AUTHENTICATED,
        },
        examples=[
            OpenApiExample("An invite code", request_only=True, value={"invite_code": "ABC234"}),
            OpenApiExample(
                "Joined",
                response_only=True,
                status_codes=["201"],
                value={"invite_code": "XYZ789", "status": "active", "joined_at": "2026-11-26T10:00:00+08:00"},
            ),
        ],
    )
    def post(self, request):
        data = InviteCodeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reseller = reseller_join(user=request.user, invite_code=data.validated_data["invite_code"])
        return Response(JoinedSerializer(reseller).data, status=status.HTTP_201_CREATED)
