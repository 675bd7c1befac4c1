"""Carts, addresses, orders, fulfilment groups, payments and refunds.

Money is integer fen (``*_amount``). The rules that must never break are
database constraints here: stock is guarded by catalog's CHECK; a line's
refunds (made and pending) never exceed what was paid for it; an order is
paid at most once.
"""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.phone import validate_mainland_mobile
from catalog.models import Category, Product, Sku, Supplier
from distribution.models import Reseller
from shops.models import Shop
from socialshop.money import format_yuan

from .choices import (
    Actor,
    Carrier,
    FulfilmentStatus,
    OrderStatus,
    PaymentIssueKind,
    PaymentSessionStatus,
    RefundKind,
    RefundReason,
    RefundResolution,
    RefundStatus,
    reason_label,
)

MAX_QUANTITY = 99  # per line
# an order its buyer may ask refunds on (after completion, only within the after-sales window)
REFUNDABLE_STATUSES = (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED)
MAX_LINES = 50  # per order


class OrderSettings(models.Model):
    """The platform's order timings, edited by operators in the admin. A
    single row (id 1); ``selectors.order_settings_get`` falls back to these
    defaults when no operator saved it."""

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(_("ID"), primary_key=True, default=SINGLETON_ID, editable=False)
    unpaid_expiry_minutes = models.PositiveIntegerField(
        _("unpaid orders are cancelled after (minutes)"), default=30, validators=[MinValueValidator(1)]
    )
    auto_deliver_days = models.PositiveIntegerField(
        _("a parcel counts as delivered after (days after shipping)"), default=7, validators=[MinValueValidator(1)]
    )
    auto_complete_days = models.PositiveIntegerField(
        _("an order completes by itself after (days after delivery)"), default=7, validators=[MinValueValidator(1)]
    )
    after_sales_days = models.PositiveIntegerField(
        _("after-sales window (days after completion)"), default=7, validators=[MaxValueValidator(365)]
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("order settings")
        verbose_name_plural = _("order settings")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="order_settings_single_row"),
            models.CheckConstraint(
                condition=Q(unpaid_expiry_minutes__gte=1, auto_deliver_days__gte=1, auto_complete_days__gte=1),
                name="order_settings_positive",
            ),
        ]

    def __str__(self):
        return str(_("Order settings"))

    @property
    def unpaid_expiry(self) -> timedelta:
        return timedelta(minutes=self.unpaid_expiry_minutes)

    @property
    def auto_deliver_window(self) -> timedelta:
        return timedelta(days=self.auto_deliver_days)

    @property
    def auto_complete_window(self) -> timedelta:
        return timedelta(days=self.auto_complete_days)

    @property
    def after_sales_window(self) -> timedelta:
        return timedelta(days=self.after_sales_days)


class CartItem(models.Model):
    """A signed-in shopper's cart (before log-in the cart lives in the
    session and is merged here at log-in). ``shop`` is where it was added:
    the price and the attribution come from it at checkout."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cart_items")
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    sku = models.ForeignKey(Sku, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(MAX_QUANTITY)])
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "shop", "sku"], condition=Q(shop__isnull=False), name="cart_item_once_per_shop"
            ),
            models.UniqueConstraint(fields=["user", "sku"], condition=Q(shop__isnull=True), name="cart_item_once"),
            models.CheckConstraint(
                condition=Q(quantity__gte=1, quantity__lte=MAX_QUANTITY), name="cart_item_quantity_range"
            ),
        ]

    def __str__(self):
        return f"{self.user_id}: {self.sku_id} × {self.quantity}"


class AddressFields(models.Model):
    """A mainland shipping address: who, which mobile number, the division
    path (codes from ``orders.regions``, names kept beside them) and the
    street."""

    recipient_name = models.CharField(_("recipient"), max_length=30)
    phone = models.CharField(_("mobile number"), max_length=11, validators=[validate_mainland_mobile])
    province_code = models.CharField(_("province"), max_length=6)
    city_code = models.CharField(_("city"), max_length=6)
    district_code = models.CharField(_("district"), max_length=6, blank=True)
    region_label = models.CharField(_("region"), max_length=60)  # 广东省 广州市 天河区
    street = models.CharField(_("street address"), max_length=120)

    class Meta:
        abstract = True

    @property
    def one_line(self) -> str:
        return f"{self.region_label} {self.street}"


class Address(AddressFields):
    """A shipping address saved to an account for next time."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="addresses")
    last_used_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["-last_used_at", "-id"]

    def __str__(self):
        return f"{self.recipient_name} {self.one_line}"


class OrderQuerySet(models.QuerySet):
    def for_buyer(self, user):
        return self.filter(buyer=user)


class Order(AddressFields):
    """A buyer's order: its shipping address is a snapshot (editing a saved
    address later changes nothing here), its money the sum of its lines.
    ``status`` is written only by ``orders.services.states``."""

    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders", verbose_name=_("buyer")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.PENDING_PAYMENT
    )
    total_amount = models.BigIntegerField(_("total (fen)"))
    paid_amount = models.BigIntegerField(_("paid (fen)"), default=0)
    refunded_amount = models.BigIntegerField(_("refunded (fen)"), default=0)
    # coupons: what they took off the lines together (orders.OrderDiscount holds each line's share)
    discount_amount = models.BigIntegerField(_("coupon discount (fen)"), default=0)
    currency = models.CharField(_("currency"), max_length=3)
    note = models.CharField(_("note to the seller"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("placed at"), auto_now_add=True, db_index=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    after_sales_ends_at = models.DateTimeField(_("after-sales window ends"), null=True, blank=True)
    # --- group buying (拼团, groupbuy): held until its group is decided ---
    # True from placing until the group succeeds (the order ships) or fails (it is cancelled and refunded):
    # fulfilment refuses it and suppliers do not see it, commissions wait for the group (docs/group-buying.md)
    awaiting_group = models.BooleanField(_("awaiting its group"), default=False)

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=OrderStatus.values), name="order_status_known"),
            models.CheckConstraint(condition=Q(total_amount__gt=0), name="order_total_positive"),
            models.CheckConstraint(
                condition=Q(paid_amount__gte=0, paid_amount__lte=F("total_amount")), name="order_paid_within_total"
            ),
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0, refunded_amount__lte=F("paid_amount")),
                name="order_refunded_within_paid",
            ),
        ]
        indexes = [
            models.Index(fields=["buyer", "-created_at"], name="order_by_buyer"),
            models.Index(fields=["status", "created_at"], name="order_by_status"),
            models.Index(fields=["status", "delivered_at"], name="order_delivered"),
            # the operators' figures by payment day (growth's /ops/); unpaid orders are left out
            models.Index(fields=["paid_at"], name="order_paid_at", condition=Q(paid_at__isnull=False)),
        ]

    def __str__(self):
        return f"#{self.pk}"

    def accepts_refund_requests(self, now=None) -> bool:
        """Whether its buyer may ask for a refund now: once paid, and after
        completion until ``after_sales_ends_at`` (what ``refund_request``
        enforces and the pages offer)."""
        if self.status not in REFUNDABLE_STATUSES or self.awaiting_group:  # a group member: its group decides
            return False
        if self.status == OrderStatus.COMPLETED:
            return self.after_sales_ends_at is not None and self.after_sales_ends_at > (now or timezone.now())
        return True

    @property
    def units(self) -> int:
        """How many items the order holds (共 N 件), from its lines (prefetched where listed)."""
        return sum(line.quantity for line in self.lines.all())

    @property
    def refunds_open(self) -> bool:
        return self.accepts_refund_requests()

    @property
    def number(self) -> str:
        """What people read and quote: the date and the id (``20261126-000123``).
        The date is the day in Beijing (``TIME_ZONE``), as the buyer saw it:
        an order placed at 02:04 on 12-04 is ``20261204-…``, not the UTC 12-03."""
        return f"{timezone.localtime(self.created_at):%Y%m%d}-{self.pk:06d}"


class FulfilmentGroup(models.Model):
    """One supplier's lines of an order, shipped by that supplier in one
    parcel (一件代发). ``status`` is written only by the state services."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="fulfilments", verbose_name=_("order"))
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="fulfilments", verbose_name=_("supplier")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=FulfilmentStatus.choices, default=FulfilmentStatus.TO_SHIP
    )
    carrier = models.CharField(_("carrier"), max_length=10, choices=Carrier.choices, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=40, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("fulfilment group")
        verbose_name_plural = _("fulfilment groups")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "supplier"], name="fulfilment_once_per_supplier"),
            models.CheckConstraint(condition=Q(status__in=FulfilmentStatus.values), name="fulfilment_status_known"),
            models.CheckConstraint(
                condition=Q(status__in=[FulfilmentStatus.TO_SHIP, FulfilmentStatus.CANCELLED])
                | (~Q(carrier="") & ~Q(tracking_number="") & Q(shipped_at__isnull=False)),
                name="fulfilment_shipped_has_tracking",
            ),
        ]
        indexes = [
            models.Index(fields=["supplier", "status", "id"], name="fulfilment_by_supplier"),
            models.Index(fields=["status", "shipped_at"], name="fulfilment_shipped"),
        ]

    def __str__(self):
        return f"{self.order_id}/{self.supplier_id}"

    @property
    def status_for_buyer(self) -> tuple[str, str]:
        """(code, label) of the parcel as its buyer reads it. ``to_ship`` is
        what a parcel waits at from placing on, but suppliers see it only
        once the order is paid: until then the parcel waits for the payment
        (待付款), not for the supplier (待发货); a cancelled order's parcels
        read cancelled. Reads ``self.order`` (cached when loaded through it)."""
        if self.order.status == OrderStatus.PENDING_PAYMENT:
            return OrderStatus.PENDING_PAYMENT.value, OrderStatus.PENDING_PAYMENT.label
        if self.order.status == OrderStatus.CANCELLED:
            return FulfilmentStatus.CANCELLED.value, FulfilmentStatus.CANCELLED.label
        return self.status, self.get_status_display()


class OrderLine(models.Model):
    """One SKU of an order, with everything about money fixed at purchase.

    Per unit: ``unit_price_amount`` (what the buyer pays in that shop),
    ``list_price_amount``, ``cost_amount`` (the supplier's). Per line:
    ``discount_amount`` (0 until the platform has discounts),
    ``line_total_amount`` = unit price × quantity − discount,
    ``paid_amount`` (the line total once paid, else 0),
    ``refunded_amount`` (refunds made) and ``refund_pending_amount``
    (refunds asked for and not finished). Attribution is a snapshot too:
    ``shop``, ``attributed_reseller`` and ``buyer_is_attributed_reseller``.
    """

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order"))
    fulfilment = models.ForeignKey(
        FulfilmentGroup, on_delete=models.PROTECT, related_name="lines", verbose_name=_("parcel")
    )
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="+", verbose_name=_("SKU"))
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+", verbose_name=_("category"))
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="+", verbose_name=_("supplier"))
    title = models.CharField(_("product"), max_length=120)
    spec_label = models.CharField(_("specification"), max_length=120, blank=True)
    quantity = models.PositiveSmallIntegerField(_("quantity"))
    unit_price_amount = models.BigIntegerField(_("unit price (fen)"))
    list_price_amount = models.BigIntegerField(_("list price (fen)"))
    cost_amount = models.BigIntegerField(_("supplier cost per unit (fen)"))
    discount_amount = models.BigIntegerField(_("discount (fen)"), default=0)
    line_total_amount = models.BigIntegerField(_("line total (fen)"))
    paid_amount = models.BigIntegerField(_("paid (fen)"), default=0)
    refunded_amount = models.BigIntegerField(_("refunded (fen)"), default=0)
    refund_pending_amount = models.BigIntegerField(_("refund pending (fen)"), default=0)
    shop = models.ForeignKey(
        Shop, on_delete=models.PROTECT, null=True, blank=True, related_name="order_lines", verbose_name=_("shop")
    )
    attributed_reseller = models.ForeignKey(
        Reseller,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attributed_lines",
        verbose_name=_("attributed reseller"),
    )
    buyer_is_attributed_reseller = models.BooleanField(_("bought by the attributed reseller"), default=False)
    # flash sales (秒杀): a flash line's share of the plan's commission (10000 full, less a lower rate, 0
    # none), fixed at purchase and recorded in the payment's snapshot; None for every other line
    flash_commission_share_bps = models.PositiveSmallIntegerField(
        _("flash sale: share of the commission (basis points)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(10_000)],
    )

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1, quantity__lte=MAX_QUANTITY), name="line_quantity_range"
            ),
            models.CheckConstraint(
                condition=Q(unit_price_amount__gt=0, cost_amount__gte=0, list_price_amount__gt=0),
                name="line_prices_positive",
            ),
            models.CheckConstraint(
                condition=Q(discount_amount__gte=0)
                & Q(line_total_amount=F("unit_price_amount") * F("quantity") - F("discount_amount"))
                & Q(line_total_amount__gt=0),
                name="line_total_is_price_times_quantity_less_discount",
            ),
            models.CheckConstraint(
                condition=Q(paid_amount=0) | Q(paid_amount=F("line_total_amount")), name="line_paid_whole"
            ),
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0, refund_pending_amount__gte=0)
                & Q(refunded_amount__lte=F("paid_amount") - F("refund_pending_amount")),
                name="line_refunds_within_paid",
            ),
            models.CheckConstraint(
                condition=Q(buyer_is_attributed_reseller=False) | Q(attributed_reseller__isnull=False),
                name="line_self_purchase_needs_reseller",
            ),
        ]
        indexes = [models.Index(fields=["shop", "order"], name="line_by_shop")]

    def __str__(self):
        return f"{self.order_id}: {self.title} × {self.quantity}"

    @property
    def refundable_amount(self) -> int:
        return self.paid_amount - self.refunded_amount - self.refund_pending_amount

    @property
    def markup_amount(self) -> int:
        """The shop's markup on the line (店铺利润): (unit − list price) × quantity."""
        return (self.unit_price_amount - self.list_price_amount) * self.quantity


class Refund(models.Model):
    """Money going back to the buyer for one line (partial allowed). Its
    amount is held on the line (``refund_pending_amount``) from the request
    until it succeeds or is rejected."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="refunds", verbose_name=_("order"))
    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("order line"))
    kind = models.CharField(_("kind"), max_length=20, choices=RefundKind.choices, default=RefundKind.AFTER_SALES)
    amount = models.BigIntegerField(_("amount (fen)"))
    reason = models.CharField(_("reason"), max_length=200)
    # what the buyer chose on the refund page (仅退款 / 退货退款, a reason from the list) and said besides
    resolution = models.CharField(
        _("asks for"), max_length=20, choices=RefundResolution.choices, default=RefundResolution.REFUND_ONLY
    )
    reason_code = models.CharField(_("reason chosen"), max_length=20, choices=RefundReason.choices, blank=True)
    description = models.CharField(_("problem description"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=RefundStatus.choices, default=RefundStatus.REQUESTED)
    reference = models.CharField(_("refund reference"), max_length=40, unique=True)  # the provider's idempotency key
    provider_reference = models.CharField(_("provider's reference"), max_length=80, blank=True)
    failure_reason = models.CharField(_("why it failed"), max_length=200, blank=True)
    decision_note = models.CharField(_("note"), max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.CheckConstraint(condition=Q(status__in=RefundStatus.values), name="refund_status_known"),
        ]
        indexes = [models.Index(fields=["status", "requested_at"], name="refund_by_status")]

    def __str__(self):
        return _("refund #%(id)s (%(amount)s)") % {"id": self.pk, "amount": format_yuan(self.amount)}

    @property
    def reason_label(self) -> str:
        """Why, as people read it (a cancellation's refund carries the system's reason)."""
        return reason_label(self.reason)

    @property
    def failure_reason_label(self) -> str:
        return reason_label(self.failure_reason)


class RefundPhoto(models.Model):
    """A picture the buyer sent with a refund request (at most
    ``MAX_REFUND_PHOTOS``), checked and re-encoded like product pictures
    (``catalog.images.image_process``)."""

    refund = models.ForeignKey(Refund, on_delete=models.CASCADE, related_name="photos", verbose_name=_("refund"))
    image = models.ImageField(_("image"), upload_to="refunds/%Y/%m/")
    thumbnail = models.ImageField(_("thumbnail"), upload_to="refunds/thumbs/%Y/%m/")
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("refund photo")
        verbose_name_plural = _("refund photos")
        ordering = ["position", "id"]

    def __str__(self):
        return self.image.name


class StatusChange(models.Model):
    """The audit trail: every move of an order, a fulfilment group or a
    refund, with who, when and why. Written only by the state services;
    append-only."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("order"))
    fulfilment = models.ForeignKey(
        FulfilmentGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("parcel")
    )
    refund = models.ForeignKey(
        Refund, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("refund")
    )
    from_status = models.CharField(_("from status"), max_length=20, blank=True)  # "" when the subject is created
    to_status = models.CharField(_("to status"), max_length=20)
    actor_kind = models.CharField(_("by whom"), max_length=10, choices=Actor.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["changed_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fulfilment__isnull=True) | Q(refund__isnull=True), name="status_change_one_subject"
            ),
        ]

    def __str__(self):
        return f"{self.order_id}: {self.from_status_label or '—'} → {self.to_status_label}"

    @property
    def statuses(self) -> type[models.TextChoices]:
        """The statuses of what moved: the refund's, the parcel's or the order's."""
        if self.refund_id:
            return RefundStatus
        return FulfilmentStatus if self.fulfilment_id else OrderStatus

    def _status_label(self, value: str) -> str:
        return str(dict(self.statuses.choices).get(value, value)) if value else ""

    @property
    def subject_label(self) -> str:
        if self.refund_id:
            return str(_("Refund"))
        return str(_("Parcel") if self.fulfilment_id else _("Order"))

    @property
    def from_status_label(self) -> str:
        return self._status_label(self.from_status)

    @property
    def to_status_label(self) -> str:
        return self._status_label(self.to_status)

    @property
    def reason_label(self) -> str:
        shipped = bool(self.fulfilment_id) and self.to_status == FulfilmentStatus.SHIPPED
        return reason_label(self.reason, parcel_shipped=shipped)

    @property
    def subject(self) -> str:
        return "refund" if self.refund_id else "fulfilment" if self.fulfilment_id else "order"

    @property
    def in_words(self) -> tuple[str, str, str]:
        """(what, from, to) as a buyer reads them: 包裹, 待发货, 已发货. The
        stored statuses are codes for programs; the reasons are notes for
        operators (the admin and the supplier's pages show them, through
        ``reason_label``), never shown to buyers."""
        return self.subject_label, self.from_status_label or "—", self.to_status_label


class PaymentSession(models.Model):
    """One attempt to pay an order at the provider (what the shopper is
    redirected to). An order may have several (a failed one, then a new one);
    only one payment is ever applied to it (``Payment``)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="payment_sessions")
    provider = models.CharField(max_length=20)
    # how the shopper pays at that provider (orders.providers: "wechat_h5", "alipay_wap" …; "" = its only way)
    method = models.CharField(max_length=20, blank=True, default="")
    reference = models.CharField(max_length=40, unique=True)  # ours, sent to the provider
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    # where to send the shopper: a cashier URL, or what the method shows instead (a QR's code_url, a prepay id)
    redirect_url = models.URLField(max_length=2000)  # a signed Alipay URL runs to 1,500 characters
    # the callback URL given to the provider; its refunds are reported beside it
    notify_url = models.URLField(max_length=300, blank=True, default="")
    status = models.CharField(max_length=10, choices=PaymentSessionStatus.choices, default=PaymentSessionStatus.OPEN)
    provider_transaction_id = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_session_amount_positive")]

    def __str__(self):
        return self.reference


class Payment(models.Model):
    """The payment applied to an order: one per order, at most (a database
    constraint decides a race between duplicate callbacks)."""

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="payment")
    session = models.OneToOneField(PaymentSession, on_delete=models.PROTECT, related_name="payment")
    provider = models.CharField(max_length=20)
    provider_transaction_id = models.CharField(max_length=80)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    paid_at = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-paid_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.UniqueConstraint(fields=["provider", "provider_transaction_id"], name="payment_transaction_once"),
        ]

    def __str__(self):
        return f"{self.order_id}: {self.amount} {self.currency}"


class PaymentIssue(models.Model):
    """A callback that could not be applied as it came, for an operator
    (admin → Payment issues). One per (session, kind): a provider retrying
    the same bad callback does not add rows."""

    session = models.ForeignKey(
        PaymentSession, on_delete=models.PROTECT, related_name="issues", verbose_name=_("payment session")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PaymentIssueKind.choices)
    detail = models.JSONField(_("detail"), default=dict)
    refund_reference = models.CharField(
        _("refund reference"), max_length=40, blank=True
    )  # set when the money was sent back
    resolved = models.BooleanField(_("resolved"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment issue")
        verbose_name_plural = _("payment issues")
        ordering = ["resolved", "-created_at"]
        constraints = [models.UniqueConstraint(fields=["session", "kind"], name="payment_issue_once")]

    def __str__(self):
        return f"{self.session.reference}: {self.kind}"


class PaymentBillCheck(models.Model):
    """A gateway's daily trade bill compared line by line with our payments
    and refunds (``orders/services/bills.py``): what reconcile reports."""

    provider = models.CharField(max_length=20)
    bill_date = models.DateField()  # the Beijing day the bill covers
    lines = models.PositiveIntegerField(default=0)
    breaks = models.JSONField(default=list)  # one sentence per mismatch, naming the transaction
    checked_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-bill_date", "provider"]
        constraints = [models.UniqueConstraint(fields=["provider", "bill_date"], name="payment_bill_check_once")]

    def __str__(self):
        return f"{self.provider} {self.bill_date}"


# --- coupons (docs/coupons.md) ---------------------------------------------------------


class OrderDiscount(models.Model):
    """One coupon's share of one line, fixed when the order is placed: what
    the line's ``discount_amount`` is made of, who funds it, and how much of
    it refunds gave back (``returned_amount``, in proportion to what was
    refunded of the line, rounded down, so a full refund returns it all)."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="discounts", verbose_name=_("order"))
    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="discounts", verbose_name=_("line"))
    claim = models.ForeignKey(
        "coupons.ClaimedCoupon", on_delete=models.PROTECT, related_name="+", verbose_name=_("coupon")
    )
    funder = models.CharField(_("funded by"), max_length=20)
    funder_id = models.BigIntegerField(_("funder id"), null=True, blank=True)  # supplier or reseller; None: platform
    amount = models.BigIntegerField(_("share (fen)"))
    returned_amount = models.BigIntegerField(_("given back (fen)"), default=0)

    class Meta:
        verbose_name = _("order discount")
        verbose_name_plural = _("order discounts")
        constraints = [
            models.UniqueConstraint(fields=["line", "claim"], name="order_discount_once_per_line"),
            models.CheckConstraint(
                condition=Q(amount__gt=0, returned_amount__gte=0, returned_amount__lte=F("amount")),
                name="order_discount_returned_within_share",
            ),
        ]

    def __str__(self):
        return f"{self.line_id}: {self.amount}"
