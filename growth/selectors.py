"""The readers of the customer book, the reseller's funnel and ranking, and
the operators' dashboard. Each page reads a constant number of queries
whatever the data's size (asserted in the tests)."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, IntegerField, Max, Min, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from accounts.phone import mask_name, mask_phone
from catalog.models import Product, Supplier
from commissions.models import Commission
from distribution.models import Binding, Reseller
from distribution.selectors import distribution_settings_get
from orders.choices import RefundStatus
from orders.models import Order, OrderLine, Refund
from shops.choices import ShopStatus
from shops.models import Shop

from .choices import Channel, CustomerFilter
from .models import CustomerNote, DailyProductStat, DailyStat, RankingOptIn, Reminder

NEW_WINDOW = timedelta(days=7)
EXPIRING_WINDOW = timedelta(days=7)
LAPSED_AFTER = timedelta(days=60)
TOP_SHOWN = 10
FUNNEL_PERIODS = (7, 30, 90)


# --- the customer book ------------------------------------------------------------------


def _lines_of(reseller_id: int):
    return OrderLine.objects.filter(
        attributed_reseller_id=reseller_id, order__buyer_id=OuterRef("customer_id"), paid_amount__gt=0
    ).values("attributed_reseller_id")


def customer_book(*, reseller: Reseller, view: str = "", query: str = "", now: datetime | None = None):
    """The reseller's customers bound now, newest first (top spenders: by
    spend), each annotated with orders and spend through this reseller, first
    and last order, and the reseller's tags; ``view`` one of CustomerFilter,
    ``query`` matches nickname, tag or the phone's last digits. A queryset:
    paginate it (a COUNT and a page)."""
    now = now or timezone.now()
    lines = _lines_of(reseller.pk)
    rows = (
        Binding.objects.filter(reseller=reseller, ended_at__isnull=True)
        .select_related("customer")
        .annotate(
            order_count=Coalesce(
                Subquery(lines.annotate(n=Count("order_id", distinct=True)).values("n")[:1]), Value(0)
            ),
            spend_amount=Coalesce(
                Subquery(lines.annotate(s=Sum("paid_amount")).values("s")[:1]),
                Value(0),
                output_field=IntegerField(),
            ),
            first_order_at=Subquery(lines.annotate(t=Min("order__paid_at")).values("t")[:1]),
            last_order_at=Subquery(lines.annotate(t=Max("order__paid_at")).values("t")[:1]),
            tags=Subquery(
                CustomerNote.objects.filter(reseller=reseller, customer_id=OuterRef("customer_id")).values("tags")[:1]
            ),
        )
    )
    if view == CustomerFilter.NEW:
        rows = rows.filter(bound_at__gte=now - NEW_WINDOW)
    elif view == CustomerFilter.EXPIRING:
        lifetime = distribution_settings_get().binding_lifetime
        if lifetime is None:
            rows = rows.none()
        else:
            rows = rows.filter(touched_at__gt=now - lifetime, touched_at__lte=now - lifetime + EXPIRING_WINDOW)
    elif view == CustomerFilter.LAPSED:
        rows = rows.filter(last_order_at__lt=now - LAPSED_AFTER)
    elif view == CustomerFilter.TOP:
        rows = rows.filter(spend_amount__gt=0)
    if query:
        match = Q(customer__nickname__icontains=query) | Q(tags__icontains=query)
        if query.isdigit() and len(query) <= 4:
            match |= Q(customer__phone__endswith=query)
        rows = rows.filter(match)
    if view == CustomerFilter.TOP:
        return rows.order_by("-spend_amount", "-id")
    return rows.order_by("-bound_at", "-id")


@dataclass(frozen=True)
class CustomerRow:
    customer_id: int
    name: str  # masked
    phone: str  # masked
    source: str
    bound_at: datetime
    expires_at: datetime | None
    last_visit_at: datetime
    order_count: int
    spend_amount: int
    last_order_at: datetime | None
    due_again_at: datetime | None  # from the customer's own buying interval
    tags: list[str] = field(default_factory=list)

    @property
    def due_again(self) -> bool:
        return self.due_again_at is not None and self.due_again_at <= timezone.now()


def customer_row(binding, *, lifetime: timedelta | None) -> CustomerRow:
    """What the book shows of one annotated binding: never the full phone,
    never an address."""
    customer = binding.customer
    due = None
    if binding.order_count >= 2 and binding.first_order_at and binding.last_order_at:
        interval = (binding.last_order_at - binding.first_order_at) / (binding.order_count - 1)
        due = binding.last_order_at + interval
    return CustomerRow(
        customer_id=customer.pk,
        name=mask_name(customer.nickname) or mask_phone(customer.phone),
        phone=mask_phone(customer.phone),
        source=binding.get_source_display(),
        bound_at=binding.bound_at,
        expires_at=binding.touched_at + lifetime if lifetime is not None else None,
        last_visit_at=binding.touched_at,
        order_count=binding.order_count,
        spend_amount=binding.spend_amount,
        last_order_at=binding.last_order_at,
        due_again_at=due,
        tags=[tag for tag in (binding.tags or "").split(",") if tag],
    )


def customer_get(*, reseller: Reseller, customer_id: int):
    """One bound customer's annotated binding, or None."""
    return customer_book(reseller=reseller).filter(customer_id=customer_id).first()


def customer_note_get(*, reseller: Reseller, customer_id: int) -> CustomerNote | None:
    return CustomerNote.objects.filter(reseller=reseller, customer_id=customer_id).first()


def reminders_for_customer(*, reseller: Reseller, customer_id: int) -> list[Reminder]:
    return list(Reminder.objects.filter(reseller=reseller, customer_id=customer_id, done_at__isnull=True))


def reminders_due(*, reseller_id: int, today: date | None = None, limit: int = 5) -> list[Reminder]:
    """The reseller's open reminders due by today, oldest first (the
    workbench shows them), with their customers. One query."""
    today = today or timezone.localdate()
    return list(
        Reminder.objects.filter(reseller_id=reseller_id, done_at__isnull=True, due_on__lte=today).select_related(
            "customer"
        )[:limit]
    )


# --- the funnel ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Funnel:
    visits: int
    visitors: int
    new_bindings: int
    buyers: int
    repeat_buyers: int
    orders: int
    sales_amount: int
    commission_amount: int

    @property
    def steps(self) -> list[tuple[str, int]]:
        return [
            ("visits", self.visits),
            ("visitors", self.visitors),
            ("new_bindings", self.new_bindings),
            ("buyers", self.buyers),
            ("repeat_buyers", self.repeat_buyers),
        ]


_FUNNEL_SUMS = {
    name: Coalesce(Sum(name), 0)
    for name in (
        "visits",
        "visitors",
        "new_bindings",
        "buyers",
        "repeat_buyers",
        "orders",
        "sales_amount",
        "commission_amount",
    )
}


def period_start(days: int, today: date | None = None) -> date:
    return (today or timezone.localdate()) - timedelta(days=days - 1)


def funnel(*, first: date, last: date, reseller_id: int | None = None) -> Funnel:
    """The roll-ups' sums over ``first``..``last`` for one reseller or the
    platform. People are counted per day and summed (docs/growth.md). One query."""
    rows = DailyStat.objects.filter(day__gte=first, day__lte=last)
    if reseller_id is not None:
        rows = rows.filter(reseller_id=reseller_id)
    return Funnel(**rows.aggregate(**_FUNNEL_SUMS))


def channels_best(*, reseller_id: int, first: date, last: date) -> list[dict]:
    """Visits, visitors and new bindings per channel, best first. One query."""
    rows = (
        DailyStat.objects.filter(reseller_id=reseller_id, day__gte=first, day__lte=last)
        .exclude(channel="")
        .values("channel")
        .annotate(visits=Sum("visits"), visitors=Sum("visitors"), new_bindings=Sum("new_bindings"))
        .order_by("-new_bindings", "-visits")
    )
    labels = dict(Channel.choices)
    return [{**row, "label": labels.get(row["channel"], row["channel"])} for row in rows]


def products_best(*, first: date, last: date, reseller_id: int | None = None, limit: int = 5) -> list[dict]:
    """Products by sales then visits, with their titles. Two queries."""
    rows = DailyProductStat.objects.filter(day__gte=first, day__lte=last)
    if reseller_id is not None:
        rows = rows.filter(reseller_id=reseller_id)
    best = list(
        rows.values("product_id")
        .annotate(
            visits=Sum("visits"), visitors=Sum("visitors"), orders=Sum("orders"), sales_amount=Sum("sales_amount")
        )
        .order_by("-sales_amount", "-visits", "product_id")[:limit]
    )
    titles = dict(Product.objects.filter(pk__in=[row["product_id"] for row in best]).values_list("id", "title"))
    return [{**row, "title": titles.get(row["product_id"], "—")} for row in best]


@dataclass(frozen=True)
class DayAmount:
    day: date
    amount: int


def sales_by_day(*, first: date, last: date, reseller_id: int) -> list[DayAmount]:
    """The reseller's attributed sales per day (the chart's bars). One query."""
    amounts = dict(
        DailyStat.objects.filter(reseller_id=reseller_id, day__gte=first, day__lte=last, channel="")
        .values_list("day")
        .annotate(amount=Sum("sales_amount"))
    )
    days = (last - first).days + 1
    return [DayAmount(day, amounts.get(day, 0)) for day in (first + timedelta(days=n) for n in range(days))]


# --- the ranking among peers ----------------------------------------------------------------


@dataclass(frozen=True)
class RankRow:
    rank: int
    name: str  # masked, or 匿名 for a reseller that did not opt in
    amount: int
    is_me: bool


def ranking(*, reseller_id: int, first: date, last: date, by: str, limit: int = TOP_SHOWN) -> tuple[list[RankRow], int]:
    """The top resellers by ``by`` (``sales_amount`` or ``new_bindings``)
    over the period, named (masked) only if they opted in, and the caller's
    own rank (0: nothing in the period). Two queries."""
    totals = (
        DailyStat.objects.filter(day__gte=first, day__lte=last, **{f"{by}__gt": 0})  # rows with nothing to add skipped
        .values("reseller_id")
        .annotate(total=Sum(by))
    )
    top = list(
        totals.order_by("-total", "reseller_id").values(
            "reseller_id", "total", nickname=F("reseller__user__nickname"), phone=F("reseller__user__phone")
        )[:limit]
    )
    shown = set(
        RankingOptIn.objects.filter(reseller_id__in=[row["reseller_id"] for row in top]).values_list("pk", flat=True)
    )
    rows = [
        RankRow(
            rank=index + 1,
            name=(mask_name(row["nickname"]) or mask_phone(row["phone"])) if row["reseller_id"] in shown else "",
            amount=row["total"],
            is_me=row["reseller_id"] == reseller_id,
        )
        for index, row in enumerate(top)
    ]
    mine = next((row.rank for row in rows if row.is_me), None)
    if mine is None:
        own = list(totals.filter(reseller_id=reseller_id).values_list("total", flat=True))
        mine = totals.filter(total__gt=own[0]).count() + 1 if own else 0
    return rows, mine


# --- the operators' dashboard ---------------------------------------------------------------


def _day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return datetime.combine(first, time.min, tzinfo=zone), datetime.combine(
        last + timedelta(days=1), time.min, tzinfo=zone
    )


@dataclass(frozen=True)
class Dashboard:
    first: date
    last: date
    gmv_amount: int
    paid_orders: int
    refunds_amount: int
    refunds: int
    active_resellers: int
    open_shops: int
    liability: list[tuple[str, int, int]]  # state, count, amount outstanding
    funnel: Funnel
    gmv_by_day: list[DayAmount]
    top_resellers: list[dict]
    top_products: list[dict]
    top_suppliers: list[dict]

    @property
    def average_order_amount(self) -> int:
        return self.gmv_amount // self.paid_orders if self.paid_orders else 0


def dashboard(*, first: date, last: date) -> Dashboard:
    """What ``/ops/`` shows for the days ``first``..``last`` (Beijing). A
    constant number of queries (11)."""
    start, end = _day_bounds(first, last)
    paid = Order.objects.filter(paid_at__gte=start, paid_at__lt=end)
    orders = paid.aggregate(gmv=Coalesce(Sum("paid_amount"), 0), n=Count("id"))
    by_day = dict(
        paid.annotate(day=TruncDate("paid_at", tzinfo=timezone.get_current_timezone()))
        .values_list("day")
        .annotate(amount=Sum("paid_amount"))
    )
    refunds = Refund.objects.filter(
        status=RefundStatus.SUCCEEDED, refunded_at__gte=start, refunded_at__lt=end
    ).aggregate(amount=Coalesce(Sum("amount"), 0), n=Count("id"))
    active = (
        DailyStat.objects.filter(day__gte=first, day__lte=last)
        .filter(Q(visits__gt=0) | Q(orders__gt=0) | Q(new_bindings__gt=0))
        .values("reseller_id")
        .distinct()
        .count()
    )
    from commissions.choices import CommissionState

    liability_rows = {
        row["state"]: row
        for row in Commission.objects.values("state").annotate(
            n=Count("id"), outstanding=Coalesce(Sum(F("amount") - F("reversed_amount") - F("clawed_back_amount")), 0)
        )
    }
    liability = [
        (label, liability_rows.get(state, {}).get("n", 0), liability_rows.get(state, {}).get("outstanding", 0))
        for state, label in CommissionState.choices
    ]
    top_resellers = list(
        DailyStat.objects.filter(day__gte=first, day__lte=last)
        .values("reseller_id")
        .annotate(sales_amount=Sum("sales_amount"), orders=Sum("orders"), new_bindings=Sum("new_bindings"))
        .filter(sales_amount__gt=0)
        .order_by("-sales_amount", "reseller_id")
        .values(
            "reseller_id",
            "sales_amount",
            "orders",
            "new_bindings",
            nickname=F("reseller__user__nickname"),
            phone=F("reseller__user__phone"),
        )[:TOP_SHOWN]
    )
    for row in top_resellers:
        row["name"] = row["nickname"] or mask_phone(row["phone"])
    suppliers = list(
        OrderLine.objects.filter(order__paid_at__gte=start, order__paid_at__lt=end, paid_amount__gt=0)
        .values("supplier_id")
        .annotate(sales_amount=Sum("paid_amount"), orders=Count("order_id", distinct=True))
        .order_by("-sales_amount", "supplier_id")[:TOP_SHOWN]
    )
    names = dict(Supplier.objects.filter(pk__in=[row["supplier_id"] for row in suppliers]).values_list("id", "name"))
    for row in suppliers:
        row["name"] = names.get(row["supplier_id"], "—")
    days = (last - first).days + 1
    return Dashboard(
        first=first,
        last=last,
        gmv_amount=orders["gmv"],
        paid_orders=orders["n"],
        refunds_amount=refunds["amount"],
        refunds=refunds["n"],
        active_resellers=active,
        open_shops=Shop.objects.filter(status=ShopStatus.OPEN).count(),
        liability=liability,
        funnel=funnel(first=first, last=last),
        gmv_by_day=[DayAmount(day, by_day.get(day, 0)) for day in (first + timedelta(days=n) for n in range(days))],
        top_resellers=top_resellers,
        top_products=products_best(first=first, last=last, limit=TOP_SHOWN),
        top_suppliers=suppliers,
    )
