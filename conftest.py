"""Test-run wiring shared by every app's tests.

Markers say what a test needs beyond Python: ``postgres``, ``redis``,
``celery_worker`` (a real worker process, needs Redis) and ``browser``
(headless Chromium). Where a need is missing the test is skipped with the
reason; with ``FORBID_SKIPS=1`` (what ``.ci/run`` sets) any skip fails the run.
"""

import os
import shutil
import socket
from urllib.parse import urlparse

import pytest

FORBID_SKIPS = os.environ.get("FORBID_SKIPS") == "1"

# the fake payment gateways (WeChat Pay, Alipay) as fixtures for any app's tests: payments/tests/fixtures.py
pytest_plugins = ["payments.tests.fixtures"]


@pytest.fixture(scope="session", autouse=True)
def urls_built_with_the_test_settings():
    """Build the site's URL list once, before any test changes a setting.
    It is built once per process, and the sandbox's cashier page is routed
    only while the sandbox is enabled (sandbox/urls.py): built first inside a
    test that enables only the real gateways, it would lack that page for
    every later test, whatever order the tests run in."""
    from django.urls import reverse

    reverse("home")  # builds the whole list


def _redis_url() -> str:
    """The run's Redis: its cache and broker (socialshop/settings/test.py)."""
    return os.environ.get("REDIS_URL") or ""


def _answers(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=1):
            return True
    except OSError:
        return False


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


def _missing(marker: str) -> str | None:
    """Why a test with ``marker`` cannot run here, or None when it can."""
    if marker == "postgres":
        url = os.environ.get("DATABASE_URL", "")
        if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
            return "needs PostgreSQL: set DATABASE_URL=postgres://…"
    elif marker in ("redis", "celery_worker"):
        url = _redis_url()
        if not url.startswith("redis"):
            return "needs Redis: set REDIS_URL=redis://…"
        if not _answers(url, 6379):
            return f"Redis at {url} does not answer"
    elif marker == "browser":
        if chromium_path() is None:
            return "needs Chromium (Debian package 'chromium', or CHROMIUM_PATH)"
        # a page test's live server needs a transactional test, emptied afterwards: SQLite empties with
        # DELETE, which the append-only ledger's triggers refuse (PostgreSQL truncates)
        return _missing("postgres")
    return None


def pytest_collection_modifyitems(config, items):
    for item in items:
        for marker in ("postgres", "redis", "celery_worker", "browser"):
            if item.get_closest_marker(marker):
                reason = _missing(marker)
                if reason:
                    item.add_marker(pytest.mark.skip(reason=reason))


_skipped: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if FORBID_SKIPS and _skipped:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if FORBID_SKIPS and _skipped:
        terminalreporter.write_sep("=", "FORBID_SKIPS=1 and tests were skipped", red=True)
        for nodeid in _skipped:
            terminalreporter.write_line(f"skipped: {nodeid}")


# --- real concurrency ------------------------------------------------------


def run_together(*calls):
    """Run the calls in threads released at the same moment, each with its
    own database connection; return what each returned or raised."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=30)
            outcomes[index] = call()
        except Exception as error:  # noqa: BLE001 - the outcome is what the test checks
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    # Celery's "never join a result inside a task" guard is one process-wide flag that each eager task
    # sets and restores: threads running eager tasks at once can restore it in the wrong order and
    # leave it set, so a later test's result.get() would refuse. Nothing runs now: it is clear.
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)
    return outcomes


# --- a real Celery worker ------------------------------------------------


class RunningWorker:
    def __init__(self, process, log_path, hostname):
        self.process = process
        self.log_path = log_path
        self.hostname = hostname

    def log(self) -> str:
        with open(self.log_path, encoding="utf-8", errors="replace") as handle:
            return handle.read()


def _database_url_for_test_db() -> str:
    """The URL of the database pytest-django created, for another process."""
    from urllib.parse import quote

    from django.db import connection

    db = connection.settings_dict
    if connection.vendor != "postgresql":
        return f"sqlite:///{db['NAME']}"
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def worker_start(tmp_path_factory, name: str = "worker") -> RunningWorker:
    """Start ``celery worker`` as its own process, on this run's Redis key
    prefix and test database, and wait until it answers a ping."""
    import subprocess
    import sys
    import time

    from django.conf import settings

    from socialshop.celery import app

    log_path = tmp_path_factory.mktemp("celery") / f"{name}.log"
    hostname = f"{name}-{os.getpid()}-{time.monotonic_ns()}@localhost"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "socialshop.settings.base",
        "DATABASE_URL": _database_url_for_test_db(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_RESULT_BACKEND": settings.CELERY_RESULT_BACKEND or "",
        "CELERY_KEY_PREFIX": settings.CELERY_KEY_PREFIX,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "WEBHOOKS_ALLOW_PRIVATE_TARGETS": str(settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS).lower(),
    }
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "socialshop",
                "worker",
                "--pool=solo",
                "--queues=celery,webhooks",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "-n",
                hostname,
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=os.path.dirname(os.path.abspath(__file__)),
        )
    worker = RunningWorker(process, log_path, hostname)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"celery worker exited early:\n{worker.log()}")
        if app.control.ping(destination=[hostname], timeout=1.0):
            return worker
    process.kill()
    raise RuntimeError(f"celery worker did not answer within 60 s:\n{worker.log()}")


def worker_stop(worker: RunningWorker) -> None:
    import subprocess

    if worker.process.poll() is None:
        worker.process.terminate()
        try:
            worker.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.process.kill()
            worker.process.wait()


@pytest.fixture
def celery_live(settings):
    """Tasks go through the real broker for this test (not run in process)."""
    from socialshop.celery import app

    app.conf.task_always_eager = False
    settings.CELERY_TASK_ALWAYS_EAGER = False
    yield app
    app.conf.task_always_eager = True


@pytest.fixture
def celery_worker_process(celery_live, tmp_path_factory, django_db_setup):
    """A real worker process for the length of one test; see worker_start.
    Tests that let it touch the database use ``transactional_db``: the worker
    sees only what is committed."""
    worker = worker_start(tmp_path_factory)
    yield worker
    worker_stop(worker)


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    """Each test stores uploads and posters in a folder of its own."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _celery_may_join_results():
    """Each test starts with Celery's "never join a result inside a task" guard clear. It is one
    process-wide flag each eager task sets and restores: threads running eager tasks at once (the
    concurrency tests) can restore it in the wrong order and leave it set, and a later test's
    ``result.get()`` on a real worker's answer would refuse. No task runs between two tests."""
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (throttle counters, heartbeat …)."""
    from django.core.cache import cache

    cache.clear()
    yield


# --- headless Chromium ----------------------------------------------------

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE_VIEWPORT = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium (Debian's) for the run, driven by Playwright."""
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class _TestBrowser:
    """The session's Chromium as one test sees it: what the test opens
    (``new_page``, ``new_context``) is closed when it ends. Every browser test
    shares the one Playwright of the run: a second ``sync_playwright()`` cannot
    start while the session's event loop is running."""

    def __init__(self, browser):
        self._browser = browser
        self._contexts = []

    def new_context(self, **options):
        context = self._browser.new_context(**options)
        self._contexts.append(context)
        return context

    def new_page(self, **options):
        return self.new_context(**options).new_page()

    def close(self):
        for context in self._contexts:
            context.close()


@pytest.fixture
def browser(chromium):
    """For tests that open their own pages and contexts from the session's Chromium."""
    from django.db import connections

    opened = _TestBrowser(chromium)
    yield opened
    opened.close()
    # with Playwright's loop running, Django keeps this thread's database connection apart
    # (asgiref treats the thread as async): close it, or it outlives the test database
    connections.close_all()


@pytest.fixture
def phone_page(chromium):
    """A fresh phone-sized page (its own cookies)."""
    context = chromium.new_context(viewport=PHONE_VIEWPORT, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desktop_page(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot_dir():
    """Screenshots land in artifacts/screenshots/ (git-ignored) for people to look at."""
    from pathlib import Path

    folder = Path(__file__).resolve().parent / "artifacts" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
