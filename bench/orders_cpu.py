"""The CPU an order costs, in process: what a loaded machine moves least.

    .venv/bin/python bench/orders_cpu.py            # about a minute on 2 cores

``bench/orders.py`` measures throughput, which another process on the same
cores moves tenfold. This builds the same world (``bench/orders.py``'s
``world_build``) in a scratch database (``BENCH_DATABASE_URL``, default
postgres://postgres@127.0.0.1:5432/socialshop_bench_orders_cpu) and sends,
through Django's test client on one persistent connection, alternating
rounds of the baseline (``POST /api/v1/bench/baseline/``) and of
``POST /api/v1/orders/`` (two lines, an ``Idempotency-Key``); for each
round it prints the CPU per request of this Python process
(``time.process_time``) and of its PostgreSQL backend (``/proc/<pid>/stat``:
the server must run on this machine). No HTTP, no gunicorn: what one
request costs, not how many fit. Used to choose between psycopg 2 and 3
(docs/decisions.md).
"""

import argparse
import importlib.util
import json
import os
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, ROOT)

from scratch import bench_django_ready, bench_environment, scratch_database_create, scratch_database_drop  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/socialshop_bench_orders_cpu"


def _orders_bench():
    """``bench/orders.py`` as a module (its file name is the orders app's)."""
    spec = importlib.util.spec_from_file_location("bench_orders", os.path.join(HERE, "orders.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _backend_cpu_seconds() -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def measure(*, rounds: int, requests: int, warmup: int) -> None:
    from django.db import connection
    from django.test import Client

    bench = _orders_bench()
    world = bench.world_build(products=200, buyers=8, depth=20)
    print(f"driver: {connection.Database.__name__} {getattr(connection.Database, '__version__', '')}")
    client = Client()
    sent = iter(range(10**9))

    def order():
        n = next(sent)
        response = client.post(
            "/api/v1/orders/",
            data=json.dumps(bench.order_body(world, n)),
            content_type="application/json",
            headers={"Authorization": f"Bearer {world['tokens'][n % 8]}", "Idempotency-Key": str(uuid.uuid4())},
        )
        assert response.status_code == 201, response.content

    def baseline():
        n = next(sent)
        response = client.post(
            "/api/v1/bench/baseline/",
            data="{}",
            content_type="application/json",
            headers={"Authorization": f"Bearer {world['tokens'][n % 8]}"},
        )
        assert response.status_code == 201, response.content

    for _ in range(warmup):
        order()
        baseline()
    for number in range(1, rounds + 1):
        for name, request in (("baseline: authenticated DRF POST inserting 1 row", baseline), ("orders", order)):
            backend, python, wall = _backend_cpu_seconds(), time.process_time(), time.perf_counter()
            for _ in range(requests):
                request()
            backend = (_backend_cpu_seconds() - backend) / requests * 1000
            python = (time.process_time() - python) / requests * 1000
            wall = (time.perf_counter() - wall) / requests * 1000
            print(
                f"  round {number} {name}: Python {python:5.2f} ms + PostgreSQL {backend:5.2f} ms "
                f"= {python + backend:5.2f} ms CPU per request (wall {wall:5.2f} ms)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2, help="alternating baseline/orders rounds")
    parser.add_argument("--requests", type=int, default=300, help="requests per figure")
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    bench_environment(
        url,
        THROTTLE_RATE_ORDER_PLACE="1000000/min",
        THROTTLE_RATE_USER="1000000/min",
        CONN_MAX_AGE="600",
        BENCH_ENDPOINTS="true",
        DEBUG="false",
    )
    scratch_database_create(url)
    try:
        bench_django_ready()
        measure(rounds=args.rounds, requests=args.requests, warmup=args.warmup)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            scratch_database_drop(url)


if __name__ == "__main__":
    main()
