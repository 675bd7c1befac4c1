"""Placing orders through the REST API, under load: gunicorn against
PostgreSQL, concurrent clients, beside a baseline in the same run.

    .venv/bin/python bench/orders.py            # about a minute on 2 cores

Builds a world in a scratch database (``BENCH_DATABASE_URL``, default
postgres://postgres@127.0.0.1:5432/socialshop_bench_orders): a catalogue of
products from several suppliers, a chain of resellers, a shop that picked
the catalogue (some SKUs at the shop's own price), and buyers, each with an
API token and bound to a reseller. Starts gunicorn on that database with
the bench-only baseline endpoint switched on (``BENCH_ENDPOINTS``), then
runs, from concurrent client processes, alternating rounds of:

- **baseline**: ``POST /api/v1/bench/baseline/`` — a minimal authenticated
  DRF endpoint on the same server that inserts one row;
- **orders**: ``POST /api/v1/orders/`` with an ``Idempotency-Key`` — two
  lines (one in the shop, one outside any shop, so the binding is read),
  the stock reserved, priced, attributed, written.

Prints requests/s and p50/p95/p99 latency of each, the ratio, and the SQL
statements one order costs (counted in process through the same view).
Then checks the orders are all there and the stock adds up.
"""

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
import uuid
from http.client import HTTPConnection

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, ROOT)

from scratch import (  # noqa: E402
    ADDRESS,
    bench_django_ready,
    bench_environment,
    bench_finish,
    bench_shop_chain,
    gunicorn_start,
    scratch_database_create,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/socialshop_bench_orders"
STOCK = 1_000_000
AIM_ORDERS_PER_SECOND = 250  # DESIGN §6: at least 10 × django-oscar's 25 orders/s on these 2-core machines
AIM_STATEMENTS = 15


# --- the world -------------------------------------------------------------------------


def world_build(*, products: int, buyers: int, depth: int) -> dict:
    """Through the project's own services, like seed_demo."""
    from django.db import connection

    from accounts.services import api_token_create, user_create
    from distribution.choices import BindingSource
    from distribution.services import binding_touch

    top, shop, skus = bench_shop_chain(products=products, suppliers=4, depth=depth, stock=STOCK, label="基准", code="B")
    tokens = []
    for n in range(buyers):
        buyer = user_create(phone=str(13_600_000_000 + n), password=None)
        binding_touch(customer=buyer, reseller=top, source=BindingSource.LINK)
        tokens.append(api_token_create(user=buyer, name="bench")[1])
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_baseline (id bigserial PRIMARY KEY, user_id bigint, created_at timestamptz)")
    return {"shop": shop.slug, "sku_ids": [sku.pk for sku in skus], "tokens": tokens}


def statements_per_order(world: dict) -> tuple[int, int]:
    """Two orders through the same view, in process, with the SQL counted:
    the first on a fresh connection (placing prepares its statements), the
    second as a server's persistent connection places every later one."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    counts = []
    for n in range(2):
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                "/api/v1/orders/",
                data=json.dumps(order_body(world, n)),
                content_type="application/json",
                headers={"Authorization": f"Bearer {world['tokens'][0]}", "Idempotency-Key": str(uuid.uuid4())},
            )
        assert response.status_code == 201, response.content
        counts.append(len(queries))
    return counts[0], counts[1]


def order_body(world: dict, n: int) -> dict:
    sku_ids = world["sku_ids"]
    return {
        "lines": [
            {"sku_id": sku_ids[(n * 2) % len(sku_ids)], "quantity": 1, "shop": world["shop"]},
            {"sku_id": sku_ids[(n * 2 + 1) % len(sku_ids)], "quantity": 1},
        ],
        "shipping_address": ADDRESS,
    }


# --- the load ---------------------------------------------------------------------------


def client_run(args) -> tuple[list[float], int]:
    """One client process: ``count`` requests one after another."""
    port, kind, token, world, count, offset = args
    latencies, failures = [], 0
    for n in range(count):
        if kind == "orders":
            path, body = "/api/v1/orders/", json.dumps(order_body(world, offset + n))
            headers = {"Idempotency-Key": str(uuid.uuid4())}
        else:
            path, body, headers = "/api/v1/bench/baseline/", "{}", {}
        headers.update({"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        started = time.perf_counter()
        connection = HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("POST", path, body=body.encode(), headers=headers)
        response = connection.getresponse()
        response.read()
        connection.close()
        latencies.append((time.perf_counter() - started) * 1000)
        if response.status != 201:
            failures += 1
    return latencies, failures


def phase(pool, port: int, kind: str, world: dict, clients: int, per_client: int) -> dict:
    jobs = [
        (port, kind, world["tokens"][index % len(world["tokens"])], world, per_client, index * per_client)
        for index in range(clients)
    ]
    started = time.perf_counter()
    results = pool.map(client_run, jobs)
    elapsed = time.perf_counter() - started
    latencies = sorted(latency for result in results for latency in result[0])
    failures = sum(result[1] for result in results)
    return {"count": len(latencies), "failures": failures, "seconds": elapsed, "latencies": latencies}


def percentile(values: list[float], share: float) -> float:
    return values[min(len(values) - 1, int(round(share * (len(values) - 1))))]


def report(name: str, runs: list[dict]) -> float:
    latencies = sorted(latency for run in runs for latency in run["latencies"])
    count = sum(run["count"] for run in runs)
    seconds = sum(run["seconds"] for run in runs)
    failures = sum(run["failures"] for run in runs)
    rate = count / seconds
    print(
        f"  {name:<46} {rate:8.1f} req/s   p50 {statistics.median(latencies):6.1f} ms   "
        f"p95 {percentile(latencies, 0.95):6.1f} ms   p99 {percentile(latencies, 0.99):6.1f} ms   "
        f"({count} requests, {failures} failed)"
    )
    return rate


def server_start(url: str, port: int, workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "socialshop.settings.base",
        "DEBUG": "false",
        "BENCH_ENDPOINTS": "true",
        "CONN_MAX_AGE": "60",
        "CELERY_BROKER_URL": "memory://",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "LOG_LEVEL": "WARNING",
        "THROTTLE_RATE_USER": "1000000/min",
        "THROTTLE_RATE_ORDER_PLACE": "1000000/min",
    }
    return gunicorn_start(port=port, workers=workers, env=env)


def verify(world: dict, expected_orders: int) -> None:
    from django.db.models import Sum

    from catalog.models import Sku
    from orders.models import Order, OrderLine

    orders = Order.objects.count()
    sold = OrderLine.objects.aggregate(total=Sum("quantity"))["total"] or 0
    stock = Sku.objects.filter(pk__in=world["sku_ids"]).aggregate(total=Sum("stock"))["total"]
    assert orders == expected_orders, (orders, expected_orders)
    assert stock + sold == STOCK * len(world["sku_ids"]), "stock does not add up"
    print(f"\ncheck: {orders:,} orders in the database, {sold:,} units sold, stock + sold = initial stock")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=200, help="products in the catalogue (2 SKUs each)")
    parser.add_argument("--depth", type=int, default=20, help="levels of resellers above the shop's owner")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client processes")
    parser.add_argument("--requests", type=int, default=150, help="requests per client per round")
    parser.add_argument("--rounds", type=int, default=2, help="alternating baseline/orders rounds")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--port", type=int, default=8799)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    bench_environment(url, THROTTLE_RATE_ORDER_PLACE="1000000/min")
    scratch_database_create(url)
    server = None
    try:
        bench_django_ready()
        from django.db import connection

        world = world_build(products=args.products, buyers=args.clients, depth=args.depth)
        statements = statements_per_order(world)
        connection.close()
        print(
            f"world: {args.products} products ({len(world['sku_ids'])} SKUs) from 4 suppliers, a shop "
            f"{args.depth + 1} levels down the tree, {args.clients} buyers bound to it\n"
            f"server: gunicorn, {args.workers} sync workers; clients: {args.clients} processes, "
            f"{args.requests} requests each per round, {args.rounds} rounds\n"
        )
        server = server_start(url, args.port, args.workers)
        with multiprocessing.get_context("fork").Pool(args.clients) as pool:
            phase(pool, args.port, "baseline", world, args.clients, 20)  # warm-up: workers import, connect
            phase(pool, args.port, "orders", world, args.clients, 20)
            runs = {"baseline": [], "orders": []}
            for _ in range(args.rounds):
                for kind in ("baseline", "orders"):
                    runs[kind].append(phase(pool, args.port, kind, world, args.clients, args.requests))
        baseline = report("baseline: authenticated DRF POST inserting 1 row", runs["baseline"])
        orders = report("orders: POST /api/v1/orders/ (2 lines, idempotent)", runs["orders"])
        aim = "met" if orders >= AIM_ORDERS_PER_SECOND and statements[0] <= AIM_STATEMENTS else "NOT met"
        print(
            f"\n  orders/s = {orders / baseline:.2f} × baseline; SQL statements per order: {statements[1]} "
            f"({statements[0]} for a connection's first)\n  DESIGN §6 aims at {AIM_ORDERS_PER_SECOND} orders/s on "
            f"these machines (10 × django-oscar's 25) with at most {AIM_STATEMENTS} statements: {aim}"
        )
        placed = 2 + args.clients * 20 + sum(run["count"] - run["failures"] for run in runs["orders"])
        verify(world, placed)
    finally:
        bench_finish(server=server, url=url, keep=args.keep)


if __name__ == "__main__":
    main()
