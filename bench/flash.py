"""A flash sale's rush through the REST API: gunicorn on PostgreSQL and
Redis, a few thousand buyers tapping 立即抢购 on one SKU for a few hundred
units, beside the plain order rate on a cold SKU in the same run.

    .venv/bin/python bench/flash.py            # about two minutes on 2 cores

Builds a world in a scratch database (``BENCH_DATABASE_URL``, default
postgres://postgres@127.0.0.1:5432/socialshop_bench_flash): a small
catalogue and shop (bench/scratch.py), a hot SKU with a live flash item of
``--units`` units, and ``--buyers`` buyers with API tokens. The gate runs in
``BENCH_REDIS_URL`` (default redis://127.0.0.1:6379/8) under keys of this
run only. Then, from concurrent client processes:

1. **the rush**: every buyer taps once (``POST /api/v1/flash/items/{id}/grab/``):
   attempts/s and p50/p99 of the answer, admitted and refused apart;
2. **orders**: every admitted buyer places its order
   (``POST /api/v1/flash/orders/``): orders/s;
3. **after the sell-out**: every buyer taps again (sold out, or limit
   reached): what the gate's refusal costs;
4. **cold SKU**: bench/orders.py's order (``POST /api/v1/orders/``, two
   lines) on SKUs nobody rushes, from the same clients: the baseline.

Then checks: 0 units oversold (flash orders ≤ flash stock, stock never
below zero, every unit accounted for) and 0 units unsold while someone was
refused as sold out.
"""

import argparse
import importlib.util
import json
import multiprocessing
import os
import statistics
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
    bench_product,
    bench_shop_chain,
    gunicorn_start,
    median_ms,
    scratch_database_create,
)

# bench/orders.py's order load, for the cold SKU (a file beside this one, not the orders app)
_spec = importlib.util.spec_from_file_location("bench_orders", os.path.join(HERE, "orders.py"))
bench_orders = importlib.util.module_from_spec(_spec)
sys.modules["bench_orders"] = bench_orders  # the client processes find its functions by this name
_spec.loader.exec_module(bench_orders)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/socialshop_bench_flash"
DEFAULT_REDIS = "redis://127.0.0.1:6379/8"
COLD_STOCK = 1_000_000


def world_build(*, buyers: int, units: int, extra_stock: int) -> dict:
    from datetime import timedelta

    from django.utils import timezone

    from accounts.services import api_token_create, user_create
    from catalog.models import Category
    from catalog.services import supplier_create
    from flash.models import FlashCampaign, FlashItem

    top, shop, skus = bench_shop_chain(products=20, suppliers=2, depth=2, stock=COLD_STOCK, label="基准", code="F")
    hot = bench_product(
        supplier=supplier_create(name="秒杀供应商"),
        category=Category.objects.create(name="秒杀", slug="bench-flash"),
        title="秒杀爆款",
        code="HOT",
        stock=units + extra_stock,
        skus=1,
    ).skus.get()
    now = timezone.now()
    campaign = FlashCampaign.objects.create(
        title="基准秒杀", starts_at=now - timedelta(minutes=1), ends_at=now + timedelta(hours=1), per_person_limit=1
    )
    item = FlashItem.objects.create(campaign=campaign, sku=hot, flash_price_amount=5_900, planned_stock=units)
    tokens = []
    for n in range(buyers):
        buyer = user_create(phone=str(13_600_000_000 + n), password=None)
        tokens.append(api_token_create(user=buyer, name="bench")[1])
    return {
        "shop": shop.slug,
        "sku_ids": [sku.pk for sku in skus],
        "tokens": tokens,
        "item_id": item.pk,
        "hot_sku_id": hot.pk,
        "hot_stock": units + extra_stock,
    }


def _post(port: int, path: str, token: str, body: dict | None) -> tuple[int, dict, float]:
    started = time.perf_counter()
    connection = HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    connection.request("POST", path, body=json.dumps(body or {}).encode(), headers=headers)
    response = connection.getresponse()
    payload = response.read()
    connection.close()
    elapsed = (time.perf_counter() - started) * 1000
    try:
        answer = json.loads(payload) if payload else {}
    except ValueError:
        answer = {}
    return response.status, answer, elapsed


def taps_run(args) -> list[tuple[int, str, float, str]]:
    """One client process: its buyers tap one after another; (buyer, code, ms, token)."""
    port, item_id, buyers = args
    results = []
    for index, token in buyers:
        status, answer, elapsed = _post(port, f"/api/v1/flash/items/{item_id}/grab/", token, None)
        code = "admitted" if status == 201 else answer.get("code", str(status))
        results.append((index, code, elapsed, answer.get("token", "")))
    return results


def orders_run(args) -> list[tuple[int, float]]:
    port, admissions = args
    results = []
    for token, admission in admissions:
        status, _answer, elapsed = _post(
            port, "/api/v1/flash/orders/", token, {"token": admission, "shipping_address": ADDRESS}
        )
        results.append((status, elapsed))
    return results


def _slices(items: list, parts: int) -> list[list]:
    return [items[part::parts] for part in range(parts)]


def _timed(pool, function, jobs):
    started = time.perf_counter()
    results = [row for rows in pool.map(function, jobs) for row in rows]
    return results, time.perf_counter() - started


def _line(name: str, count: int, seconds: float, latencies: list[float]) -> None:
    latencies = sorted(latencies)
    print(
        f"  {name:<44} {count / seconds:8.1f} /s   p50 {statistics.median(latencies):6.1f} ms   "
        f"p99 {bench_orders.percentile(latencies, 0.99):6.1f} ms   ({count})"
    )


def server_start(url: str, port: int, workers: int, redis_url: str, prefix: str):
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "socialshop.settings.base",
        "DEBUG": "false",
        "CONN_MAX_AGE": "60",
        "CELERY_BROKER_URL": "memory://",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "LOG_LEVEL": "ERROR",  # not a line per 409: thousands of refusals are the point
        # the throttles' counters in Redis, as in production; every simulated buyer comes from 127.0.0.1
        "REDIS_URL": redis_url,
        "FLASH_REDIS_URL": redis_url,
        "FLASH_KEY_PREFIX": prefix,
        "THROTTLE_RATE_USER": "1000000/min",
        "THROTTLE_RATE_ORDER_PLACE": "1000000/min",
        "THROTTLE_RATE_FLASH_GRAB_ADDRESS": "1000000/min",
    }
    return gunicorn_start(port=port, workers=workers, env=env)


def verify(world: dict, refused_sold_out: int, admitted: int, ordered: int) -> None:
    from django.db.models import Sum

    from catalog.models import Sku
    from flash.models import FlashAdmission, FlashItem
    from orders.models import OrderLine

    item = FlashItem.objects.get(pk=world["item_id"])
    hot_stock = Sku.objects.get(pk=world["hot_sku_id"]).stock
    flash_units = (
        OrderLine.objects.filter(sku_id=world["hot_sku_id"], flash_commission_share_bps__isnull=False).aggregate(
            total=Sum("quantity")
        )["total"]
        or 0
    )
    oversold = max(0, flash_units - item.flash_stock)
    unsold_but_refused = (item.flash_stock - item.taken) if refused_sold_out else 0
    print(
        f"\ncheck: flash stock {item.flash_stock}, admitted {admitted} (PostgreSQL: {item.taken}), flash orders "
        f"{flash_units} ({ordered} answered 201), the SKU keeps {hot_stock} of {world['hot_stock']}"
    )
    print(f"       oversold: {oversold}; unsold while someone was refused as sold out: {unsold_but_refused}")
    assert oversold == 0 and hot_stock >= 0
    assert hot_stock + flash_units == world["hot_stock"], "hot SKU's units do not add up"
    assert unsold_but_refused == 0
    assert FlashAdmission.objects.filter(item=item).count() == item.taken == admitted
    assert flash_units == ordered == admitted


def in_process(world: dict) -> None:
    """The server's own time, without HTTP: the gate's sold-out answer (no
    query) beside placing one cold order, medians of the same run."""
    from django.db import connection

    from accounts.services import user_create
    from flash.exceptions import FlashSoldOut
    from flash.services import flash_admit
    from orders.pricing import LineRequest
    from orders.services.addresses import ShippingAddress
    from orders.services.placing import order_place

    late = user_create(phone="13599999999", password=None)

    def refused():
        try:
            flash_admit(item_id=world["item_id"], buyer=late)
        except FlashSoldOut:
            return
        raise AssertionError("the sold-out gate admitted someone")

    def order():
        order_place(buyer=late, lines=[LineRequest(world["sku_ids"][0], 1)], address=ShippingAddress(**ADDRESS))

    gate_ms = median_ms(refused, 500)
    order_ms = median_ms(order, 50)
    connection.close()
    print(
        f"\n  in process (no HTTP): sold-out answer {gate_ms * 1000:.0f} µs (no SQL), placing a cold order "
        f"{order_ms:.1f} ms: the refusal costs {gate_ms / order_ms:.3f} × an order"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--buyers", type=int, default=2000)
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--clients", type=int, default=8, help="concurrent client processes")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--cold-orders", type=int, default=40, help="cold-SKU orders per client")
    parser.add_argument("--port", type=int, default=8798)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS)
    prefix = f"bench-{uuid.uuid4().hex[:8]}:"
    bench_environment(url, FLASH_REDIS_URL=redis_url, FLASH_KEY_PREFIX=prefix)
    scratch_database_create(url)
    server = None
    try:
        bench_django_ready()
        from django.db import connection

        started = time.perf_counter()
        world = world_build(buyers=args.buyers, units=args.units, extra_stock=100)
        connection.close()
        print(
            f"world ({time.perf_counter() - started:.0f} s): {args.buyers} buyers, one SKU with "
            f"{args.units} flash units (+100 regular), 20 cold products\n"
            f"server: gunicorn, {args.workers} sync workers; clients: {args.clients} processes\n"
        )
        server = server_start(url, args.port, args.workers, redis_url, prefix)
        buyers = list(enumerate(world["tokens"]))
        with multiprocessing.get_context("fork").Pool(args.clients) as pool:
            bench_orders.phase(pool, args.port, "orders", world, args.clients, 5)  # warm-up: import, connect
            taps, tap_seconds = _timed(
                pool, taps_run, [(args.port, world["item_id"], part) for part in _slices(buyers, args.clients)]
            )
            admitted = [(world["tokens"][index], token) for index, code, _ms, token in taps if code == "admitted"]
            orders, order_seconds = _timed(
                pool, orders_run, [(args.port, part) for part in _slices(admitted, args.clients)]
            )
            again, again_seconds = _timed(
                pool, taps_run, [(args.port, world["item_id"], part) for part in _slices(buyers, args.clients)]
            )
            cold = bench_orders.phase(pool, args.port, "orders", world, args.clients, args.cold_orders)
        codes: dict[str, int] = {}
        for _index, code, _ms, _token in taps + again:
            codes[code] = codes.get(code, 0) + 1
        print(f"answers: {codes}\n")
        _line("rush: taps (all answers)", len(taps), tap_seconds, [ms for _i, _c, ms, _t in taps])
        _line("  of which admitted", len(admitted), tap_seconds, [ms for _i, c, ms, _t in taps if c == "admitted"])
        refused = [ms for _i, c, ms, _t in taps if c != "admitted"]
        if refused:
            _line("  of which refused (sold out)", len(refused), tap_seconds, refused)
        _line("flash orders of admitted buyers", len(orders), order_seconds, [ms for _s, ms in orders])
        _line("after the sell-out: taps (refused)", len(again), again_seconds, [ms for _i, _c, ms, _t in again])
        cold_rate = bench_orders.report("cold SKU: POST /api/v1/orders/ (bench/orders.py)", [cold])
        sold_out_p50 = statistics.median(ms for _i, _c, ms, _t in again)
        print(
            f"\n  a sold-out answer costs {sold_out_p50:.1f} ms (p50), "
            f"{sold_out_p50 / statistics.median(cold['latencies']):.2f} × a cold order's; "
            f"taps/s = {len(again) / again_seconds / cold_rate:.1f} × cold orders/s"
        )
        in_process(world)
        verify(
            world,
            refused_sold_out=codes.get("flash_sold_out", 0),
            admitted=len(admitted),
            ordered=sum(1 for status, _ms in orders if status == 201),
        )
    finally:
        bench_finish(server=server, url=url, keep=args.keep)


if __name__ == "__main__":
    main()
