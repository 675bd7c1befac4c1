"""docker-compose.yml speaks the project's settings language: every variable
it gives the app containers is one the settings read, and the ones
production cannot start without are there. (CI also validates the file
against the Compose specification with check-jsonschema.)"""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ["migrate", "web", "worker", "webhook-worker", "beat"]
REQUIRED_IN_PRODUCTION = {"DJANGO_SETTINGS_MODULE", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL"}
# read by tools other than our settings modules
READ_ELSEWHERE = {"DJANGO_SETTINGS_MODULE", "WEB_CONCURRENCY"}


def _settings_names() -> set[str]:
    """Every name the settings modules read with env(...), env.bool(...) …"""
    names = set()
    for module in (ROOT / "socialshop" / "settings").glob("*.py"):
        names |= set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]*)"', module.read_text()))
    return names


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_the_settings_read_the_names_this_test_looks_for():
    names = _settings_names()

    assert {"DATABASE_URL", "SECRET_KEY", "REDIS_URL", "CELERY_BROKER_URL", "ALLOWED_HOSTS", "DEBUG"} <= names


def test_app_containers_only_set_names_the_settings_read():
    known = _settings_names() | READ_ELSEWHERE

    for service in APP_SERVICES:
        environment = _compose()["services"][service]["environment"]
        unknown = set(environment) - known
        assert unknown == set(), f"{service} sets {unknown}, which no setting reads"


def test_app_containers_have_what_production_needs():
    for service in APP_SERVICES:
        environment = _compose()["services"][service]["environment"]
        assert REQUIRED_IN_PRODUCTION <= set(environment), service
        assert environment["DJANGO_SETTINGS_MODULE"] == "socialshop.settings.production"


def test_the_production_shape_is_complete():
    compose = _compose()
    services = compose["services"]

    assert {"web", "worker", "beat", "postgres", "redis"} <= set(services)
    for name in ("web", "worker", "postgres", "redis"):
        assert "healthcheck" in services[name], name
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    assert "gunicorn" in services["web"]["command"]


def test_every_setting_is_documented():
    documented = (ROOT / "docs" / "configuration.md").read_text()

    missing = {name for name in _settings_names() if f"`{name}`" not in documented}

    assert missing == set()
