from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from commissions.choices import CommissionState, GradeConditionKind
from commissions.models import Commission, PayoutAccount, Withdrawal
from commissions.selectors import commission_list_for_reseller, grade_progress, money_summary
from commissions.services.payout_accounts import payout_account_add, payout_account_remove
from commissions.services.withdrawals import withdrawal_request
from distribution.api.permissions import IsReseller
from socialshop.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, IDEMPOTENCY_KEY_REUSED, IdempotentViewMixin
from socialshop.api.schema import ERRORS_AUTHENTICATED, NOT_FOUND, error_response
from socialshop.errors import NotFound
from socialshop.money import fen_to_yuan

from .serializers import (
    CommissionSerializer,
    GradeProgressSerializer,
    MoneySummarySerializer,
    PayoutAccountCreateSerializer,
    PayoutAccountSerializer,
    WithdrawalRequestSerializer,
    WithdrawalSerializer,
)

WITHDRAWAL_EXAMPLE = OpenApiExample(
    "Requested",
    value={
        "id": 12,
        "amount": "100.00",
        "fee_amount": "0.00",
        "tax_amount": "0.00",
        "net_amount": "100.00",
        "status": "requested",
        "failure_reason": "",
        "payout_account": 3,
        "transfer_to_accept": None,
        "requested_at": "2026-11-26T10:00:00+08:00",
        "decided_at": None,
        "paid_at": None,
    },
    response_only=True,
)


def _withdrawal_answer(withdrawal: Withdrawal) -> dict:
    return WithdrawalSerializer(withdrawal).data


@extend_schema_view(
    list=extend_schema(summary="My withdrawals", responses={200: WithdrawalSerializer, **ERRORS_AUTHENTICATED}),
    retrieve=extend_schema(
        summary="One of my withdrawals",
        responses={200: WithdrawalSerializer, 404: NOT_FOUND, **ERRORS_AUTHENTICATED},
        examples=[WITHDRAWAL_EXAMPLE],
    ),
)
@extend_schema(tags=["money"])
class WithdrawalViewSet(IdempotentViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsReseller]
    serializer_class = WithdrawalSerializer

    def get_throttles(self):
        self.throttle_scope = "withdrawal_request" if self.action == "create" else None
        return super().get_throttles()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Withdrawal.objects.none()
        return Withdrawal.objects.filter(reseller=self.request.reseller).select_related("payout")

    @extend_schema(
        summary="Ask to withdraw",
        description=(
            "The amount leaves the withdrawable balance at once and waits for an operator. Refused with 400 "
            "below the minimum (`below_minimum_withdrawal`), above the balance (`insufficient_balance`), "
            "or for an amount that is not a positive yuan amount with at most two decimals; with no payout "
            "account the provider can pay, or one that is not mine (`no_payout_account`)."
        ),
        request=WithdrawalRequestSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={
            201: WithdrawalSerializer,
            400: error_response(
                "Refused: a bad amount (`validation_error`), `below_minimum_withdrawal`, `insufficient_balance` "
                "or `no_payout_account`.",
                "insufficient_balance",
                "You can withdraw at most ¥12.00.",
            ),
            **ERRORS_AUTHENTICATED,
            422: IDEMPOTENCY_KEY_REUSED,
        },
        examples=[OpenApiExample("¥100", value={"amount": "100.00"}, request_only=True), WITHDRAWAL_EXAMPLE],
    )
    def create(self, request):
        data = WithdrawalRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answer = withdrawal_request(
            reseller=request.reseller,
            amount=data.validated_data["amount"],
            payout_account_id=data.validated_data.get("payout_account"),
            idempotency=self.idempotency(request, data=data.validated_data, answer=_withdrawal_answer),
        )
        return self.idempotent_response(answer)


@extend_schema_view(
    list=extend_schema(summary="My payout accounts", responses={200: PayoutAccountSerializer, **ERRORS_AUTHENTICATED}),
    create=extend_schema(
        summary="Add a payout account",
        description=(
            "Where withdrawals are paid. `wechat`: the WeChat account I logged in with (refused without a WeChat "
            "log-in); `alipay`: log-in id and real name (Alipay checks them); `bank`: card number, bank and name "
            "(paid by hand). The same account twice answers the one there."
        ),
        request=PayoutAccountCreateSerializer,
        responses={
            201: PayoutAccountSerializer,
            400: error_response(
                "Refused (`payout_account_refused`, `validation_error`), with the field at fault.",
                "payout_account_refused",
                "Enter your name as on your ID card.",
            ),
            **ERRORS_AUTHENTICATED,
        },
        examples=[
            OpenApiExample(
                "Alipay",
                value={"kind": "alipay", "account": "13800138000", "real_name": "张三"},
                request_only=True,
            )
        ],
    ),
    destroy=extend_schema(
        summary="Remove a payout account",
        description="Withdrawals already made to it keep it.",
        responses={204: None, 404: NOT_FOUND, **ERRORS_AUTHENTICATED},
    ),
)
@extend_schema(tags=["money"])
class PayoutAccountViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    permission_classes = [IsReseller]
    serializer_class = PayoutAccountSerializer
    pagination_class = None  # a handful at most

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PayoutAccount.objects.none()
        return PayoutAccount.objects.filter(reseller=self.request.reseller, removed_at__isnull=True)

    def create(self, request):
        data = PayoutAccountCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        account = payout_account_add(reseller=request.reseller, **data.validated_data)
        return Response(PayoutAccountSerializer(account).data, status=201)

    def destroy(self, request, pk=None):
        payout_account_remove(reseller=request.reseller, account_id=_id(pk))
        return Response(status=204)


def _id(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if not 0 < number < 2**63:
        raise NotFound()
    return number


class MoneySummaryView(APIView):
    permission_classes = [IsReseller]

    @extend_schema(
        summary="My balances",
        responses={200: MoneySummarySerializer, **ERRORS_AUTHENTICATED},
        examples=[
            OpenApiExample(
                "A reseller",
                value={
                    "frozen_amount": "35.00",
                    "withdrawable_amount": "120.50",
                    "withdrawal_pending_amount": "100.00",
                    "withdrawn_amount": "880.00",
                },
                response_only=True,
            )
        ],
        tags=["money"],
    )
    def get(self, request):
        return Response(MoneySummarySerializer(money_summary(reseller_id=request.reseller.pk)).data)


class CommissionFilter(filters.FilterSet):
    state = filters.ChoiceFilter(choices=CommissionState.choices)


@extend_schema_view(
    list=extend_schema(
        summary="My commissions", responses={200: CommissionSerializer, **ERRORS_AUTHENTICATED}, tags=["money"]
    ),
    retrieve=extend_schema(
        summary="One of my commissions",
        responses={200: CommissionSerializer, 404: NOT_FOUND, **ERRORS_AUTHENTICATED},
        tags=["money"],
    ),
)
class CommissionViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsReseller]
    serializer_class = CommissionSerializer
    filterset_class = CommissionFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Commission.objects.none()
        return commission_list_for_reseller(reseller_id=self.request.reseller.pk)


def _grade_answer(grade) -> dict | None:
    if grade is None:
        return None
    return {
        "id": grade.pk,
        "name": grade.name,
        "badge": grade.badge,
        "colour": grade.colour,
        "rank": grade.rank,
        "rates": [{"tier": tier, "rate_bps": rate} for tier, rate in enumerate(grade.tier_rates(), start=1)],
    }


class GradeView(APIView):
    permission_classes = [IsReseller]

    @extend_schema(
        summary="My grade and my progress toward the next one",
        description=(
            "The grade I hold (its per-tier rates; null: the plan's), the next grade up and each of its "
            "conditions with my own figure: sales through my shop and links, completed orders, customers who "
            "bought, over the condition's window. Grades never count people recruited or a team's sales."
        ),
        responses={200: GradeProgressSerializer, **ERRORS_AUTHENTICATED},
        examples=[
            OpenApiExample(
                "On the way to 银牌店主",
                value={
                    "grade": {
                        "id": 1,
                        "name": "普通店主",
                        "badge": "普",
                        "colour": "#7cb342",
                        "rank": 1,
                        "rates": [
                            {"tier": 1, "rate_bps": None},
                            {"tier": 2, "rate_bps": None},
                            {"tier": 3, "rate_bps": None},
                        ],
                    },
                    "since": "2026-12-01T09:30:00+08:00",
                    "set_by_hand": False,
                    "next_grade": {
                        "id": 2,
                        "name": "银牌店主",
                        "badge": "银",
                        "colour": "#9aa5b1",
                        "rank": 2,
                        "rates": [
                            {"tier": 1, "rate_bps": 3500},
                            {"tier": 2, "rate_bps": None},
                            {"tier": 3, "rate_bps": None},
                        ],
                    },
                    "conditions": [
                        {
                            "kind": "sales_amount",
                            "unit": "yuan",
                            "window_days": 30,
                            "figure": "516.00",
                            "threshold": "1000.00",
                            "percent": 51,
                            "met": False,
                        },
                        {
                            "kind": "buying_customers",
                            "unit": "count",
                            "window_days": 30,
                            "figure": "2",
                            "threshold": "3",
                            "percent": 66,
                            "met": False,
                        },
                    ],
                },
                response_only=True,
            )
        ],
        tags=["money"],
    )
    def get(self, request):
        progress = grade_progress(reseller_id=request.reseller.pk)
        conditions = [
            {
                "kind": condition.kind,
                "unit": "yuan" if condition.kind == GradeConditionKind.SALES else "count",
                "window_days": condition.window_days,
                "figure": str(fen_to_yuan(condition.figure))
                if condition.kind == GradeConditionKind.SALES
                else str(condition.figure),
                "threshold": str(fen_to_yuan(condition.threshold))
                if condition.kind == GradeConditionKind.SALES
                else str(condition.threshold),
                "percent": condition.percent,
                "met": condition.met,
            }
            for condition in progress.conditions
        ]
        answer = {
            "grade": _grade_answer(progress.grade),
            "since": progress.held.since if progress.held and progress.grade else None,
            "set_by_hand": bool(progress.held and progress.held.manual),
            "next_grade": _grade_answer(progress.next_grade),
            "conditions": conditions,
        }
        return Response(GradeProgressSerializer(answer).data)
