"""Thin input and output serializers: validation of shapes only; every rule
lives in the services."""

from rest_framework import serializers

from accounts.phone import mask_name
from socialshop.api.fields import MoneyField, StrictIntegerField

from ..choices import Carrier, FulfilmentStatus, OrderStatus, RefundKind, RefundReason, RefundResolution, RefundStatus
from ..models import MAX_LINES, MAX_QUANTITY

# --- input --------------------------------------------------------------------


class LineIn(serializers.Serializer):
    sku_id = StrictIntegerField(min_value=1, max_value=2**62)
    quantity = StrictIntegerField(min_value=1, max_value=MAX_QUANTITY)
    shop = serializers.SlugField(
        required=False,
        allow_null=True,
        max_length=40,
        help_text="the address of the shop it is bought in (its price, its owner earns); omit outside any shop",
    )


class AddressIn(serializers.Serializer):
    recipient_name = serializers.CharField(max_length=30)
    phone = serializers.CharField(max_length=20, help_text="a mainland China mobile number")
    province_code = serializers.CharField(max_length=6, help_text="GB/T 2260 code, e.g. 44 (GET /regions/)")
    city_code = serializers.CharField(max_length=6, help_text="e.g. 4401; a municipality repeats its province's code")
    district_code = serializers.CharField(
        max_length=6, required=False, allow_blank=True, default="", help_text="empty for a city without districts"
    )
    street = serializers.CharField(max_length=120)


class OrderIn(serializers.Serializer):
    lines = LineIn(many=True, allow_empty=False, max_length=MAX_LINES)
    shipping_address = AddressIn()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    # coupons (docs/coupons.md): the caller's claimed coupons to apply (GET /coupons/mine/, POST /coupons/best/)
    coupon_ids = serializers.ListField(
        child=StrictIntegerField(min_value=1, max_value=2**62),
        required=False,
        default=list,
        max_length=2,
        help_text="ids of the caller's unused coupons: one, or a platform's and a supplier's where allowed",
    )
    promo_code = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        default="",
        help_text="a reseller's promo code: its discount, and the buyer is bound to that reseller",
    )


class CancelIn(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class RefundIn(serializers.Serializer):
    line_id = StrictIntegerField(min_value=1, max_value=2**62)
    amount = MoneyField(positive=True, help_text="more than 0, at most what is left to refund on the line")
    reason = serializers.CharField(max_length=200)
    resolution = serializers.ChoiceField(
        choices=RefundResolution.choices,
        required=False,
        default=RefundResolution.REFUND_ONLY,
        help_text="only the money back (default), or returning the goods for it",
    )
    reason_code = serializers.ChoiceField(
        choices=RefundReason.choices, required=False, allow_blank=True, default="", help_text="a reason from the list"
    )
    description = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ShipIn(serializers.Serializer):
    carrier = serializers.ChoiceField(choices=Carrier.choices)
    tracking_number = serializers.CharField(max_length=40)


# --- output --------------------------------------------------------------------


class AddressOut(serializers.Serializer):
    recipient_name = serializers.CharField()
    phone = serializers.CharField()
    province_code = serializers.CharField()
    city_code = serializers.CharField()
    district_code = serializers.CharField()
    region = serializers.CharField(source="region_label")
    street = serializers.CharField()


class LineOut(serializers.Serializer):
    id = serializers.IntegerField()
    sku_id = serializers.IntegerField()
    product_id = serializers.IntegerField()
    title = serializers.CharField()
    spec_label = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price_amount = MoneyField()
    discount_amount = MoneyField()
    line_total_amount = MoneyField()
    paid_amount = MoneyField()
    refunded_amount = MoneyField()
    refund_pending_amount = MoneyField()
    shop = serializers.SerializerMethodField(help_text="the shop's address, or null outside any shop")
    fulfilment_id = serializers.IntegerField()

    def get_shop(self, line) -> str | None:
        return line.shop.slug if line.shop_id else None


class FulfilmentOut(serializers.Serializer):
    id = serializers.IntegerField()
    supplier = serializers.CharField(source="supplier.name")
    status = serializers.ChoiceField(choices=FulfilmentStatus.choices)
    carrier = serializers.CharField()
    tracking_number = serializers.CharField()
    shipped_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)


class RefundOut(serializers.Serializer):
    id = serializers.IntegerField()
    line_id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=RefundKind.choices)
    amount = MoneyField()
    reason = serializers.CharField()
    resolution = serializers.ChoiceField(choices=RefundResolution.choices)
    reason_code = serializers.ChoiceField(
        choices=RefundReason.choices, allow_blank=True, help_text="blank: none chosen"
    )
    description = serializers.CharField()
    status = serializers.ChoiceField(choices=RefundStatus.choices)
    decision_note = serializers.CharField()
    requested_at = serializers.DateTimeField()
    refunded_at = serializers.DateTimeField(allow_null=True)


class OrderOut(serializers.Serializer):
    """The buyer's view of an order: everything about it."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    currency = serializers.CharField()
    total_amount = MoneyField()
    paid_amount = MoneyField()
    refunded_amount = MoneyField()
    note = serializers.CharField()
    shipping_address = AddressOut(source="*")
    lines = LineOut(many=True)
    fulfilments = FulfilmentOut(many=True, help_text="one parcel per supplier (drop-shipped)")
    refunds = RefundOut(many=True)
    created_at = serializers.DateTimeField()
    paid_at = serializers.DateTimeField(allow_null=True)
    shipped_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)
    after_sales_ends_at = serializers.DateTimeField(allow_null=True, help_text="refunds may be asked for until then")


def order_out_data(order) -> dict:
    """``OrderOut(order).data``, built directly: the same keys in the same
    order, formatted by the same fields (so the same bytes once rendered;
    ``test_order_out_data_is_orderout`` holds it to that). A nested DRF
    serializer deep-copies its fields for every instance, which made
    rendering an order a tenth of what placing one costs; ``OrderOut`` stays
    the declaration the schema is made from."""
    return {
        "id": order.pk,
        "number": order.number,
        "status": _status(order.status),
        "currency": order.currency,
        "total_amount": _money(order.total_amount),
        "paid_amount": _money(order.paid_amount),
        "refunded_amount": _money(order.refunded_amount),
        "note": order.note,
        "shipping_address": {
            "recipient_name": order.recipient_name,
            "phone": order.phone,
            "province_code": order.province_code,
            "city_code": order.city_code,
            "district_code": order.district_code,
            "region": order.region_label,
            "street": order.street,
        },
        "lines": [
            {
                "id": line.pk,
                "sku_id": line.sku_id,
                "product_id": line.product_id,
                "title": line.title,
                "spec_label": line.spec_label,
                "quantity": line.quantity,
                "unit_price_amount": _money(line.unit_price_amount),
                "discount_amount": _money(line.discount_amount),
                "line_total_amount": _money(line.line_total_amount),
                "paid_amount": _money(line.paid_amount),
                "refunded_amount": _money(line.refunded_amount),
                "refund_pending_amount": _money(line.refund_pending_amount),
                "shop": line.shop.slug if line.shop_id else None,
                "fulfilment_id": line.fulfilment_id,
            }
            for line in order.lines.all()
        ],
        "fulfilments": [
            {
                "id": group.pk,
                "supplier": group.supplier.name,
                "status": _status(group.status),
                "carrier": group.carrier,
                "tracking_number": group.tracking_number,
                "shipped_at": _datetime(group.shipped_at),
                "delivered_at": _datetime(group.delivered_at),
            }
            for group in order.fulfilments.all()
        ],
        "refunds": [
            {
                "id": refund.pk,
                "line_id": refund.line_id,
                "kind": _status(refund.kind),
                "amount": _money(refund.amount),
                "reason": refund.reason,
                "resolution": _status(refund.resolution),
                "reason_code": _status(refund.reason_code),
                "description": refund.description,
                "status": _status(refund.status),
                "decision_note": refund.decision_note,
                "requested_at": _datetime(refund.requested_at),
                "refunded_at": _datetime(refund.refunded_at),
            }
            for refund in order.refunds.all()
        ],
        "created_at": _datetime(order.created_at),
        "paid_at": _datetime(order.paid_at),
        "shipped_at": _datetime(order.shipped_at),
        "delivered_at": _datetime(order.delivered_at),
        "completed_at": _datetime(order.completed_at),
        "cancelled_at": _datetime(order.cancelled_at),
        "after_sales_ends_at": _datetime(order.after_sales_ends_at),
    }


_MONEY = MoneyField()
_DATETIME = serializers.DateTimeField()  # formats in the current time zone at each call, as OrderOut's fields do


def _money(value: int) -> str:
    return _MONEY.to_representation(value)


def _datetime(value):
    return None if value is None else _DATETIME.to_representation(value)


def _status(value) -> str | None:
    """What a ChoiceField answers: the plain value (a TextChoices member's str)."""
    return None if value is None else str(value)


class PayIn(serializers.Serializer):
    method = serializers.ChoiceField(
        choices=["wechat_h5", "wechat_native", "wechat_jsapi", "alipay_wap", "alipay_page", "sandbox"],
        required=False,
        help_text="how to pay (an enabled provider's method); omitted: the first enabled provider's own way",
    )


class PaymentOut(serializers.Serializer):
    payment_url = serializers.CharField(
        source="redirect_url", help_text="where the shopper pays: a URL, a weixin:// QR code, or a prepay id"
    )
    method = serializers.CharField(help_text="how the payment is made; empty: the provider's own way")
    reference = serializers.CharField()
    amount = MoneyField()
    currency = serializers.CharField()
    expires_at = serializers.DateTimeField(help_text="the order is cancelled if not paid by then")


class ShopLineOut(serializers.Serializer):
    """A line sold in the reseller's shop, with the shop's markup on it."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    spec_label = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price_amount = MoneyField()
    line_total_amount = MoneyField()
    refunded_amount = MoneyField()
    markup_amount = MoneyField(help_text="(shop price − list price) × quantity")


class ShopOrderOut(serializers.Serializer):
    """An order as the shop's owner sees it: only the lines sold in its
    shop, the buyer masked, no address."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    buyer = serializers.SerializerMethodField()
    lines = ShopLineOut(many=True, source="shop_lines")
    created_at = serializers.DateTimeField()
    paid_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)

    def get_buyer(self, order) -> str:
        return mask_name(order.buyer.nickname or order.buyer.phone)


class SupplierLineOut(serializers.Serializer):
    id = serializers.IntegerField()
    sku_id = serializers.IntegerField()
    title = serializers.CharField()
    spec_label = serializers.CharField()
    quantity = serializers.IntegerField()
    cost_amount = MoneyField(help_text="the supplier's cost per unit, as agreed")
    refunded_amount = MoneyField()


class SupplierFulfilmentOut(serializers.Serializer):
    """A parcel the supplier ships: its own lines and where to send them."""

    id = serializers.IntegerField()
    order_id = serializers.IntegerField()
    order_number = serializers.CharField(source="order.number")
    status = serializers.ChoiceField(choices=FulfilmentStatus.choices)
    carrier = serializers.CharField()
    tracking_number = serializers.CharField()
    shipping_address = AddressOut(source="order")
    note = serializers.CharField(source="order.note")
    lines = SupplierLineOut(many=True)
    ordered_at = serializers.DateTimeField(source="order.created_at")
    paid_at = serializers.DateTimeField(source="order.paid_at", allow_null=True)
    shipped_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)


class RegionOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
