"""What the benchmarks share: a scratch PostgreSQL database each creates
and drops, and the median timer."""

import statistics
import time
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
