from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from socialshop.api.schema import ERRORS_AUTHENTICATED, INVALID, NOT_FOUND
from webhooks.choices import DeliveryStatus
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.selectors import webhook_delivery_list_for_user, webhook_endpoint_list_for_user
from webhooks.services import (
    webhook_delivery_replay,
    webhook_endpoint_create,
    webhook_endpoint_update,
    webhook_ping,
)

from .serializers import (
    DeliverySerializer,
    EndpointCreatedSerializer,
    EndpointInputSerializer,
    EndpointSerializer,
    EndpointUpdateSerializer,
)

ENDPOINT_EXAMPLE = OpenApiExample(
    "An endpoint",
    value={
        "id": 3,
        "url": "https://erp.example.com/hooks/socialshop",
        "description": "ERP",
        "events": ["order.paid", "order.shipped"],
        "is_active": True,
        "created_at": "2026-11-26T10:00:00+08:00",
    },
    response_only=True,
)


@extend_schema_view(
    list=extend_schema(
        summary="List my webhook endpoints", responses={200: EndpointSerializer, **ERRORS_AUTHENTICATED}
    ),
    retrieve=extend_schema(
        summary="Read one of my webhook endpoints",
        responses={200: EndpointSerializer, 404: NOT_FOUND, **ERRORS_AUTHENTICATED},
        examples=[ENDPOINT_EXAMPLE],
    ),
    destroy=extend_schema(
        summary="Delete one of my webhook endpoints (and its delivery log)",
        responses={204: None, 404: NOT_FOUND, **ERRORS_AUTHENTICATED},
    ),
)
@extend_schema(tags=["webhooks"])
class EndpointViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    serializer_class = EndpointSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return WebhookEndpoint.objects.none()
        return webhook_endpoint_list_for_user(user=self.request.user)

    @extend_schema(
        summary="Register a webhook endpoint",
        description=(
            "Events are POSTed as JSON, signed with the returned `secret` (shown only now); see docs/webhooks.md."
        ),
        request=EndpointInputSerializer,
        responses={201: EndpointCreatedSerializer, 400: INVALID, **ERRORS_AUTHENTICATED},
        examples=[
            OpenApiExample(
                "Paid and shipped orders",
                value={"url": "https://erp.example.com/hooks/socialshop", "events": ["order.paid", "order.shipped"]},
                request_only=True,
            )
        ],
    )
    def create(self, request):
        data = EndpointInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = webhook_endpoint_create(user=request.user, **data.validated_data)
        return Response(EndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a webhook endpoint",
        request=EndpointUpdateSerializer,
        responses={200: EndpointSerializer, 400: INVALID, 404: NOT_FOUND, **ERRORS_AUTHENTICATED},
        examples=[ENDPOINT_EXAMPLE],
    )
    def partial_update(self, request, pk=None):
        endpoint = self.get_object()
        data = EndpointUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = webhook_endpoint_update(endpoint=endpoint, **data.validated_data)
        return Response(EndpointSerializer(endpoint).data)

    @extend_schema(
        summary="Send a test event",
        description="Queues a `ping` event to this endpoint; its delivery shows in the log.",
        request=None,
        responses={202: DeliverySerializer, 404: NOT_FOUND, **ERRORS_AUTHENTICATED},
    )
    @action(detail=True, methods=["post"])
    def ping(self, request, pk=None):
        delivery = webhook_ping(endpoint=self.get_object())
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class DeliveryFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=DeliveryStatus.choices)
    event_type = filters.CharFilter()
    # an id: a whole number within the column's range (an out-of-range number was a 500 from the database)
    endpoint = filters.NumberFilter(field_name="endpoint_id", min_value=1, max_value=2**63 - 1, decimal_places=0)


@extend_schema_view(
    list=extend_schema(
        summary="The delivery log", responses={200: DeliverySerializer, 400: INVALID, **ERRORS_AUTHENTICATED}
    ),
    retrieve=extend_schema(
        summary="One delivery with its attempts",
        responses={200: DeliverySerializer, 404: NOT_FOUND, **ERRORS_AUTHENTICATED},
    ),
)
@extend_schema(tags=["webhooks"])
class DeliveryViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DeliverySerializer
    filterset_class = DeliveryFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return WebhookDelivery.objects.none()
        return webhook_delivery_list_for_user(user=self.request.user)

    @extend_schema(
        summary="Send a delivery again",
        description="Same event and body (receivers deduplicate by `event_id`), with a fresh series of retries.",
        request=None,
        responses={202: DeliverySerializer, 404: NOT_FOUND, **ERRORS_AUTHENTICATED},
    )
    @action(detail=True, methods=["post"])
    def replay(self, request, pk=None):
        delivery = webhook_delivery_replay(user=request.user, delivery_id=self.get_object().pk)
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
