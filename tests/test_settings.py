"""Settings come from the environment; with nothing set the project runs on
the embedded default, and the production mode passes Django's deploy check."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

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


@pytest.mark.parametrize(("redis", "broker"), [("redis://cache.internal:6379/2", None), ("", "memory://")])
def test_the_test_settings_take_their_broker_from_redis_url_not_from_the_shell(redis, broker):
    env = _clean_env(
        DJANGO_SETTINGS_MODULE="socialshop.settings.test",
        REDIS_URL=redis,
        CELERY_BROKER_URL="redis://127.0.0.1:6390/0",  # what a developer's shell may export for other work
        CELERY_RESULT_BACKEND="redis://127.0.0.1:6390/1",
    )

    values = json.loads(_run(PRINT_SETTINGS, env).stdout)

    assert values["broker"] == (broker or redis)


def _production_env(**extra) -> dict:
    return _clean_env(
        DJANGO_SETTINGS_MODULE="socialshop.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="shop.example.com",
        DATABASE_URL="postgres://shop:secret@db:5432/shop",
        REDIS_URL="redis://redis:6379/0",
        **{"SMS_CONSOLE_IN_PRODUCTION": "true", **extra},
    )


@pytest.mark.parametrize(
    "payments",
    [{"PAYMENT_SANDBOX_IN_PRODUCTION": "true"}, {"PAYMENT_PROVIDER": "partners.gateway.RealGatewayProvider"}],
    ids=["sandbox on purpose", "another provider"],
)
def test_production_settings_pass_the_deploy_check_with_no_warning(payments):
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], _production_env(**payments))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_with_the_sandbox_payment_provider_unless_told():
    result = _run(["manage.py", "check"], _production_env())

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "PAYMENT_SANDBOX_IN_PRODUCTION" in result.stderr


def test_the_dockerfiles_build_step_can_load_the_production_settings():
    # the image's collectstatic runs with production settings and throwaway values; it must still start
    dockerfile = (ROOT / "Dockerfile").read_text()
    step = re.search(r"RUN (DJANGO_SETTINGS_MODULE=.*?)python manage.py collectstatic", dockerfile, re.S).group(1)
    values = dict(re.findall(r"([A-Z_]+)=(\S+)", step))

    result = _run("import django; django.setup()", _clean_env(**values))

    assert values["DJANGO_SETTINGS_MODULE"] == "socialshop.settings.production"
    assert result.returncode == 0, result.stderr


PRINT_SANDBOX_ROUTES = """
import json, django
django.setup()
from django.urls import Resolver404, resolve

def routed(path):
    try:
        return resolve(path).view_name
    except Resolver404:
        return None

print(json.dumps({"cashier": routed("/sandbox/pay/P123/"), "notify": routed("/payments/gateway/notify/")}))
"""


@pytest.mark.parametrize(
    ("provider", "cashier"),
    [("sandbox.payments.SandboxPaymentProvider", "sandbox:pay"), ("partners.gateway.RealGatewayProvider", None)],
    ids=["sandbox", "another provider"],
)
def test_the_sandbox_cashier_page_is_routed_only_while_the_sandbox_is_the_provider(provider, cashier):
    env = _clean_env(DJANGO_SETTINGS_MODULE="socialshop.settings.base", PAYMENT_PROVIDER=provider)

    result = _run(PRINT_SANDBOX_ROUTES, env)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"cashier": cashier, "notify": "orders:payment_notify"}


PRINT_BENCH_ROUTE = """
import json, django
django.setup()
from django.conf import settings
from django.urls import Resolver404, resolve

try:
    routed = resolve("/api/v1/bench/baseline/").url_name
except Resolver404:
    routed = None
print(json.dumps({"flag": settings.BENCH_ENDPOINTS, "routed": routed}))
"""


@pytest.mark.parametrize(
    ("module", "flag", "expected"),
    [
        ("socialshop.settings.base", None, {"flag": False, "routed": None}),
        ("socialshop.settings.base", "true", {"flag": True, "routed": "bench-baseline"}),
        ("socialshop.settings.production", "true", {"flag": False, "routed": None}),
    ],
    ids=["by default", "the bench's server", "production, even when asked"],
)
def test_the_bench_baseline_is_routed_only_on_the_benchs_server(module, flag, expected):
    production = module.endswith("production")
    env = (
        _production_env(PAYMENT_SANDBOX_IN_PRODUCTION="true")
        if production
        else _clean_env(DJANGO_SETTINGS_MODULE=module)
    )
    if flag is not None:
        env["BENCH_ENDPOINTS"] = flag

    result = _run(PRINT_BENCH_ROUTE, env)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == expected


def test_production_refuses_to_start_without_a_secret_key():
    env = _production_env()
    del env["SECRET_KEY"]

    result = _run(["manage.py", "check"], env)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_with_the_console_sms_provider_unless_told():
    result = _run(
        ["manage.py", "check"], _production_env(PAYMENT_SANDBOX_IN_PRODUCTION="true", SMS_CONSOLE_IN_PRODUCTION="")
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "SMS_CONSOLE_IN_PRODUCTION" in result.stderr


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (
            {"SMS_PROVIDER": "accounts.sms.tencent.TencentSmsProvider", "SMS_TENCENT_SECRET_ID": "AKID123"},
            "SMS_TENCENT_SECRET_KEY",
        ),
        (
            {"SMS_PROVIDER": "accounts.sms.aliyun.AliyunSmsProvider", "SMS_ALIYUN_ACCESS_KEY_ID": "LTAI5t123"},
            "SMS_ALIYUN_ACCESS_KEY_SECRET",
        ),
        ({"WECHAT_MP_APP_ID": "wx0123456789abcdef"}, "WECHAT_MP_APP_SECRET"),
        ({"WECHAT_OPEN_APP_SECRET": "s3cret"}, "WECHAT_OPEN_APP_ID"),
    ],
    ids=[
        "tencent sms without its key",
        "aliyun sms without its secret",
        "official account without its secret",
        "website app without its id",
    ],
)
def test_production_refuses_a_provider_configured_by_half(extra, named):
    result = _run(["manage.py", "check"], _production_env(PAYMENT_SANDBOX_IN_PRODUCTION="true", **extra))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and named in result.stderr
