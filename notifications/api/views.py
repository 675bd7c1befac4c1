from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from socialshop.api.schema import ERRORS_AUTHENTICATED, INVALID

from ..selectors import audiences_of, inbox_for, inbox_unread_count, preferences_of
from ..services import inbox_mark_read, preference_set
from .serializers import (
    MarkedSerializer,
    MarkReadInputSerializer,
    MessageSerializer,
    PreferenceInputSerializer,
    PreferenceSerializer,
    UnreadCountSerializer,
)


@extend_schema(
    tags=["notifications"],
    summary="My inbox (站内信), newest first",
    responses={200: MessageSerializer, **ERRORS_AUTHENTICATED},
)
class InboxList(generics.ListAPIView):
    serializer_class = MessageSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            from ..models import Message

            return Message.objects.none()
        return inbox_for(user=self.request.user)


class UnreadCount(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["notifications"],
        summary="How many of my messages are unread",
        responses={200: UnreadCountSerializer, **ERRORS_AUTHENTICATED},
    )
    def get(self, request):
        return Response({"unread": inbox_unread_count(user=request.user)})


class MarkRead(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["notifications"],
        summary="Mark messages read (the ones named, or all)",
        request=MarkReadInputSerializer,
        responses={200: MarkedSerializer, 400: INVALID, **ERRORS_AUTHENTICATED},
    )
    def post(self, request):
        data = MarkReadInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        marked = inbox_mark_read(user=request.user, message_ids=data.validated_data.get("ids"))
        return Response({"marked": marked, "unread": inbox_unread_count(user=request.user)})


def _preferences(user) -> list[dict]:
    return [
        {
            "kind": kind.code,
            "label": str(kind.label),
            "channels": sorted(channels),
            "allowed": kind.channels_allowed(),
            "locked": kind.locked,
        }
        for kind, channels in preferences_of(user=user, audiences=audiences_of(user))
    ]


class Preferences(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["notifications"],
        summary="The channels each kind of message reaches me through",
        responses={200: PreferenceSerializer(many=True), **ERRORS_AUTHENTICATED},
    )
    def get(self, request):
        return Response(_preferences(request.user))

    @extend_schema(
        tags=["notifications"],
        summary="Choose the channels of one kind of message",
        description="Money and security kinds (`locked`) keep the inbox whatever is chosen.",
        request=PreferenceInputSerializer,
        responses={200: PreferenceSerializer(many=True), 400: INVALID, **ERRORS_AUTHENTICATED},
    )
    def put(self, request):
        data = PreferenceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        preference_set(user=request.user, audiences=audiences_of(request.user), **data.validated_data)
        return Response(_preferences(request.user))
