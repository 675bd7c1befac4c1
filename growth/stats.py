"""The daily roll-ups (``DailyStat``, ``DailyProductStat``, and what the
dashboard reads: ``DailyPlatformStat``, ``DailyTotal``): recomputed from the
raw records (visits, bindings, paid orders and lines, refunds, commissions)
for a range of Beijing days, replacing what was there; the peers' ranking
(``PeriodRank``) is refreshed from them when the range reaches today. A beat
recomputes today every quarter hour and the two days before nightly;
``manage.py growth_stats`` recomputes any range (docs/growth.md, "Roll-ups")."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import Count, Min, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from commissions.models import Commission
from distribution.choices import BindingSource
from distribution.models import Binding
from orders.choices import RefundStatus
from orders.models import Order, OrderLine, Refund

from .choices import Channel, RankMeasure, TotalKind
from .models import DailyPlatformStat, DailyProductStat, DailyStat, DailyTotal, PeriodRank, Visit

ORDER_CHANNEL = ""  # order figures have no channel
RANKED_PERIODS = (7, 30, 90)  # the numbers page's periods, ranked ahead (PeriodRank)
FUNNEL_FIGURES = (
    "visits",
    "visitors",
    "new_bindings",
    "orders",
    "buyers",
    "repeat_buyers",
    "sales_amount",
    "commission_amount",
)
TOTAL_FIGURES = ("visits", "new_bindings", "orders", "sales_amount")
_BINDING_CHANNEL = {
    BindingSource.LINK: Channel.LINK,
    BindingSource.INVITE_CODE: Channel.CODE,
    BindingSource.POSTER: Channel.POSTER,
}
_LOCK_ID = 0x67726F77  # "grow": one recompute at a time


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return datetime.combine(first, time.min, tzinfo=zone), datetime.combine(
        last + timedelta(days=1), time.min, tzinfo=zone
    )


def _day(field: str) -> TruncDate:
    return TruncDate(field, tzinfo=timezone.get_current_timezone())


def _paid_lines(start: datetime, end: datetime):
    return OrderLine.objects.filter(
        attributed_reseller__isnull=False, paid_amount__gt=0, order__paid_at__gte=start, order__paid_at__lt=end
    ).annotate(day=_day("order__paid_at"))


def stats_compute(*, first: date, last: date) -> tuple[dict, dict]:
    """The roll-up rows of the days ``first``..``last`` from the raw records:
    ``{(day, reseller_id, channel): figures}`` and ``{(day, reseller_id,
    product_id): figures}``. Reads only; ``stats_recompute`` writes them."""
    start, end = _bounds(first, last)
    stats: dict = defaultdict(lambda: defaultdict(int))
    products: dict = defaultdict(lambda: defaultdict(int))
    visits = (
        Visit.objects.filter(day__gte=first, day__lte=last)
        .values("day", "reseller_id", "channel")
        .annotate(visits=Count("id"), visitors=Count("visitor_key", distinct=True))
    )
    for row in visits:
        figures = stats[(row["day"], row["reseller_id"], row["channel"])]
        figures["visits"], figures["visitors"] = row["visits"], row["visitors"]
    product_visits = (
        Visit.objects.filter(day__gte=first, day__lte=last, product_id__isnull=False)
        .values("day", "reseller_id", "product_id")
        .annotate(visits=Count("id"), visitors=Count("visitor_key", distinct=True))
    )
    for row in product_visits:
        figures = products[(row["day"], row["reseller_id"], row["product_id"])]
        figures["visits"], figures["visitors"] = row["visits"], row["visitors"]
    bindings = (
        Binding.objects.filter(bound_at__gte=start, bound_at__lt=end)
        .annotate(day=_day("bound_at"))
        .values("day", "reseller_id", "source")
        .annotate(n=Count("id"))
    )
    for row in bindings:
        stats[(row["day"], row["reseller_id"], _BINDING_CHANNEL.get(row["source"], Channel.LINK))]["new_bindings"] += (
            row["n"]
        )
    lines = _paid_lines(start, end)
    for row in lines.values("day", "attributed_reseller_id").annotate(
        orders=Count("order_id", distinct=True), sales=Sum("paid_amount")
    ):
        figures = stats[(row["day"], row["attributed_reseller_id"], ORDER_CHANNEL)]
        figures["orders"], figures["sales_amount"] = row["orders"], row["sales"]
    for row in lines.values("day", "attributed_reseller_id", "product_id").annotate(
        orders=Count("order_id", distinct=True),
        buyers=Count("order__buyer_id", distinct=True),
        sales=Sum("paid_amount"),
    ):
        figures = products[(row["day"], row["attributed_reseller_id"], row["product_id"])]
        figures["orders"], figures["buyers"], figures["sales_amount"] = row["orders"], row["buyers"], row["sales"]
    _buyers_count(stats, lines)
    commissions = (
        Commission.objects.filter(created_at__gte=start, created_at__lt=end)
        .annotate(day=_day("created_at"))
        .values("day", "beneficiary_id")
        .annotate(amount=Sum("amount"))
    )
    for row in commissions:
        stats[(row["day"], row["beneficiary_id"], ORDER_CHANNEL)]["commission_amount"] += row["amount"]
    return stats, products


def _buyers_count(stats: dict, lines) -> None:
    """Buyers of each day and reseller, and those among them who had bought
    through that reseller on an earlier day (repeat buyers)."""
    buyer_days = set(lines.values_list("day", "attributed_reseller_id", "order__buyer_id").distinct())
    if not buyer_days:
        return
    resellers = {reseller for _, reseller, _ in buyer_days}
    buyers = {buyer for _, _, buyer in buyer_days}
    first_days = {
        (row["attributed_reseller_id"], row["order__buyer_id"]): timezone.localdate(row["first"])
        for row in OrderLine.objects.filter(
            attributed_reseller_id__in=resellers, order__buyer_id__in=buyers, paid_amount__gt=0
        )
        .values("attributed_reseller_id", "order__buyer_id")
        .annotate(first=Min("order__paid_at"))
    }
    for day, reseller, buyer in buyer_days:
        figures = stats[(day, reseller, ORDER_CHANNEL)]
        figures["buyers"] += 1
        if first_days[(reseller, buyer)] < day:
            figures["repeat_buyers"] += 1


def platform_compute(*, first: date, last: date, stats: dict, products: dict) -> tuple[dict, dict]:
    """What the dashboard reads, from the roll-up rows ``stats_compute``
    gave and the raw orders and refunds: ``{day: figures}`` for the platform
    and ``{(day, kind, item_id): figures}`` for resellers, products and
    suppliers. Reads only."""
    start, end = _bounds(first, last)
    platform: dict = defaultdict(lambda: defaultdict(int))
    totals: dict = defaultdict(lambda: defaultdict(int))
    for (day, reseller, _channel), figures in stats.items():
        for name in FUNNEL_FIGURES:
            platform[day][name] += figures.get(name, 0)
        for name in TOTAL_FIGURES:
            totals[(day, TotalKind.RESELLER, reseller)][name] += figures.get(name, 0)
    for (day, _reseller, product), figures in products.items():
        for name in ("visits", "orders", "sales_amount"):
            totals[(day, TotalKind.PRODUCT, product)][name] += figures.get(name, 0)
    for row in (
        Order.objects.filter(paid_at__gte=start, paid_at__lt=end)
        .annotate(day=_day("paid_at"))
        .values("day")
        .annotate(gmv=Sum("paid_amount"), n=Count("id"))
    ):
        platform[row["day"]]["gmv_amount"], platform[row["day"]]["paid_orders"] = row["gmv"] or 0, row["n"]
    for row in (
        Refund.objects.filter(status=RefundStatus.SUCCEEDED, refunded_at__gte=start, refunded_at__lt=end)
        .annotate(day=_day("refunded_at"))
        .values("day")
        .annotate(amount=Sum("amount"), n=Count("id"))
    ):
        platform[row["day"]]["refunds_amount"], platform[row["day"]]["refunds"] = row["amount"] or 0, row["n"]
    for row in (
        OrderLine.objects.filter(paid_amount__gt=0, order__paid_at__gte=start, order__paid_at__lt=end)
        .annotate(day=_day("order__paid_at"))
        .values("day", "supplier_id")
        .annotate(sales=Sum("paid_amount"), orders=Count("order_id", distinct=True))
    ):
        figures = totals[(row["day"], TotalKind.SUPPLIER, row["supplier_id"])]
        figures["sales_amount"], figures["orders"] = row["sales"], row["orders"]
    return platform, totals


def _ranked(totals: dict[int, int]) -> list[tuple[int, int, int, int]]:
    """``(reseller_id, total, rank, position)`` for the totals above nothing:
    best first, ties by id, a tie sharing its rank (1 + how many did better)."""
    ordered = sorted(
        ((total, reseller) for reseller, total in totals.items() if total > 0), key=lambda t: (-t[0], t[1])
    )
    ranked, rank = [], 0
    for position, (total, reseller) in enumerate(ordered, start=1):
        if position == 1 or total != ordered[position - 2][0]:
            rank = position
        ranked.append((reseller, total, rank, position))
    return ranked


def ranking_refresh(*, today: date) -> int:
    """Rank every reseller for the numbers page's periods ending ``today``
    (``RANKED_PERIODS``) by sales, by new customers and by activity (visits
    + new customers + orders: the dashboard's active resellers), from the
    resellers' daily totals, replacing the ranking there was; returns the
    rows written. Call inside the recompute's transaction (its lock)."""
    rows = []
    for days in RANKED_PERIODS:
        first = today - timedelta(days=days - 1)
        sums = list(
            DailyTotal.objects.filter(kind=TotalKind.RESELLER, day__gte=first, day__lte=today)
            .values("item_id")
            .annotate(sales=Sum("sales_amount"), new=Sum("new_bindings"), visits=Sum("visits"), orders=Sum("orders"))
            .values_list("item_id", "sales", "new", "visits", "orders")
        )
        for measure, totals in (
            (RankMeasure.SALES, {reseller: sales for reseller, sales, _new, _visits, _orders in sums}),
            (RankMeasure.NEW_BINDINGS, {reseller: new for reseller, _sales, new, _visits, _orders in sums}),
            (RankMeasure.ACTIVITY, {reseller: new + visits + orders for reseller, _sales, new, visits, orders in sums}),
        ):
            rows += [
                PeriodRank(
                    days=days,
                    measure=measure,
                    reseller_id=reseller,
                    total=total,
                    rank=rank,
                    position=position,
                    last_day=today,
                )
                for reseller, total, rank, position in _ranked(totals)
            ]
    PeriodRank.objects.all().delete()
    PeriodRank.objects.bulk_create(rows, batch_size=5_000)
    return len(rows)


@transaction.atomic
def stats_recompute(*, first: date, last: date, today: date | None = None) -> int:
    """Replace the roll-ups of days ``first``..``last`` with a recomputation
    from the raw records, and refresh the ranking when ``last`` is today (or
    later); returns how many roll-up rows were written. One recompute at a
    time (an advisory lock on PostgreSQL)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_ID])
    stats, products = stats_compute(first=first, last=last)
    platform, totals = platform_compute(first=first, last=last, stats=stats, products=products)
    for model in (DailyStat, DailyProductStat, DailyPlatformStat, DailyTotal):
        model.objects.filter(day__gte=first, day__lte=last).delete()
    DailyStat.objects.bulk_create(
        [
            DailyStat(day=day, reseller_id=reseller, channel=channel, **figures)
            for (day, reseller, channel), figures in stats.items()
        ],
        batch_size=2_000,
    )
    DailyProductStat.objects.bulk_create(
        [
            DailyProductStat(day=day, reseller_id=reseller, product_id=product, **figures)
            for (day, reseller, product), figures in products.items()
        ],
        batch_size=2_000,
    )
    DailyPlatformStat.objects.bulk_create([DailyPlatformStat(day=day, **figures) for day, figures in platform.items()])
    DailyTotal.objects.bulk_create(
        [DailyTotal(day=day, kind=kind, item_id=item, **figures) for (day, kind, item), figures in totals.items()],
        batch_size=2_000,
    )
    today = today or timezone.localdate()
    if last >= today:
        ranking_refresh(today=today)
    return len(stats) + len(products) + len(platform) + len(totals)
