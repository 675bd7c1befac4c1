"""The funnel at scale (issue 19): ingest of visits through the real path,
and the pages that read the roll-ups on a large history.

    .venv/bin/python bench/analytics.py                       # the issue's sizes: long, ~10 GB of disk
    .venv/bin/python bench/analytics.py --ingest 100000 --visits 1000000 --orders 100000   # a few minutes

1. Ingest: ``--ingest`` referred views through ``growth.visits.visit_buffer_push``
   (what a shop page calls: one RPUSH each) and the drain (``visits_drain``:
   batches claimed in Redis, written with COPY), in visits/s, beside a bare
   COPY of the same rows into a table of the same shape in the same run.
2. A history of ``--visits`` visits and ``--orders`` paid orders (a line and
   a commission each) over ``--days`` days among ``--resellers`` resellers,
   loaded with COPY; the roll-ups recomputed from it (``stats_recompute``,
   timed once).
3. The reseller's numbers page (/my-shop/numbers/?days=90 and 7) and the
   operators' dashboard (/ops/: the last 30 and 90 days, which the ranking
   holds, and 89 days to yesterday, which it does not), median of ``--repeat`` requests
   through Django's test client, each beside a primary-key lookup (raw SQL)
   of the same run, with the queries each page ran.

Needs PostgreSQL (``BENCH_DATABASE_URL``, default
postgres://postgres@127.0.0.1:5432/socialshop_bench_analytics, created and
dropped here) and Redis (``BENCH_REDIS_URL``, default
redis://127.0.0.1:6379/10; its keys are prefixed ``bench-analytics:``).
"""

import argparse
import io
import os
import random
import sys
import time
from datetime import datetime, timedelta

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

from scratch import (  # noqa: E402
    bench_django_ready,
    bench_environment,
    bench_product,
    median_ms,
    scratch_database_create,
    scratch_database_drop,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/socialshop_bench_analytics"
DEFAULT_REDIS = "redis://127.0.0.1:6379/10"
NULL = "\\N"
HISTORY_BATCH = "00000000-0000-0000-0000-000000000000"


def _text(value) -> str:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def copy_model(cursor, model, rows, *, fixed: dict | None = None) -> int:
    """COPY dicts of column → value into ``model``'s table; a column not
    given takes ``fixed``, then the field's default as Django would fill it (NULL where the column takes
    it, "" for a text column that does not), so a column added to a model later needs no change here."""
    fields = model._meta.concrete_fields
    fixed = fixed or {}
    defaults = {field.column: fixed.get(field.column, field.get_default()) for field in fields}
    columns = [field.column for field in fields]
    buffer = io.StringIO()
    count = 0
    for row in rows:
        buffer.write("\t".join(_text(row.get(column, defaults[column])) for column in columns))
        buffer.write("\n")
        count += 1
    buffer.seek(0)
    cursor.copy_expert(f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN", buffer)
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{model._meta.db_table}', 'id'), "
        f"(SELECT coalesce(max(id), 1) FROM {model._meta.db_table}))"
    )
    return count


def invite_code(number: int) -> str:
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    out = []
    for _ in range(6):
        number, rest = divmod(number, len(alphabet))
        out.append(alphabet[rest])
    return "".join(reversed(out))


def people(cursor, *, resellers: int, buyers: int, now: datetime) -> None:
    """Users 1..resellers are resellers (active), the next ``buyers`` are customers."""
    from accounts.models import User
    from distribution.models import Reseller

    copy_model(
        cursor,
        User,
        (
            {
                "id": n,
                "password": "!",
                "phone": f"137{n:08d}",
                "nickname": f"店主{n}" if n <= resellers else f"顾客{n}",
                "role": "reseller" if n <= resellers else "customer",
                "date_joined": now,
            }
            for n in range(1, resellers + buyers + 1)
        ),
        fixed={"email": "", "is_staff": False, "is_superuser": False, "is_active": True},
    )
    copy_model(
        cursor,
        Reseller,
        (
            {"id": n, "user_id": n, "invite_code": invite_code(n), "status": "active", "joined_at": now}
            for n in range(1, resellers + 1)
        ),
    )


def visit_rows(*, count: int, resellers: int, days: int, products: list[int], today, seed: int):
    from django.utils import timezone

    rng = random.Random(seed)
    zone = timezone.get_current_timezone()
    start = datetime.combine(today - timedelta(days=days - 1), datetime.min.time(), tzinfo=zone)
    span = days * 86_400
    for _ in range(count):
        at = start + timedelta(seconds=rng.randrange(span))
        yield {
            "at": at,
            "day": at.date(),
            "reseller_id": rng.randint(1, resellers),
            "shop_id": 1,
            "product_id": rng.choice(products) if rng.random() < 0.6 else None,
            "channel": rng.choice(("link", "link", "poster", "code")),
            "visitor_key": f"{rng.randrange(count // 3 + 1):032x}",
            "batch": HISTORY_BATCH,
        }


def ingest(args, resellers: int, products: list[int]) -> None:
    import redis
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from growth import visits
    from growth.models import Visit

    client = redis.Redis.from_url(settings.REDIS_URL)
    for key in client.scan_iter(match=visits._key("*")):
        client.delete(key)
    rng = random.Random(1)
    calls = [
        (rng.randint(1, resellers), rng.choice(products), f"{rng.randrange(args.ingest):032x}")
        for _ in range(args.ingest)
    ]
    before = Visit.objects.count()
    started = time.perf_counter()
    for reseller, product, key in calls:
        visits.visit_buffer_push(
            shop_id=1, product_id=product, visitor_key=key, invite_code=invite_code(reseller), channel="poster"
        )
    pushed = time.perf_counter() - started
    started = time.perf_counter()
    written = 0
    while visits.visits_buffered():
        written += visits.visits_drain()
    drained = time.perf_counter() - started
    assert written == args.ingest == Visit.objects.count() - before, (written, args.ingest)

    # the baseline: the same rows, COPY'd at once into a table of the same shape
    with transaction.atomic(), connection.cursor() as wrapper:
        cursor = wrapper.cursor
        cursor.execute(f"CREATE TEMP TABLE bare (LIKE {Visit._meta.db_table} INCLUDING ALL)")
        buffer = io.StringIO()
        now = timezone.now()
        for reseller, product, key in calls:
            buffer.write(
                f"{now.isoformat()}\t{now.date()}\t{reseller}\t1\t{product}\tposter\t{key}\t{visits.uuid.uuid4()}\n"
            )
        buffer.seek(0)
        started = time.perf_counter()
        cursor.copy_expert(
            "COPY bare (at, day, reseller_id, shop_id, product_id, channel, visitor_key, batch) FROM STDIN", buffer
        )
        bare = time.perf_counter() - started
        cursor.execute("DROP TABLE bare")
    Visit.objects.exclude(batch=HISTORY_BATCH).delete()  # the history's visits stay for the pages
    n = args.ingest
    print(f"\ningest of {n:,} referred views (real path) beside a bare COPY of the same rows")
    print(f"  push (one RPUSH per page view)   {n / pushed:>12,.0f} visits/s   {pushed * 1e6 / n:8.1f} µs per view")
    print(f"  drain (claim + COPY + release)   {n / drained:>12,.0f} visits/s")
    print(f"  push + drain                     {n / (pushed + drained):>12,.0f} visits/s")
    print(f"  baseline: bare COPY              {n / bare:>12,.0f} visits/s")


def history(args, products: list[int], suppliers: dict[int, tuple[int, int, int]], today) -> None:
    """``--visits`` visits and ``--orders`` paid orders with a line and a commission each."""
    from django.db import connection
    from django.utils import timezone

    from commissions.models import Commission
    from growth.models import Visit
    from orders.models import FulfilmentGroup, Order, OrderLine

    rng = random.Random(2)
    zone = timezone.get_current_timezone()
    start = datetime.combine(today - timedelta(days=args.days - 1), datetime.min.time(), tzinfo=zone)
    span = args.days * 86_400
    buyers = max(args.orders // 4, 1)
    first_buyer = args.resellers + 1
    started = time.perf_counter()
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        people(cursor, resellers=args.resellers, buyers=buyers, now=start)
        copy_model(
            cursor,
            Visit,
            (
                {**row, "id": n}
                for n, row in enumerate(
                    visit_rows(
                        count=args.visits,
                        resellers=args.resellers,
                        days=args.days,
                        products=products,
                        today=today,
                        seed=3,
                    ),
                    start=1,
                )
            ),
        )
        orders = []
        for n in range(1, args.orders + 1):
            paid_at = start + timedelta(seconds=rng.randrange(span))
            product = rng.choice(products)
            orders.append((n, paid_at, product, rng.randint(1, args.resellers), first_buyer + rng.randrange(buyers)))
        address = {
            "recipient_name": "张三",
            "phone": "13800138000",
            "province_code": "44",
            "city_code": "4401",
            "district_code": "440106",
            "region_label": "广东省 广州市 天河区",
            "street": "体育西路 1 号",
        }
        copy_model(
            cursor,
            Order,
            (
                {
                    **address,
                    "id": n,
                    "buyer_id": buyer,
                    "status": "paid",
                    "total_amount": 12_000,
                    "paid_amount": 12_000,
                    "currency": "CNY",
                    "note": "",
                    "created_at": paid_at,
                    "paid_at": paid_at,
                }
                for n, paid_at, _product, _reseller, buyer in orders
            ),
        )
        copy_model(
            cursor,
            FulfilmentGroup,
            ({"id": n, "order_id": n, "supplier_id": suppliers[product][0]} for n, _at, product, _r, _b in orders),
            fixed={"status": "to_ship", "carrier": "", "tracking_number": ""},
        )
        copy_model(
            cursor,
            OrderLine,
            (
                {
                    "id": n,
                    "order_id": n,
                    "fulfilment_id": n,
                    "sku_id": suppliers[product][2],
                    "product_id": product,
                    "category_id": suppliers[product][1],
                    "supplier_id": suppliers[product][0],
                    "title": f"商品{product}",
                    "spec_label": "",
                    "quantity": 1,
                    "unit_price_amount": 12_000,
                    "list_price_amount": 10_000,
                    "cost_amount": 5_000,
                    "line_total_amount": 12_000,
                    "paid_amount": 12_000,
                    "attributed_reseller_id": reseller,
                }
                for n, _at, product, reseller, _buyer in orders
            ),
        )
        copy_model(
            cursor,
            Commission,
            (
                {
                    "id": n,
                    "order_line_id": n,
                    "order_id": n,
                    "beneficiary_id": reseller,
                    "kind": "tier",
                    "tier": 1,
                    "rate_bps": 3000,
                    "base_amount": 7_000,
                    "amount": 2_100,
                    **(
                        {"state": "frozen", "matures_at": paid_at + timedelta(days=15)}
                        if paid_at > start + timedelta(days=args.days - 15)
                        else {
                            "state": "settled",
                            "matures_at": paid_at + timedelta(days=15),
                            "settled_at": paid_at + timedelta(days=15),
                        }
                    ),
                    "created_at": paid_at,
                }
                for n, paid_at, _product, reseller, _buyer in orders
            ),
        )
        cursor.execute("ANALYZE")
    print(
        f"\nhistory: {args.visits:,} visits, {args.orders:,} paid orders over {args.days} days among "
        f"{args.resellers:,} resellers, loaded in {time.perf_counter() - started:.0f} s"
    )


def pages(args, today) -> None:
    from django.db import connection
    from django.test import Client

    from accounts.models import User
    from growth.models import DailyStat
    from growth.stats import stats_recompute

    if not args.pages_only:
        started = time.perf_counter()
        rows = stats_recompute(first=today - timedelta(days=args.days - 1), last=today)
        print(f"roll-ups recomputed from the raw records: {rows:,} rows in {time.perf_counter() - started:.1f} s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # the fresh roll-ups' statistics, as autovacuum would gather them
    busiest = DailyStat.objects.values_list("reseller_id", flat=True).order_by("-sales_amount").first()

    staff = User.objects.filter(phone="13900000000").first() or User.objects.create_user(
        phone="13900000000", password=None, role="operator", is_staff=True, is_superuser=True
    )
    reseller_client, staff_client = Client(), Client()
    reseller_client.force_login(User.objects.get(pk=busiest))
    staff_client.force_login(staff)

    with connection.cursor() as cursor:

        def lookup(index):
            cursor.execute("SELECT id, phone FROM accounts_user WHERE id = %s", [1 + index % args.resellers])
            cursor.fetchone()

        baseline = median_ms(lookup, args.repeat * 20, indexed=True)

    def page(client, path):
        def get():
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        queries = []  # counted by a wrapper: the request's start resets Django's own query log

        def count(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            get()
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            profile = cProfile.Profile()
            profile.runcall(get)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
        return median_ms(get, args.repeat), len(queries)

    print(
        f"\npages on that history (median of {args.repeat}), beside a primary-key lookup (raw SQL): {baseline:.3f} ms"
    )
    first_30 = (today - timedelta(days=29)).isoformat()
    first_90 = (today - timedelta(days=args.days - 1)).isoformat()
    # a period the ranking does not hold (not the last 7, 30 or 90 days): active and top resellers read the
    # daily totals, resellers × days
    other_first, other_last = today - timedelta(days=args.days - 1), today - timedelta(days=1)
    for label, client, path in (
        ("reseller's numbers, 90 days", reseller_client, "/my-shop/numbers/?days=90"),
        ("reseller's numbers, 7 days", reseller_client, "/my-shop/numbers/?days=7"),
        ("operators' dashboard, 30 days", staff_client, f"/ops/?first={first_30}&last={today}"),
        (f"operators' dashboard, {args.days} days", staff_client, f"/ops/?first={first_90}&last={today}"),
        (
            f"dashboard, {args.days - 1} days to yesterday",
            staff_client,
            f"/ops/?first={other_first}&last={other_last}",
        ),
    ):
        ms, queries = page(client, path)
        print(f"  {label:<32} {ms:9.1f} ms  ({queries} queries)   ×{ms / baseline:,.0f} the lookup")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ingest", type=int, default=1_000_000, help="views pushed and drained (default 1,000,000)")
    parser.add_argument("--visits", type=int, default=10_000_000, help="visits in the history (default 10,000,000)")
    parser.add_argument("--orders", type=int, default=1_000_000, help="paid orders in the history (default 1,000,000)")
    parser.add_argument("--resellers", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="leave the database for psql")
    parser.add_argument(
        "--pages-only", action="store_true", help="time the pages again on the database a run with --keep left"
    )
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if not args.pages_only:
        scratch_database_create(url)
    bench_environment(
        url,
        REDIS_URL=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS),
        CELERY_KEY_PREFIX="bench-analytics:",
        ALLOWED_HOSTS="testserver,localhost",
    )
    try:
        bench_django_ready()
        from django.utils import timezone

        from catalog.models import Category
        from catalog.services import supplier_create

        today = timezone.localdate()
        if args.pages_only:
            pages(args, today)
            return
        category = Category.objects.create(name="基准", slug="bench-analytics")
        makers = [supplier_create(name=f"基准供应商{n}") for n in range(5)]
        catalogue = {}
        for n in range(50):
            product = bench_product(
                supplier=makers[n % 5], category=category, title=f"基准商品 {n}", code=f"A{n}", stock=10, skus=1
            )
            catalogue[product.pk] = (product.supplier_id, category.pk, product.skus.get().pk)
        history(args, list(catalogue), catalogue, today)
        ingest(args, args.resellers, list(catalogue))
        pages(args, today)
    finally:
        if not args.keep and not args.pages_only:
            scratch_database_drop(url)


if __name__ == "__main__":
    main()
