from dataclasses import asdict

from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from distribution.api.permissions import IsReseller
from distribution.selectors import distribution_settings_get
from socialshop.api.schema import ERRORS_AUTHENTICATED, INVALID, error_response

from ..selectors import customer_book, customer_row, funnel, period_start
from ..services import customer_note_save, reminder_add
from .serializers import (
    CustomerNoteSerializer,
    CustomerQuerySerializer,
    CustomerSerializer,
    FunnelQuerySerializer,
    FunnelSerializer,
    ReminderInputSerializer,
    ReminderSerializer,
)

NOT_YOURS = error_response("Not bound to the caller now, or no such person.", "not_your_customer", "No such customer.")


@extend_schema(tags=["growth"])
class CustomerListView(generics.ListAPIView):
    permission_classes = [IsReseller]
    serializer_class = CustomerSerializer
    filter_backends = []

    @extend_schema(
        operation_id="customers_list",
        summary="The caller's customer book (锁粉客户)",
        description=(
            "The customers bound to the calling reseller now, newest first (`view=top`: by spend), with orders and "
            "spend through it, its tags and when each is due to buy again. Names and phones are masked."
        ),
        parameters=[
            OpenApiParameter("view", str, enum=["new", "expiring", "lapsed", "top"], description="A filter."),
            OpenApiParameter("q", str, description="Nickname, tag or the phone's last 4 digits."),
        ],
        responses={
            200: CustomerSerializer(many=True),
            400: INVALID,
            404: error_response("A page past the last.", "not_found", "Invalid page."),
            **ERRORS_AUTHENTICATED,
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        query = CustomerQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return customer_book(
            reseller=self.request.reseller, view=query.validated_data["view"], query=query.validated_data["q"]
        )

    def list(self, request, *args, **kwargs):
        lifetime = distribution_settings_get().binding_lifetime
        page = self.paginate_queryset(self.get_queryset())
        rows = [
            {**asdict(row), "due_again": row.due_again} for row in (customer_row(b, lifetime=lifetime) for b in page)
        ]
        return self.get_paginated_response(CustomerSerializer(rows, many=True).data)


@extend_schema(tags=["growth"])
class CustomerNoteView(APIView):
    permission_classes = [IsReseller]

    @extend_schema(
        operation_id="customer_note_update",
        summary="Set a customer's tags and private note",
        request=CustomerNoteSerializer,
        responses={200: CustomerNoteSerializer, 400: INVALID, 404: NOT_YOURS, **ERRORS_AUTHENTICATED},
        examples=[OpenApiExample("Tags", request_only=True, value={"tags": "宝妈,老客", "note": "喜欢坚果"})],
    )
    def patch(self, request, customer_id: int):
        data = CustomerNoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = customer_note_save(reseller=request.reseller, customer_id=customer_id, **data.validated_data)
        return Response(CustomerNoteSerializer({"tags": entry.tags, "note": entry.note}).data)


@extend_schema(tags=["growth"])
class ReminderCreateView(APIView):
    permission_classes = [IsReseller]

    @extend_schema(
        operation_id="customer_reminder_create",
        summary="Set a follow-up reminder for a customer",
        description="It shows on the workbench from that day; a `customer.reminder_due` event announces it.",
        request=ReminderInputSerializer,
        responses={201: ReminderSerializer, 400: INVALID, 404: NOT_YOURS, **ERRORS_AUTHENTICATED},
        examples=[OpenApiExample("A reminder", request_only=True, value={"due_on": "2026-12-10", "text": "回访"})],
    )
    def post(self, request, customer_id: int):
        data = ReminderInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reminder = reminder_add(reseller=request.reseller, customer_id=customer_id, **data.validated_data)
        return Response(ReminderSerializer(reminder).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["growth"])
class FunnelView(APIView):
    permission_classes = [IsReseller]

    @extend_schema(
        operation_id="funnel_retrieve",
        summary="The caller's funnel",
        description="Visits → visitors → new customers → buyers → repeat buyers, with orders, sales and commissions.",
        parameters=[OpenApiParameter("days", int, enum=[7, 30, 90], description="The period; default 30.")],
        responses={200: FunnelSerializer, 400: INVALID, **ERRORS_AUTHENTICATED},
    )
    def get(self, request):
        query = FunnelQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        days = int(query.validated_data["days"])
        today = timezone.localdate()
        figures = funnel(first=period_start(days, today), last=today, reseller_id=request.reseller.pk)
        return Response(FunnelSerializer({"days": days, **asdict(figures)}).data)
