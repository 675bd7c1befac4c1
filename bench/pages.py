"""Time to first byte of the shop page and the product page, beside static
pages in the same run: gunicorn against PostgreSQL, concurrent clients.

    .venv/bin/python bench/pages.py            # about a minute on 2 cores

Builds a world in a scratch database (``BENCH_DATABASE_URL``, default
postgres://postgres@127.0.0.1:5432/socialshop_bench_pages) through the
project's services: a catalogue of products from several suppliers, each
with a picture, and a shop at the end of a short chain of resellers that
picked them (a third at its own price). Collects the static files into a
scratch folder and starts gunicorn (``DEBUG`` off, whitenoise serving them,
as in production), then runs, from concurrent client processes, alternating
rounds of anonymous ``GET``s of:

- **static file**: ``/static/css/site.css`` through whitenoise — the floor;
- **healthz**: ``/healthz`` — a bare Django view that asks the database;
- **shop page**: ``/s/<shop>/`` — the first page of the shop's products;
- **product page**: ``/s/<shop>/p/<id>/`` — a product of several SKUs.

Prints p50/p95/p99 time to first byte (the response's status line and
headers read) of each, each page's ratio to the static file and to healthz,
and the SQL queries each page costs (counted in process through the same
views).
"""

import argparse
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from http.client import HTTPConnection

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, ROOT)

from scratch import (  # noqa: E402
    bench_django_ready,
    bench_environment,
    bench_finish,
    bench_shop_chain,
    gunicorn_start,
    scratch_database_create,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/socialshop_bench_pages"


def world_build(*, products: int) -> dict:
    from catalog.services import product_image_add
    from demo.world import demo_product_image

    _top, shop, skus = bench_shop_chain(
        products=products, suppliers=4, depth=2, stock=1_000, label="页面压测", code="PG"
    )
    for product in {sku.product for sku in skus}:
        product_image_add(product=product, data=demo_product_image(product.title, size=400))
    product_id = shop.picks.order_by("position").values_list("product_id", flat=True).first()
    return {
        "static file": "/static/css/site.css",
        "healthz": "/healthz",
        "shop page": f"/s/{shop.slug}/",
        "product page": f"/s/{shop.slug}/p/{product_id}/",
    }


def queries_per_page(paths: dict) -> dict:
    """SQL queries of each page for an anonymous visitor, in process, after
    a first visit (what a warm server does)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    counts = {}
    for name in ("shop page", "product page"):
        client.get(paths[name])
        with CaptureQueriesContext(connection) as captured:
            assert client.get(paths[name]).status_code == 200
        counts[name] = len(captured)
    return counts


# --- the load ---------------------------------------------------------------------------


def client_run(args) -> tuple[list[float], int]:
    """One client process: ``count`` GETs one after another; the time to
    the first byte of each (status line and headers read)."""
    port, path, count = args
    latencies, failures = [], 0
    for _ in range(count):
        connection = HTTPConnection("127.0.0.1", port, timeout=60)
        started = time.perf_counter()
        connection.request("GET", path, headers={"Accept-Language": "zh-CN"})
        response = connection.getresponse()
        latencies.append((time.perf_counter() - started) * 1000)
        response.read()
        connection.close()
        if response.status != 200:
            failures += 1
    return latencies, failures


def phase(pool, port: int, path: str, clients: int, per_client: int) -> dict:
    results = pool.map(client_run, [(port, path, per_client)] * clients)
    return {
        "latencies": [latency for result in results for latency in result[0]],
        "failures": sum(result[1] for result in results),
    }


def percentile(values: list[float], share: float) -> float:
    return values[min(len(values) - 1, int(round(share * (len(values) - 1))))]


def report(name: str, runs: list[dict], baselines: dict[str, float]) -> float:
    latencies = sorted(latency for run in runs for latency in run["latencies"])
    failures = sum(run["failures"] for run in runs)
    p50 = statistics.median(latencies)
    ratios = "   ".join(f"{p50 / base:5.1f} × {label}" for label, base in baselines.items())
    print(
        f"  {name:<14} TTFB p50 {p50:6.1f} ms   p95 {percentile(latencies, 0.95):6.1f} ms   "
        f"p99 {percentile(latencies, 0.99):6.1f} ms   {ratios}   ({len(latencies)} requests, {failures} failed)"
    )
    return p50


def static_collect() -> str:
    folder = tempfile.mkdtemp(prefix="socialshop-bench-static-")
    env = {**os.environ, "STATIC_ROOT": folder}
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    return folder


def server_start(url: str, port: int, workers: int, static_root: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "socialshop.settings.base",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STATIC_ROOT": static_root,
        "CONN_MAX_AGE": "60",
        "CELERY_BROKER_URL": "memory://",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "LOG_LEVEL": "WARNING",
    }
    return gunicorn_start(port=port, workers=workers, env=env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=120, help="products in the shop (2 SKUs, 1 picture each)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent client processes")
    parser.add_argument("--requests", type=int, default=100, help="requests per client per round")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds over the four paths")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--port", type=int, default=8798)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    media = tempfile.mkdtemp(prefix="socialshop-bench-media-")
    bench_environment(url, MEDIA_ROOT=media)
    scratch_database_create(url)
    server = None
    try:
        bench_django_ready()
        from django.db import connection

        paths = world_build(products=args.products)
        queries = queries_per_page(paths)
        connection.close()
        static_root = static_collect()
        print(
            f"world: a shop of {args.products} products (2 SKUs and a picture each)\n"
            f"server: gunicorn, {args.workers} sync workers, DEBUG off, whitenoise; clients: {args.clients} "
            f"processes, {args.requests} GETs each per path per round, {args.rounds} rounds\n"
        )
        server = server_start(url, args.port, args.workers, static_root)
        runs = {name: [] for name in paths}
        with multiprocessing.get_context("fork").Pool(args.clients) as pool:
            for path in paths.values():  # warm-up: workers import, connect, fill their caches
                phase(pool, args.port, path, args.clients, 10)
            for _ in range(args.rounds):
                for name, path in paths.items():
                    runs[name].append(phase(pool, args.port, path, args.clients, args.requests))
        static = report("static file", runs["static file"], {})
        healthz = report("healthz", runs["healthz"], {"static": static})
        for name in ("shop page", "product page"):
            report(name, runs[name], {"static": static, "healthz": healthz})
        print(
            f"\n  SQL queries per page (anonymous, warm): shop page {queries['shop page']}, "
            f"product page {queries['product page']} (constant whatever the shop's size: "
            f"tests/test_shop_page_queries.py)"
        )
    finally:
        bench_finish(server=server, url=url, keep=args.keep)


if __name__ == "__main__":
    main()
