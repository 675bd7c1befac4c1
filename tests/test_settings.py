"""Settings come from the environment; with nothing set the project runs on
the embedded default, and the production mode passes Django's deploy check."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
from socialshop.celery import app
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "debug": settings.DEBUG,
    "eager": app.conf.task_always_eager,
    "broker": app.conf.broker_url,
    "language": settings.LANGUAGE_CODE,
    "time_zone": settings.TIME_ZONE,
    "user_model": settings.AUTH_USER_MODEL,
}))
"""


KEPT = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV", "PYTHONPATH"}


def _clean_env(**extra) -> dict:
    """A bare environment: none of the project's (or the test run's) settings."""
    env = {key: value for key, value in os.environ.items() if key in KEPT}
    env.update(extra)
    return env


def _run(code_or_args, env) -> subprocess.CompletedProcess:
    args = ["-c", code_or_args] if isinstance(code_or_args, str) else code_or_args
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_with_nothing_set_it_runs_on_sqlite_with_tasks_in_process():
    result = _run(PRINT_SETTINGS, _clean_env(DJANGO_SETTINGS_MODULE="socialshop.settings.base"))

    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["eager"] is True
    assert values["language"] == "zh-hans"
    assert values["time_zone"] == "Asia/Shanghai"
    assert values["user_model"] == "accounts.User"


def test_database_and_broker_come_from_the_environment():
    env = _clean_env(
        DJANGO_SETTINGS_MODULE="socialshop.settings.base",
        DATABASE_URL="postgres://shop:secret@db.internal:5433/shop",
        REDIS_URL="redis://cache.internal:6379/2",
        DEBUG="false",
    )

    values = json.loads(_run(PRINT_SETTINGS, env).stdout)

    assert values["engine"] == "django.db.backends.postgresql"
    assert values["broker"] == "redis://cache.internal:6379/2"
    assert values["eager"] is False
    assert values["debug"] is False


def _production_env(**extra) -> dict:
    return _clean_env(
        DJANGO_SETTINGS_MODULE="socialshop.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="shop.example.com",
        DATABASE_URL="postgres://shop:secret@db:5432/shop",
        REDIS_URL="redis://redis:6379/0",
        **extra,
    )


def test_production_settings_pass_the_deploy_check_with_no_warning():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], _production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = _production_env()
    del env["SECRET_KEY"]

    result = _run(["manage.py", "check"], env)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
