"""What the benchmarks share: a scratch PostgreSQL database each creates
and drops, the Django environment they run in, a buyer's address, a
product made through the catalogue's services, the median timer, and
gunicorn started on the project for the HTTP benchmarks."""

import os
import signal
import statistics
import subprocess
import sys
import time
from http.client import HTTPConnection
from urllib.parse import urlparse

import psycopg2


def _server(url: str):
    parsed = urlparse(url)
    admin = psycopg2.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        dbname="postgres",
    )
    admin.autocommit = True
    return admin, parsed.path.lstrip("/")


ADDRESS = {
    "recipient_name": "张三",
    "phone": "13800138000",
    "province_code": "44",
    "city_code": "4401",
    "district_code": "440106",
    "street": "体育西路 1 号 2 栋 301",
}


def bench_environment(url: str, **extra: str) -> None:
    """Point Django at the scratch database ``url``: base settings, Celery
    tasks run in process (no broker), quiet logs; ``extra`` adds settings."""
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "socialshop.settings.base"
    os.environ["CELERY_BROKER_URL"] = "memory://"
    # an eager task still stores its result: in process too (the broker's "memory://" is no result backend)
    os.environ["CELERY_RESULT_BACKEND"] = "cache+memory://"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.update(extra)


def bench_django_ready() -> None:
    """Set Django up on the scratch database (after bench_environment and
    scratch_database_create), migrate it, and print the server's version."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        print(cursor.fetchone()[0])


def bench_product(*, supplier, category, title: str, code: str, stock: int, skus: int = 2):
    """A product on sale with ``skus`` SKUs (cost 50, resale 60–200, list
    price 100 yuan), through the catalogue's services."""
    from catalog.choices import ProductStatus
    from catalog.services import SkuInput, product_create, product_set_status

    product = product_create(
        supplier=supplier,
        category=category,
        title=title,
        description="",
        skus=[
            SkuInput(
                code=f"{code}-{k}",
                cost_amount=5_000,
                min_resale_amount=6_000,
                list_price_amount=10_000,
                max_resale_amount=20_000,
                stock=stock,
            )
            for k in range(skus)
        ],
    )
    product_set_status(product=product, status=ProductStatus.ON_SALE)
    return product


def scratch_database_create(url: str) -> None:
    """(Re)create the database ``url`` names, empty."""
    admin, name = _server(url)
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def scratch_database_drop(url: str) -> None:
    admin, name = _server(url)
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def median_ms(function, repeat: int, *, indexed: bool = False) -> float:
    """Median wall time in ms of ``repeat`` calls, after one warm-up call;
    with ``indexed`` the function gets the run's number (0 is the warm-up)."""

    def call(index):
        return function(index) if indexed else function()

    call(0)
    samples = []
    for index in range(1, repeat + 1):
        started = time.perf_counter()
        call(index)
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def bench_shop_chain(*, products: int, suppliers: int, depth: int, stock: int, label: str, code: str):
    """The world the order benchmarks share, through the project's services:
    ``products`` products (2 SKUs each) from ``suppliers`` suppliers, a chain
    of ``depth`` + 1 resellers whose last one runs a shop that picked one SKU
    of each product pair (a third at its own price). Returns (that reseller,
    its shop, every SKU)."""
    from accounts.services import user_create
    from catalog.models import Category
    from catalog.services import supplier_create
    from distribution.services import reseller_create_root, reseller_join
    from shops.services import shop_open, shop_pick_product

    category = Category.objects.create(name=label, slug=f"bench-{code.lower()}")
    makers = [supplier_create(name=f"{label}供应商{n}") for n in range(suppliers)]
    skus = []
    for n in range(products):
        product = bench_product(
            supplier=makers[n % len(makers)],
            category=category,
            title=f"{label}商品 {n}",
            code=f"{code}{n}",
            stock=stock,
        )
        skus.extend(product.skus.order_by("id"))
    phone = iter(range(13_700_000_000, 13_800_000_000))
    top = reseller_create_root(user=user_create(phone=str(next(phone)), password=None))
    for _ in range(depth):
        top = reseller_join(user=user_create(phone=str(next(phone)), password=None), invite_code=top.invite_code)
    shop = shop_open(owner=top, name=f"{label}小店", slug=f"bench-{code.lower()}-shop")
    for n, pair in enumerate(zip(skus[::2], skus[1::2], strict=True)):
        shop_pick_product(shop=shop, product=pair[0].product, prices={pair[0].pk: 12_000} if n % 3 == 0 else None)
    return top, shop, skus


def gunicorn_start(*, port: int, workers: int, env: dict) -> subprocess.Popen:
    """gunicorn serving the project on 127.0.0.1:``port`` with ``env``, once
    /healthz answers (60 s at most)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    process = subprocess.Popen(
        [
            os.path.join(os.path.dirname(sys.executable), "gunicorn"),
            "socialshop.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--access-logfile",
            "/dev/null",
        ],
        cwd=root,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def bench_finish(*, server: subprocess.Popen | None, url: str, keep: bool) -> None:
    """What every HTTP benchmark does last, whatever happened: stop its
    gunicorn, and drop its scratch database unless asked to keep it."""
    if server is not None:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    if not keep:
        from django.db import connections

        connections.close_all()
        scratch_database_drop(url)
