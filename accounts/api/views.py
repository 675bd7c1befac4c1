from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from socialshop.api.schema import ERRORS_AUTHENTICATED

from .serializers import MeSerializer


class MeView(APIView):
    @extend_schema(
        summary="Who am I",
        description="The authenticated caller: a quick way for a client to check its token.",
        responses={200: MeSerializer, **ERRORS_AUTHENTICATED},
        examples=[
            OpenApiExample(
                "A reseller",
                value={
                    "id": 7,
                    "phone": "13700000001",
                    "nickname": "林小美",
                    "role": "reseller",
                    "date_joined": "2026-11-01T10:00:00+08:00",
                },
                response_only=True,
            )
        ],
        tags=["account"],
    )
    def get(self, request):
        return Response(MeSerializer(request.user).data)
