"""Orders over HTTP: buyers place, pay, read, cancel and ask for refunds;
resellers read their shop's orders; suppliers read and ship their parcels.
Each view calls one service; querysets are narrowed to what the caller may
see (another's object answers 404)."""

import django_filters
from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.decorators import user_phone_require
from catalog.selectors import supplier_for_user
from shops.selectors import shop_for_user
from socialshop.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, IDEMPOTENCY_KEY_REUSED, IdempotentViewMixin
from socialshop.api.schema import ERRORS_AUTHENTICATED, INVALID, NOT_FOUND, THROTTLED, error_response
from socialshop.api.throttles import client_address
from socialshop.errors import NotFound

from ..choices import Actor, FulfilmentStatus, Reason
from ..models import FulfilmentGroup, Order
from ..pricing import LineRequest
from ..providers import PayerClient, payment_method_provider
from ..regions import children, provinces
from ..selectors import (
    buyer_openid,
    fulfilment_get_for_supplier,
    fulfilments_for_supplier,
    order_get_for_buyer,
    order_list_for_buyer,
    shop_order_get,
    shop_orders,
)
from ..services.addresses import ShippingAddress
from ..services.fulfilment import fulfilment_ship
from ..services.lifecycle import order_cancel, order_confirm_receipt
from ..services.payments import payment_start
from ..services.placing import order_place
from ..services.refunds import refund_request
from .serializers import (
    CancelIn,
    OrderIn,
    OrderOut,
    PayIn,
    PaymentOut,
    RefundIn,
    RefundOut,
    RegionOut,
    ShipIn,
    ShopOrderOut,
    SupplierFulfilmentOut,
    order_out_data,
)

INVALID_TRANSITION = error_response(
    "The order is not in a state that allows this.",
    "invalid_transition",
    "The order is not in a state that allows this.",
    current_state="shipped",
    requested_state="cancelled",
)
ORDER_EXAMPLE = OpenApiExample(
    "Placed in a shop",
    response_only=True,
    value={
        "id": 123,
        "number": "20261126-000123",
        "status": "pending_payment",
        "currency": "CNY",
        "total_amount": "318.00",
        "paid_amount": "0.00",
        "refunded_amount": "0.00",
        "note": "",
        "shipping_address": {
            "recipient_name": "张三",
            "phone": "13800138000",
            "province_code": "44",
            "city_code": "4401",
            "district_code": "440106",
            "region": "广东省 广州市 天河区",
            "street": "体育西路 1 号 2 栋 301",
        },
        "lines": [
            {
                "id": 501,
                "sku_id": 7,
                "product_id": 3,
                "title": "云南古树普洱茶饼 357g",
                "spec_label": "单饼",
                "quantity": 2,
                "unit_price_amount": "159.00",
                "discount_amount": "0.00",
                "line_total_amount": "318.00",
                "paid_amount": "0.00",
                "refunded_amount": "0.00",
                "refund_pending_amount": "0.00",
                "shop": "xiaomei",
                "fulfilment_id": 88,
            }
        ],
        "fulfilments": [
            {
                "id": 88,
                "supplier": "云南山野农产",
                "status": "to_ship",
                "carrier": "",
                "tracking_number": "",
                "shipped_at": None,
                "delivered_at": None,
            }
        ],
        "refunds": [],
        "created_at": "2026-11-26T10:00:00+08:00",
        "paid_at": None,
        "shipped_at": None,
        "delivered_at": None,
        "completed_at": None,
        "cancelled_at": None,
        "after_sales_ends_at": None,
    },
)


def _lines(data) -> list[LineRequest]:
    return [
        LineRequest(sku_id=line["sku_id"], quantity=line["quantity"], shop_slug=line.get("shop") or None)
        for line in data["lines"]
    ]


@extend_schema(tags=["orders"])
class OrderListCreate(IdempotentViewMixin, generics.ListAPIView):
    serializer_class = OrderOut

    def get_throttles(self):
        self.throttle_scope = "order_place" if self.request.method == "POST" else None
        return super().get_throttles()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Order.objects.none()
        return order_list_for_buyer(buyer=self.request.user)

    @extend_schema(
        operation_id="orders_list",
        summary="My orders",
        description="The caller's own orders, newest first, with lines, parcels and refunds.",
        responses={200: OrderOut(many=True), **ERRORS_AUTHENTICATED},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="orders_place",
        summary="Place an order",
        description=(
            "Reserves the stock and fixes every line's price: in the shop named on the line at that shop's price "
            "(its owner earns on it), or outside any shop at the list price. The order then waits for payment "
            "(`POST /orders/{id}/pay/`) and is cancelled if unpaid in time (30 minutes by default). Send an "
            "`Idempotency-Key` to retry safely. Refused with `not_buyable` (400: a line that cannot be bought where "
            "it says; `fields` names it), `out_of_stock` (409), `invalid_address` (400), `validation_error` (400), "
            "`idempotency_key_reused` (422), `phone_required` (403: the account has no mobile number yet). With "
            "`coupon_ids`, each line's price less its share of the coupons "
            "(`discount_amount`); refused with `coupon_unavailable` (409: not the caller's, used, expired, or not "
            "reaching these items) or `coupons_do_not_combine` (400). A `promo_code` (a reseller's) binds the buyer to "
            "that reseller and adds its coupon; `promo_code_unknown` (400), `own_promo_code_refused` (400: a "
            "reseller's own code or its team's)."
        ),
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=OrderIn,
        responses={
            201: OrderOut,
            400: INVALID,
            409: error_response(
                "Not enough stock for a line, or a coupon that cannot be used (`coupon_unavailable`); nothing was "
                "reserved.",
                "out_of_stock",
                "Not enough in stock.",
                {"lines.0.quantity": ["Only 1 left."]},
                sku_ids=[7],
            ),
            422: IDEMPOTENCY_KEY_REUSED,
            **ERRORS_AUTHENTICATED,
            403: error_response(
                "The account has no mobile number yet (someone who came in through WeChat): add one by SMS code "
                "on the account page first (`phone_required`); or the caller's role may not do this.",
                "phone_required",
                "下单前请先绑定手机号（短信验证）。",
            ),
        },
        examples=[
            OpenApiExample(
                "Two of one SKU in a shop",
                request_only=True,
                value={
                    "lines": [{"sku_id": 7, "quantity": 2, "shop": "xiaomei"}],
                    "shipping_address": {
                        "recipient_name": "张三",
                        "phone": "13800138000",
                        "province_code": "44",
                        "city_code": "4401",
                        "district_code": "440106",
                        "street": "体育西路 1 号 2 栋 301",
                    },
                    "note": "",
                },
            ),
            ORDER_EXAMPLE,
        ],
    )
    def post(self, request):
        user_phone_require(request.user)  # as the checkout page's phone_required
        data = OrderIn(data=request.data)
        data.is_valid(raise_exception=True)
        answer = order_place(
            buyer=request.user,
            lines=_lines(data.validated_data),
            address=ShippingAddress(**data.validated_data["shipping_address"]),
            note=data.validated_data["note"],
            coupon_ids=data.validated_data["coupon_ids"],
            promo_code=data.validated_data["promo_code"],
            idempotency=self.idempotency(request, data=data.validated_data, answer=order_out_data),
        )
        return self.idempotent_response(answer)


@extend_schema(tags=["orders"])
class OrderDetail(APIView):
    @extend_schema(
        operation_id="orders_retrieve",
        summary="One of my orders",
        responses={200: OrderOut, 404: NOT_FOUND, **ERRORS_AUTHENTICATED},
        examples=[ORDER_EXAMPLE],
    )
    def get(self, request, order_id: int):
        return Response(order_out_data(order_get_for_buyer(buyer=request.user, order_id=order_id)))


def _order_answer(request, order_id: int) -> Response:
    return Response(order_out_data(order_get_for_buyer(buyer=request.user, order_id=order_id)))


@extend_schema(tags=["orders"])
class OrderPay(APIView):
    @extend_schema(
        operation_id="orders_pay",
        summary="Pay an order",
        description=(
            "Opens a payment at the provider (or gives back the one still open by that method) and answers the "
            "`payment_url` to send the shopper to: a gateway's cashier page (`wechat_h5`, `alipay_wap`, "
            "`alipay_page`, `sandbox`), the `weixin://` code to show as a QR (`wechat_native`) or the prepay id "
            "for WeChat's bridge (`wechat_jsapi`, only for a buyer whose openid is known). Without `method`, the "
            "first enabled provider's own way. The order becomes `paid` when the provider's signed callback "
            "arrives, which may take a moment: read the order again. 400 `payment_method_unknown` for a method "
            "not enabled, 409 `invalid_transition` when the order is not awaiting payment, `order_expired` when "
            "it was not paid in time, 503 `payment_provider_unavailable` when the gateway does not answer."
        ),
        request=PayIn,
        responses={
            201: PaymentOut,
            400: INVALID,
            404: NOT_FOUND,
            409: INVALID_TRANSITION,
            503: error_response(
                "The payment gateway did not answer; try again.",
                "payment_provider_unavailable",
                "The payment service is not answering. Please try again in a moment.",
            ),
            **ERRORS_AUTHENTICATED,
        },
        examples=[
            OpenApiExample(
                "Sandbox",
                response_only=True,
                value={
                    "payment_url": "https://shop.example.com/sandbox/pay/P00000123A1B2C3D4E5F6/",
                    "method": "sandbox",
                    "reference": "P00000123A1B2C3D4E5F6",
                    "amount": "318.00",
                    "currency": "CNY",
                    "expires_at": "2026-11-26T10:30:00+08:00",
                },
            )
        ],
    )
    def post(self, request, order_id: int):
        data = PayIn(data=request.data)
        data.is_valid(raise_exception=True)
        method = data.validated_data.get("method", "")
        provider = payment_method_provider(method)
        notify = request.build_absolute_uri(reverse("orders:payment_notify", args=[provider.name]))
        back = request.build_absolute_uri(reverse("orders:pay_return", args=[order_id]))
        client = PayerClient(openid=buyer_openid(request.user), ip=client_address(request))
        session = payment_start(
            order_id=order_id, buyer=request.user, notify_url=notify, return_url=back, method=method, client=client
        )
        return Response(PaymentOut(session).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["orders"])
class OrderCancel(APIView):
    @extend_schema(
        operation_id="orders_cancel",
        summary="Cancel an order",
        description=(
            "An unpaid order, or a paid one before anything shipped (every line is refunded in full through the "
            "provider; the refunds appear on the order). The stock comes back. 409 `cancel_not_allowed` once a "
            "parcel has shipped (ask for a refund instead), `invalid_transition` in other states."
        ),
        request=CancelIn,
        responses={200: OrderOut, 404: NOT_FOUND, 409: INVALID_TRANSITION, 400: INVALID, **ERRORS_AUTHENTICATED},
    )
    def post(self, request, order_id: int):
        data = CancelIn(data=request.data)
        data.is_valid(raise_exception=True)
        order_cancel(
            order_id=order_id,
            by=request.user,
            buyer=request.user,
            actor_kind=Actor.BUYER,
            reason=data.validated_data["reason"] or Reason.CANCELLED_BY_BUYER,
        )
        return _order_answer(request, order_id)


@extend_schema(tags=["orders"])
class OrderConfirmReceipt(APIView):
    @extend_schema(
        operation_id="orders_confirm_receipt",
        summary="Confirm receipt",
        description="The parcels arrived: the order completes and its after-sales window starts.",
        request=None,
        responses={200: OrderOut, 404: NOT_FOUND, 409: INVALID_TRANSITION, **ERRORS_AUTHENTICATED},
    )
    def post(self, request, order_id: int):
        order_confirm_receipt(order_id=order_id, buyer=request.user)
        return _order_answer(request, order_id)


@extend_schema(tags=["orders"])
class OrderRefundCreate(APIView):
    @extend_schema(
        operation_id="orders_refund_request",
        summary="Ask for a refund on a line",
        description=(
            "Any amount up to what is left to refund on the line (partial refunds are fine). Allowed once the "
            "order is paid and until its after-sales window ends; an operator or the supplier then approves or "
            "rejects it, and an approved refund goes back through the payment provider. 409 "
            "`refund_not_allowed` outside the window, 400 `refund_exceeds_paid` for too much; an amount of 0 or "
            "outside the money grammar is a `validation_error` on `amount` (`field_codes` says why)."
        ),
        request=RefundIn,
        responses={
            201: RefundOut,
            400: error_response(
                "Too much (`refund_exceeds_paid`), or a bad amount (`validation_error`).",
                "refund_exceeds_paid",
                "The refund is more than what is left to refund on this item.",
                {"amount": ["At most ¥12.00."]},
            ),
            404: NOT_FOUND,
            409: error_response(
                "Not in the after-sales window.",
                "refund_not_allowed",
                "A refund cannot be asked for this order now.",
                current_state="pending_payment",
            ),
            **ERRORS_AUTHENTICATED,
        },
        examples=[
            OpenApiExample(
                "Half of a line",
                request_only=True,
                value={
                    "line_id": 501,
                    "amount": "79.50",
                    "reason": "少发一件",
                    "resolution": "refund_only",
                    "reason_code": "missing_items",
                },
            )
        ],
    )
    def post(self, request, order_id: int):
        data = RefundIn(data=request.data)
        data.is_valid(raise_exception=True)
        refund = refund_request(
            order_id=order_id,
            line_id=data.validated_data["line_id"],
            buyer=request.user,
            amount=data.validated_data["amount"],
            reason=data.validated_data["reason"],
            resolution=data.validated_data["resolution"],
            reason_code=data.validated_data["reason_code"],
            description=data.validated_data["description"],
        )
        return Response(RefundOut(refund).data, status=status.HTTP_201_CREATED)


# --- resellers ------------------------------------------------------------------------


class HasShop(BasePermission):
    """A reseller (others get 403); ``request.shop`` is its shop, and a
    reseller without one gets 404 (nothing to show)."""

    message = "Only resellers may do this."

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated and request.user.is_reseller):
            return False
        request.shop = shop_for_user(user=request.user)
        if request.shop is None:
            raise NotFound()
        return True


@extend_schema(tags=["shop orders"])
class ShopOrderList(generics.ListAPIView):
    permission_classes = [HasShop]
    serializer_class = ShopOrderOut

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Order.objects.none()
        return shop_orders(shop=self.request.shop)

    @extend_schema(
        operation_id="shop_orders_list",
        summary="My shop's orders",
        description=(
            "Orders with a line sold in the caller's shop, newest first: only those lines, with the shop's markup; "
            "the buyer's name masked, no address. 404 for a reseller without a shop."
        ),
        responses={200: ShopOrderOut(many=True), 404: NOT_FOUND, **ERRORS_AUTHENTICATED},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["shop orders"])
class ShopOrderDetail(APIView):
    permission_classes = [HasShop]

    @extend_schema(
        operation_id="shop_orders_retrieve",
        summary="One of my shop's orders",
        responses={200: ShopOrderOut, 404: NOT_FOUND, **ERRORS_AUTHENTICATED},
    )
    def get(self, request, order_id: int):
        return Response(ShopOrderOut(shop_order_get(shop=request.shop, order_id=order_id)).data)


# --- suppliers ------------------------------------------------------------------------


class IsSupplierStaff(BasePermission):
    """Supplier staff (others get 403); ``request.supplier`` is theirs."""

    message = "Only suppliers' staff may do this."

    def has_permission(self, request, view):
        request.supplier = supplier_for_user(user=request.user) if request.user.is_authenticated else None
        return request.supplier is not None


class FulfilmentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=FulfilmentStatus.choices)

    class Meta:
        model = FulfilmentGroup
        fields = ["status"]


@extend_schema(tags=["fulfilment"])
class FulfilmentList(generics.ListAPIView):
    permission_classes = [IsSupplierStaff]
    serializer_class = SupplierFulfilmentOut
    filterset_class = FulfilmentFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return FulfilmentGroup.objects.none()
        return fulfilments_for_supplier(supplier=self.request.supplier)

    @extend_schema(
        operation_id="fulfilments_list",
        summary="Our parcels to ship",
        description="The caller's supplier's parcels of paid orders, oldest first, with the address and lines.",
        responses={200: SupplierFulfilmentOut(many=True), **ERRORS_AUTHENTICATED},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["fulfilment"])
class FulfilmentDetail(APIView):
    permission_classes = [IsSupplierStaff]

    @extend_schema(
        operation_id="fulfilments_retrieve",
        summary="One of our parcels",
        responses={200: SupplierFulfilmentOut, 404: NOT_FOUND, **ERRORS_AUTHENTICATED},
    )
    def get(self, request, fulfilment_id: int):
        group = fulfilment_get_for_supplier(supplier=request.supplier, fulfilment_id=fulfilment_id)
        return Response(SupplierFulfilmentOut(group).data)


@extend_schema(tags=["fulfilment"])
class FulfilmentShip(APIView):
    permission_classes = [IsSupplierStaff]

    @extend_schema(
        operation_id="fulfilments_ship",
        summary="Mark a parcel shipped",
        description=(
            "With its carrier and tracking number; the buyer sees them at once. 409 `invalid_transition` when it "
            "has shipped already, 400 `invalid_shipment` for a bad tracking number."
        ),
        request=ShipIn,
        responses={
            200: SupplierFulfilmentOut,
            400: INVALID,
            404: NOT_FOUND,
            409: INVALID_TRANSITION,
            **ERRORS_AUTHENTICATED,
        },
        examples=[OpenApiExample("SF", request_only=True, value={"carrier": "SF", "tracking_number": "SF1234567890"})],
    )
    def post(self, request, fulfilment_id: int):
        data = ShipIn(data=request.data)
        data.is_valid(raise_exception=True)
        fulfilment_ship(fulfilment_id=fulfilment_id, supplier=request.supplier, by=request.user, **data.validated_data)
        group = fulfilment_get_for_supplier(supplier=request.supplier, fulfilment_id=fulfilment_id)
        return Response(SupplierFulfilmentOut(group).data)


# --- regions ------------------------------------------------------------------------


@extend_schema(tags=["orders"])
class RegionList(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        operation_id="regions_list",
        summary="Provinces, cities, districts",
        description=(
            "China's administrative divisions for shipping addresses (GB/T 2260 codes). Without `parent`: the "
            "provinces; with a province's code (2 digits): its cities (a municipality lists itself, code "
            "`<province>01`); with a city's code (4 digits): its districts (empty for a city without districts)."
        ),
        parameters=[OpenApiParameter("parent", str, required=False, description="a province's or a city's code")],
        responses={200: RegionOut(many=True), 429: THROTTLED},
    )
    def get(self, request):
        parent = request.query_params.get("parent", "")
        return Response(RegionOut(children(parent) if parent else provinces(), many=True).data)
