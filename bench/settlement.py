"""Settlement at scale: 100,000 matured commissions settled by the real
sweep (``commissions_settle_matured``: SKIP LOCKED batches, a conditional
update, one ledger transaction keyed by each commission, cached balances
moved in the same transaction), beside a raw SQL ``UPDATE`` of the same rows
in the same run.

    .venv/bin/python bench/settlement.py        # about 2 minutes on 2 cores

The scratch database (``BENCH_DATABASE_URL``, default
postgres://postgres@127.0.0.1:5432/socialshop_bench_settlement) is created
and dropped here. The world: 20,000 resellers loaded with COPY (the tree
benchmark's shape), orders placed through the orders service for the order
lines the commissions belong to, then the commissions written with one
``INSERT … SELECT`` and their accruals posted to the ledger through the
ledger's own batch service, so every frozen balance holds what it should
before the sweep. Afterwards the run checks that every commission settled
exactly once and that the ledger still balances.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

from scratch import (  # noqa: E402
    ADDRESS,
    bench_django_ready,
    bench_environment,
    bench_product,
    scratch_database_create,
    scratch_database_drop,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/socialshop_bench_settlement"


def world_build(*, resellers: int, commissions: int, orders: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone
    from tree import load
    from treeshape import tree_shape_build

    from accounts.services import user_create
    from catalog.models import Category
    from catalog.services import supplier_create
    from commissions.models import Commission
    from commissions.services.accrual import _accrual_postings
    from ledger.services import ledger_post_batch
    from orders.models import OrderLine
    from orders.services.addresses import ShippingAddress
    from orders.services.placing import LineRequest, order_place

    started = time.perf_counter()
    load(tree_shape_build(size=resellers, chain=100, hubs=5), timezone.now())

    product = bench_product(
        supplier=supplier_create(name="结算基准供应商"),
        category=Category.objects.create(name="结算基准", slug="bench-settlement"),
        title="结算基准商品",
        code="S",
        stock=orders,
    )
    skus = list(product.skus.order_by("pk").values_list("pk", flat=True))
    buyer = user_create(phone="13600000001", password=None)
    for _ in range(orders):
        order_place(
            buyer=buyer, lines=[LineRequest(sku_id=sku, quantity=1) for sku in skus], address=ShippingAddress(**ADDRESS)
        )
    line_ids = list(OrderLine.objects.order_by("pk").values_list("pk", flat=True))
    per_line = -(-commissions // len(line_ids))

    # Commission n belongs to line n // per_line and to reseller n mod size:
    # distinct (line, beneficiary) pairs, every reseller earning several times.
    matured_at = timezone.now() - timedelta(days=1)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO commissions_commission
                (order_line_id, order_id, beneficiary_id, kind, tier, rate_bps, base_amount, amount,
                 reversed_amount, clawed_back_amount, state, created_at, matures_at)
            SELECT line.id, line.order_id, 1 + n %% %(resellers)s, 'tier', 1 + n %% 3, 1000, 5000, 100 + n %% 900,
                   0, 0, 'frozen', %(at)s, %(at)s
              FROM generate_series(0, %(count)s - 1) AS n
              JOIN (SELECT id, order_id, row_number() OVER (ORDER BY id) - 1 AS position
                      FROM orders_orderline) AS line ON line.position = n / %(per_line)s
            """,
            {"resellers": resellers, "at": matured_at, "count": commissions, "per_line": per_line},
        )
    rows = list(Commission.objects.order_by("pk").only("pk", "beneficiary_id", "amount", "order_line_id", "tier"))
    for chunk in range(0, len(rows), 5_000):
        with transaction.atomic():
            ledger_post_batch(_accrual_postings(rows[chunk : chunk + 5_000]))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(
        f"world: {resellers:,} resellers, {len(line_ids):,} order lines, {len(rows):,} matured frozen commissions "
        f"with their accruals in the ledger ({time.perf_counter() - started:.0f} s)"
    )


def raw_update_seconds(now) -> tuple[float, int]:
    """The baseline: one UPDATE of the same rows, rolled back, then vacuumed
    so the sweep finds the table as it was."""
    from django.db import connection, transaction

    with transaction.atomic():
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE commissions_commission SET state = 'settled', settled_at = now() "
                "WHERE state = 'frozen' AND matures_at <= %s",
                [now],
            )
            updated = cursor.rowcount
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE commissions_commission")
    return elapsed, updated


def verify(expected: int) -> None:
    from django.db.models import Sum

    from commissions.choices import CommissionState
    from commissions.models import Commission
    from ledger.choices import AccountKind
    from ledger.models import LedgerAccount, LedgerTransaction
    from ledger.selectors import ledger_balance_mismatches, ledger_unbalanced_transactions

    settled = Commission.objects.filter(state=CommissionState.SETTLED).count()
    earned = Commission.objects.aggregate(total=Sum("amount"))["total"]
    balances = dict(
        LedgerAccount.objects.filter(kind__in=[AccountKind.RESELLER_FROZEN, AccountKind.RESELLER_WITHDRAWABLE])
        .values("kind")
        .annotate(total=Sum("balance_amount"))
        .values_list("kind", "total")
    )
    postings = LedgerTransaction.objects.filter(idempotency_key__startswith="commission-settle:").count()
    problems = []
    if settled != expected or postings != expected:
        problems.append(f"{settled:,} settled and {postings:,} settlement postings, expected {expected:,}")
    if balances.get(AccountKind.RESELLER_FROZEN) != 0 or balances.get(AccountKind.RESELLER_WITHDRAWABLE) != earned:
        problems.append(f"balances {balances} after settling {earned:,} fen")
    if ledger_unbalanced_transactions() or ledger_balance_mismatches():
        problems.append("the ledger does not balance")
    if problems:
        sys.exit("check FAILED: " + "; ".join(problems))
    print(
        f"check: {settled:,} commissions settled, one posting each; frozen balances 0, withdrawable "
        f"{earned:,} fen = what was earned; every transaction balances, every cached balance = its entries"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commissions", type=int, default=100_000)
    parser.add_argument("--resellers", type=int, default=20_000)
    parser.add_argument("--orders", type=int, default=500, help="orders of 2 lines the commissions belong to")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the baseline (the sweep runs once)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    bench_environment(url)
    scratch_database_create(url)
    try:
        bench_django_ready()
        from django.utils import timezone

        from commissions.services.settlement import SETTLEMENT_BATCH_SIZE, commissions_settle_matured

        world_build(resellers=args.resellers, commissions=args.commissions, orders=args.orders)
        now = timezone.now()

        runs = [raw_update_seconds(now) for _ in range(args.repeat)]
        baseline = statistics.median(seconds for seconds, _ in runs)
        count = runs[0][1]
        started = time.perf_counter()
        settled = commissions_settle_matured(now=now)
        sweep = time.perf_counter() - started

        print(f"\n  baseline: one raw SQL UPDATE of the {count:,} rows (median of {args.repeat}, rolled back)")
        print(f"      {baseline:8.2f} s   {count / baseline:>10,.0f} rows/s")
        print(
            f"  settlement sweep: {settled:,} commissions in batches of {SETTLEMENT_BATCH_SIZE:,} "
            "(SKIP LOCKED, conditional update, a keyed ledger transaction each, balances moved)"
        )
        print(f"      {sweep:8.2f} s   {settled / sweep:>10,.0f} rows/s")
        print(f"\n  sweep = {sweep / baseline:.1f} × the raw UPDATE's time\n")
        verify(count)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            scratch_database_drop(url)


if __name__ == "__main__":
    main()
