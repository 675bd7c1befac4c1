"""The daily roll-ups (``DailyStat``, ``DailyProductStat``): recomputed from
the raw records (visits, bindings, paid order lines, commissions) for a
range of Beijing days, replacing what was there. A beat recomputes today
every quarter hour and the two days before nightly; ``manage.py
growth_stats`` recomputes any range (docs/growth.md, "Roll-ups")."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import Count, Min, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from commissions.models import Commission
from distribution.choices import BindingSource
from distribution.models import Binding
from orders.models import OrderLine

from .choices import Channel
from .models import DailyProductStat, DailyStat, Visit

ORDER_CHANNEL = ""  # order figures have no channel
_BINDING_CHANNEL = {BindingSource.LINK: Channel.LINK, BindingSource.INVITE_CODE: Channel.CODE}
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


@transaction.atomic
def stats_recompute(*, first: date, last: date) -> int:
    """Replace the roll-ups of days ``first``..``last`` with a recomputation
    from the raw records; returns how many rows were written. One recompute
    at a time (an advisory lock on PostgreSQL)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_ID])
    stats, products = stats_compute(first=first, last=last)
    DailyStat.objects.filter(day__gte=first, day__lte=last).delete()
    DailyProductStat.objects.filter(day__gte=first, day__lte=last).delete()
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
    return len(stats) + len(products)
