import pytest
from django.db import connection

from socialshop.celery import app as celery_app

pytestmark = pytest.mark.django_db


def test_healthz_is_ok_when_database_and_broker_answer(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True


@pytest.mark.redis
def test_healthz_checks_the_real_broker_when_tasks_are_not_run_in_process(client, celery_live):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == {"ok": True, "mode": "broker", "transport": "redis"}


@pytest.mark.redis
def test_healthz_answers_503_when_the_broker_is_down(client, celery_live):
    # a port nothing listens on: the broker is really unreachable
    original = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:9/0"
    try:
        response = client.get("/healthz")
    finally:
        celery_app.conf.broker_url = original

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_healthz_answers_503_when_the_database_is_down(client):
    # point the connection at a port nothing listens on, as if the server died
    connection.close()
    original_port = connection.settings_dict["PORT"]
    connection.settings_dict["PORT"] = "9"
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = original_port

    assert response.status_code == 503
    assert response.json()["checks"]["database"]["ok"] is False


def test_healthz_reports_when_beat_last_ran(client):
    from socialshop.tasks import heartbeat_task

    assert client.get("/healthz").json()["beat_last_seen"] is None

    ran_at = heartbeat_task.delay().get()

    assert client.get("/healthz").json()["beat_last_seen"] == ran_at


def test_with_redis_down_health_says_503_and_the_site_still_answers(client, settings, celery_live):
    from rest_framework.test import APIClient

    from accounts.tests.factories import UserFactory

    dead = "redis://127.0.0.1:9/0"  # nothing listens there
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": dead}}
    original_broker = celery_app.conf.broker_url
    celery_app.conf.broker_url = dead
    try:
        health = client.get("/healthz")
        api = APIClient()
        api.force_authenticate(UserFactory())
        me = api.get("/api/v1/me/")  # throttled: its counters are in the cache
        log_in = client.post("/accounts/log-in/", {"username": "13800138000", "password": "x"})
    finally:
        celery_app.conf.broker_url = original_broker

    assert health.status_code == 503 and health.json()["checks"]["broker"]["ok"] is False
    assert me.status_code == 200
    assert log_in.status_code == 200  # the form's error, not a 500
