"""Phone screenshots (390×844) of the main pages, for README and docs.

    .venv/bin/python scripts/screenshots.py          # writes docs/images/*.png

Seeds the demo world (``seed_demo``) into a scratch SQLite database, serves
it with ``manage.py runserver`` and photographs each page in Debian's
headless Chromium (Playwright), logged in as the demo user each page belongs
to (a session made here, so the pictures do not depend on the log-in page).
Nothing of the developer's own database is touched. ``--only shop product``
takes some of them; ``--out`` writes elsewhere.
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CUSTOMER, RESELLER, SUPPLIER, OPERATOR = "13600000001", "13700000001", "13900000001", "13800000000"

# file name → (who is logged in, or None; path, or a function of the database giving it; full page?)
SHOTS = {
    "home": (None, "/", False),
    "shop": (None, "/s/xiaomei/", False),
    "product": (None, lambda: _first_product_path("xiaomei"), False),
    "cart": (CUSTOMER, "/cart/", False),
    "checkout": (CUSTOMER, "/checkout/", False),
    "orders": (CUSTOMER, "/orders/", False),
    "order": (CUSTOMER, lambda: _order_path(CUSTOMER), False),
    "my-shop": (RESELLER, "/my-shop/", False),
    "team": (RESELLER, "/team/", False),
    "money": (RESELLER, "/money/", False),
    "supplier-products": (SUPPLIER, "/supplier/", False),
    "supplier-orders": (SUPPLIER, "/supplier/orders/?status=all", False),
    "ops-money": (OPERATOR, "/ops/money/", False),
    "ops-audit": (OPERATOR, "/ops/audit/", False),
}
# pages to look at (``--only``), not in README
LOOKS = {
    "supplier-product": (SUPPLIER, lambda: _supplier_product_path(SUPPLIER), True),
    "supplier-shipment": (SUPPLIER, lambda: _shipment_path(SUPPLIER), True),
    "supplier-refunds": (SUPPLIER, "/supplier/refunds/", True),
    "supplier-orders-full": (SUPPLIER, "/supplier/orders/?status=all", True),
    "supplier-products-full": (SUPPLIER, "/supplier/", True),
    "ops-money-full": (OPERATOR, "/ops/money/", True),
    "ops-audit-full": (OPERATOR, "/ops/audit/", True),
    "team-full": (RESELLER, "/team/", True),
    "invite": (RESELLER, "/team/invite/", True),
    "binding": (CUSTOMER, "/binding/", True),
    "account": (CUSTOMER, "/accounts/", True),
    "not-found": (None, "/no-such-page/", True),
}


def _first_product_path(slug: str) -> str:
    from shops.models import Shop
    from shops.selectors import shop_picks_visible

    shop = Shop.objects.get(slug=slug)
    return f"/s/{slug}/p/{shop_picks_visible(shop=shop)[0].product_id}/"


def _supplier_product_path(phone: str) -> str:
    from catalog.models import Product

    return f"/supplier/products/{Product.objects.filter(supplier__memberships__user__phone=phone).first().pk}/"


def _shipment_path(phone: str) -> str:
    from orders.models import FulfilmentGroup

    groups = FulfilmentGroup.objects.filter(supplier__memberships__user__phone=phone, order__paid_at__isnull=False)
    group = groups.order_by("pk").first()
    return f"/supplier/orders/{group.pk}/"


def _order_path(phone: str) -> str:
    from orders.models import Order

    order = Order.objects.filter(buyer__phone=phone, paid_at__isnull=False).order_by("created_at").first()
    return f"/orders/{order.pk}/"


def _session(phone: str) -> str:
    from django.conf import settings
    from django.test import Client

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(phone=phone))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(port: int, env: dict) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise RuntimeError("the demo server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", choices=sorted({**SHOTS, **LOOKS}), help="these pictures only")
    parser.add_argument("--out", default=str(ROOT / "docs" / "images"))
    parser.add_argument("--desktop", action="store_true", help="1280×800 instead of a phone (for a look, not for docs)")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="socialshop-screenshots-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{scratch / 'demo.sqlite3'}",
        "MEDIA_ROOT": str(scratch / "media"),
        "DJANGO_SETTINGS_MODULE": "socialshop.settings.base",
        "DEBUG": "true",
        "LOG_LEVEL": "WARNING",
    }
    for name in ("REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):  # the quick start: tasks in process
        env.pop(name, None)
    os.environ.update(env)
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop beside the ORM
    for command in (["migrate", "-v", "0"], ["seed_demo"]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
        )

    import django

    django.setup()
    from django.conf import settings
    from playwright.sync_api import sync_playwright

    from conftest import CHROMIUM_ARGS, chromium_path

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    server = _serve(port, env)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            for name in args.only or SHOTS:
                who, path, full_page = {**SHOTS, **LOOKS}[name]
                if args.desktop:
                    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
                else:
                    context = browser.new_context(
                        viewport={"width": 390, "height": 844},
                        device_scale_factor=2,
                        is_mobile=True,
                        has_touch=True,
                        locale="zh-CN",
                    )
                if who:
                    cookie = {
                        "name": settings.SESSION_COOKIE_NAME,
                        "value": _session(who),
                        "url": f"http://127.0.0.1:{port}",
                    }
                    context.add_cookies([cookie])
                page = context.new_page()
                page.goto(f"http://127.0.0.1:{port}{path() if callable(path) else path}", wait_until="networkidle")
                page.screenshot(path=str(out / f"{name}.png"), full_page=full_page)
                context.close()
                print(f"{out / name}.png")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
