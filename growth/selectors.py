"""The readers of the customer book, the reseller's funnel and ranking, and
the operators' dashboard. Each page reads a constant number of queries
whatever the data's size (asserted in the tests)."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, F, IntegerField, Max, Min, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.phone import mask_name, mask_phone
from catalog.models import Product, Supplier
from distribution.models import Binding, Reseller
from distribution.selectors import distribution_settings_get
from ledger.choices import AccountKind
from ledger.selectors import ledger_totals_by_kind
from orders.choices import RefundStatus
from orders.models import Order, OrderLine, Refund
from shops.choices import ShopStatus
from shops.models import Shop

from .choices import Channel, CustomerFilter, RankMeasure, TotalKind
from .models import (
    CustomerNote,
    DailyPlatformStat,
    DailyProductStat,
    DailyStat,
    DailyTotal,
    PeriodRank,
    RankingOptIn,
    Reminder,
)
from .stats import RANKED_PERIODS

NEW_WINDOW = timedelta(days=7)
EXPIRING_WINDOW = timedelta(days=7)
LAPSED_AFTER = timedelta(days=60)
TOP_SHOWN = 10
FUNNEL_PERIODS = RANKED_PERIODS  # the numbers page offers the periods ranked ahead


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
    """The roll-ups' sums over ``first``..``last`` for one reseller (its
    ``DailyStat`` rows) or the platform (``DailyPlatformStat``, a row a day).
    People are counted per day and summed (docs/growth.md). One query."""
    if reseller_id is None:
        rows = DailyPlatformStat.objects.filter(day__gte=first, day__lte=last)
    else:
        rows = DailyStat.objects.filter(reseller_id=reseller_id, day__gte=first, day__lte=last)
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
    """Products by sales then visits, with their titles: one reseller's
    (``DailyProductStat``) or the platform's (``DailyTotal``). Two queries."""
    if reseller_id is None:
        rows = DailyTotal.objects.filter(kind=TotalKind.PRODUCT, day__gte=first, day__lte=last).annotate(
            product_id=F("item_id")
        )
    else:
        rows = DailyProductStat.objects.filter(reseller_id=reseller_id, day__gte=first, day__lte=last)
    best = list(
        rows.values("product_id")
        .annotate(visits=Sum("visits"), orders=Sum("orders"), sales_amount=Sum("sales_amount"))
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


def ranking(*, reseller_id: int, days: int, by: str, limit: int = TOP_SHOWN) -> tuple[list[RankRow], int]:
    """The top resellers by ``by`` (a RankMeasure) over the last ``days``
    days (one of ``FUNNEL_PERIODS``), named (masked) only if they opted in,
    and the caller's own place (0: nothing in the period), read from the
    ranking the roll-up refreshes (``PeriodRank``). One query."""
    found = list(
        PeriodRank.objects.filter(days=days, measure=by)
        .filter(Q(position__lte=limit) | Q(reseller_id=reseller_id))
        .annotate(shown=Exists(RankingOptIn.objects.filter(reseller_id=OuterRef("reseller_id"))))
        .order_by("position")
        .values(
            "reseller_id",
            "total",
            "rank",
            "position",
            "shown",
            nickname=F("reseller__user__nickname"),
            phone=F("reseller__user__phone"),
        )
    )
    rows = [
        RankRow(
            rank=row["position"],
            name=(mask_name(row["nickname"]) or mask_phone(row["phone"])) if row["shown"] else "",
            amount=row["total"],
            is_me=row["reseller_id"] == reseller_id,
        )
        for row in found
        if row["position"] <= limit
    ]
    own = next((row for row in found if row["reseller_id"] == reseller_id), None)
    if own is None:
        return rows, 0
    return rows, own["position"] if own["position"] <= limit else own["rank"]


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
    liability: list[tuple[str, int]]  # what the platform owes resellers, per ledger account kind
    funnel: Funnel
    gmv_by_day: list[DayAmount]
    top_resellers: list[dict]
    top_products: list[dict]
    top_suppliers: list[dict]

    @property
    def average_order_amount(self) -> int:
        return self.gmv_amount // self.paid_orders if self.paid_orders else 0


LIABILITY_KINDS = (
    AccountKind.RESELLER_FROZEN,
    AccountKind.RESELLER_WITHDRAWABLE,
    AccountKind.RESELLER_WITHDRAWAL_PENDING,
)


def _today_live(today: date) -> dict:
    """GMV, paid orders and refunds of today so far, from the orders and
    refunds themselves (the roll-up of today lags up to a quarter hour).
    Two queries over today's rows only (``order_paid_at``, ``refunded_at``)."""
    start, end = _day_bounds(today, today)
    orders = Order.objects.filter(paid_at__gte=start, paid_at__lt=end).aggregate(
        gmv_amount=Coalesce(Sum("paid_amount"), 0), paid_orders=Count("id")
    )
    refunds = Refund.objects.filter(
        status=RefundStatus.SUCCEEDED, refunded_at__gte=start, refunded_at__lt=end
    ).aggregate(refunds_amount=Coalesce(Sum("amount"), 0), refunds=Count("id"))
    return {**orders, **refunds}


def _top(kind: str, *, first: date, last: date, limit: int) -> list[dict]:
    return list(
        DailyTotal.objects.filter(kind=kind, day__gte=first, day__lte=last)
        .values("item_id")
        .annotate(
            sales_amount=Sum("sales_amount"),
            orders=Sum("orders"),
            new_bindings=Sum("new_bindings"),
            visits=Sum("visits"),
        )
        .filter(sales_amount__gt=0)
        .order_by("-sales_amount", "item_id")[:limit]
    )


def resellers_active_and_top(*, first: date, last: date, today: date, ranked: bool = True) -> tuple[int, list[dict]]:
    """How many resellers were active in ``first``..``last`` (a visit, a new
    customer or an order) and the top ones by sales with their figures. For
    the periods the ranking holds (the last 7, 30 or 90 days, ranked today)
    from ``PeriodRank`` (a count of its rows and the top ten's totals, four
    queries whatever the number of resellers); for any other period, or
    with ``ranked`` False, from ``DailyTotal``'s reseller rows (two queries
    over resellers × days). Both give the same answer (tested)."""
    days = (last - first).days + 1
    if ranked and last == today and days in RANKED_PERIODS:
        ranked = list(PeriodRank.objects.filter(days=days).values_list("last_day", flat=True)[:1]) == [today]
    else:
        ranked = False
    if not ranked:
        active = (
            DailyTotal.objects.filter(kind=TotalKind.RESELLER, day__gte=first, day__lte=last)
            .filter(Q(visits__gt=0) | Q(orders__gt=0) | Q(new_bindings__gt=0))
            .values("item_id")
            .distinct()
            .count()
        )
        return active, _top(TotalKind.RESELLER, first=first, last=last, limit=TOP_SHOWN)
    active = PeriodRank.objects.filter(days=days, measure=RankMeasure.ACTIVITY).count()
    best = list(
        PeriodRank.objects.filter(days=days, measure=RankMeasure.SALES, position__lte=TOP_SHOWN)
        .order_by("position")
        .values_list("reseller_id", flat=True)
    )
    figures = {
        row["item_id"]: row
        for row in DailyTotal.objects.filter(
            kind=TotalKind.RESELLER, item_id__in=best, day__gte=first, day__lte=last
        )  # ten resellers' days: the index daily_total_by_item
        .values("item_id")
        .annotate(
            sales_amount=Sum("sales_amount"),
            orders=Sum("orders"),
            new_bindings=Sum("new_bindings"),
            visits=Sum("visits"),
        )
    }
    return active, [figures[reseller] for reseller in best if reseller in figures]


def dashboard(*, first: date, last: date, today: date | None = None) -> Dashboard:
    """What ``/ops/`` shows for the days ``first``..``last`` (Beijing), read
    from the roll-ups (``DailyPlatformStat``, ``DailyTotal``), which hold a
    row a day or a row per day and reseller, product or supplier, whatever
    the number of visits and orders; today's GMV, orders and refunds are
    read live. A constant number of queries (12 to 14)."""
    today = today or timezone.localdate()
    days = {
        row["day"]: row
        for row in DailyPlatformStat.objects.filter(day__gte=first, day__lte=last).values(
            "day", "gmv_amount", "paid_orders", "refunds_amount", "refunds", *_FUNNEL_SUMS
        )
    }
    if first <= today <= last:
        days[today] = {**days.get(today, {name: 0 for name in _FUNNEL_SUMS}), **_today_live(today), "day": today}
    total = {
        name: sum(row[name] for row in days.values())
        for name in ("gmv_amount", "paid_orders", "refunds_amount", "refunds", *_FUNNEL_SUMS)
    }
    active, top_resellers = resellers_active_and_top(first=first, last=last, today=today)
    owed = ledger_totals_by_kind(kinds=list(LIABILITY_KINDS))
    people = {
        row["id"]: row["user__nickname"] or mask_phone(row["user__phone"])
        for row in Reseller.objects.filter(pk__in=[row["item_id"] for row in top_resellers]).values(
            "id", "user__nickname", "user__phone"
        )
    }
    suppliers = _top(TotalKind.SUPPLIER, first=first, last=last, limit=TOP_SHOWN)
    names = dict(Supplier.objects.filter(pk__in=[row["item_id"] for row in suppliers]).values_list("id", "name"))
    count = (last - first).days + 1
    return Dashboard(
        first=first,
        last=last,
        gmv_amount=total["gmv_amount"],
        paid_orders=total["paid_orders"],
        refunds_amount=total["refunds_amount"],
        refunds=total["refunds"],
        active_resellers=active,
        open_shops=Shop.objects.filter(status=ShopStatus.OPEN).count(),
        liability=[(AccountKind(kind).label, owed[kind]) for kind in LIABILITY_KINDS],
        funnel=Funnel(**{name: total[name] for name in _FUNNEL_SUMS}),
        gmv_by_day=[
            DayAmount(day, days[day]["gmv_amount"] if day in days else 0)
            for day in (first + timedelta(days=n) for n in range(count))
        ],
        top_resellers=[
            {**row, "reseller_id": row["item_id"], "name": people.get(row["item_id"], "—")} for row in top_resellers
        ],
        top_products=products_best(first=first, last=last, limit=TOP_SHOWN),
        top_suppliers=[
            {**row, "supplier_id": row["item_id"], "name": names.get(row["item_id"], "—")} for row in suppliers
        ],
    )
