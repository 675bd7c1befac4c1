"""Joining groups (拼团) through the REST API, under load, beside placing
orders in the same run: gunicorn against PostgreSQL, concurrent clients.

    .venv/bin/python bench/groups.py            # a few minutes on 2 cores

Builds bench/orders.py's world in a scratch database (``BENCH_DATABASE_URL``,
default postgres://postgres@127.0.0.1:5432/socialshop_bench_groups), then a
group-buying campaign per product with ``--groups`` open groups each (every
group opened by its own leader, through ``group_open``). Runs alternating
rounds from concurrent client processes:

- **baseline**: bench/orders.py's one-row authenticated DRF insert;
- **orders**: bench/orders.py's order (``POST /api/v1/orders/``);
- **joins**: ``POST /api/v1/groups/{id}/join/``, each client a different
  buyer, each join in another campaign (a buyer holds one open seat per
  campaign), clients sharing groups so that seats are taken concurrently
  under each group's lock: the seat, the order at the group price, the stock.

Prints requests/s and p50/p95/p99 of each and the ratios, then checks no
group holds more seats than its size and seats = members holding one.
"""

import argparse
import importlib.util
import json
import multiprocessing
import os
import sys
import time
from http.client import HTTPConnection

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, ROOT)

from scratch import ADDRESS, bench_django_ready, bench_environment, bench_finish, scratch_database_create  # noqa: E402

# bench/orders.py's world, load and report (its module name would clash with the orders app)
_spec = importlib.util.spec_from_file_location("bench_orders", os.path.join(HERE, "orders.py"))
bench_orders = importlib.util.module_from_spec(_spec)
sys.modules["bench_orders"] = bench_orders  # its client function is pickled to the pool's processes by name
_spec.loader.exec_module(bench_orders)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/socialshop_bench_groups"
GROUP_SIZE = 50


def campaigns_build(world: dict, groups_per_campaign: int) -> list[list[int]]:
    """One campaign per product (its first SKU at 80.00), each with open
    groups opened by leaders of their own. Returns the group ids per campaign."""
    from datetime import timedelta

    from django.utils import timezone

    from accounts.services import user_create
    from catalog.models import Sku
    from groupbuy.services import campaign_create, group_open
    from orders.services.addresses import ShippingAddress

    operator = user_create(phone="13500000000", password=None)
    now = timezone.now()
    groups = []
    first_skus = Sku.objects.filter(pk__in=world["sku_ids"]).order_by("product_id", "pk").distinct("product_id")
    for n, sku in enumerate(first_skus.select_related("product")):
        campaign = campaign_create(
            by=operator,
            product=sku.product,
            prices={sku.pk: (8_000, None)},
            title=f"基准团{n}",
            group_size=GROUP_SIZE,
            fill_within=timedelta(days=1),
            starts_at=now - timedelta(minutes=1),
            ends_at=now + timedelta(days=2),
        )
        ids = []
        for g in range(groups_per_campaign):
            leader = user_create(phone=str(13_400_000_000 + n * groups_per_campaign + g), password=None)
            member = group_open(
                buyer=leader, campaign_id=campaign.pk, sku_id=sku.pk, quantity=1, address=ShippingAddress(**ADDRESS)
            )
            ids.append(member.group_id)
        groups.append((sku.pk, ids))
    return groups


def join_client(args) -> tuple[list[float], int]:
    """One client (one buyer): joins one group in each of ``count`` campaigns."""
    port, token, groups, count, offset, client_index = args
    latencies, failures = [], 0
    for n in range(count):
        sku_id, group_ids = groups[(offset + n) % len(groups)]
        group_id = group_ids[client_index % len(group_ids)]
        body = json.dumps({"sku_id": sku_id, "quantity": 1, "shipping_address": ADDRESS})
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        started = time.perf_counter()
        connection = HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("POST", f"/api/v1/groups/{group_id}/join/", body=body.encode(), headers=headers)
        response = connection.getresponse()
        response.read()
        connection.close()
        latencies.append((time.perf_counter() - started) * 1000)
        if response.status != 201:
            failures += 1
    return latencies, failures


def join_phase(pool, port: int, world: dict, groups, clients: int, per_client: int, offset: int) -> dict:
    jobs = [(port, world["tokens"][index], groups, per_client, offset, index) for index in range(clients)]
    started = time.perf_counter()
    results = pool.map(join_client, jobs)
    elapsed = time.perf_counter() - started
    latencies = sorted(latency for result in results for latency in result[0])
    return {
        "count": len(latencies),
        "failures": sum(result[1] for result in results),
        "seconds": elapsed,
        "latencies": latencies,
    }


def verify() -> None:
    from django.db.models import Count, F, Q

    from groupbuy.models import Group

    over = Group.objects.filter(seats_taken__gt=F("size")).count()
    mismatched = (
        Group.objects.annotate(holding=Count("members", filter=Q(members__holds_open_seat=True)))
        .exclude(holding=F("seats_taken"))
        .count()
    )
    assert over == 0 and mismatched == 0, (over, mismatched)
    print(f"\ncheck: {Group.objects.count():,} groups, none over its size, seats = members holding one")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=300, help="products, one campaign each")
    parser.add_argument("--groups", type=int, default=4, help="open groups per campaign")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client processes (one buyer each)")
    parser.add_argument("--requests", type=int, default=120, help="requests per client per round")
    parser.add_argument("--rounds", type=int, default=2, help="alternating baseline/orders/joins rounds")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--port", type=int, default=8841)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    warm_up = 20
    if warm_up + args.rounds * args.requests > args.products:
        parser.error("each client joins one group per campaign: products ≥ 20 + rounds × requests")

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    bench_environment(url, THROTTLE_RATE_ORDER_PLACE="1000000/min")
    scratch_database_create(url)
    server = None
    try:
        bench_django_ready()
        from django.db import connection

        world = bench_orders.world_build(products=args.products, buyers=args.clients, depth=5)
        groups = campaigns_build(world, args.groups)
        connection.close()
        print(
            f"world: {args.products} campaigns × {args.groups} open groups of {GROUP_SIZE}; "
            f"server: gunicorn, {args.workers} sync workers; clients: {args.clients} processes (buyers), "
            f"{args.requests} requests each per round, {args.rounds} rounds\n"
        )
        server = bench_orders.server_start(url, args.port, args.workers)
        with multiprocessing.get_context("fork").Pool(args.clients) as pool:
            bench_orders.phase(pool, args.port, "baseline", world, args.clients, warm_up)
            bench_orders.phase(pool, args.port, "orders", world, args.clients, warm_up)
            join_phase(pool, args.port, world, groups, args.clients, warm_up, 0)
            runs = {"baseline": [], "orders": [], "joins": []}
            for round_ in range(args.rounds):
                for kind in ("baseline", "orders"):
                    runs[kind].append(bench_orders.phase(pool, args.port, kind, world, args.clients, args.requests))
                offset = warm_up + round_ * args.requests
                runs["joins"].append(join_phase(pool, args.port, world, groups, args.clients, args.requests, offset))
        baseline = bench_orders.report("baseline: authenticated DRF POST inserting 1 row", runs["baseline"])
        orders = bench_orders.report("orders: POST /api/v1/orders/ (2 lines, idempotent)", runs["orders"])
        joins = bench_orders.report("joins: POST /api/v1/groups/{id}/join/", runs["joins"])
        print(f"\n  joins/s = {joins / orders:.2f} × orders/s, {joins / baseline:.2f} × baseline")
        verify()
    finally:
        bench_finish(server=server, url=url, keep=args.keep)


if __name__ == "__main__":
    main()
