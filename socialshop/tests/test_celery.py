"""Celery is configured from the settings alone: the broker and result
backend environment variables, which Celery would otherwise prefer to its
configuration, are read once, by the settings."""

from django.conf import settings

from socialshop.celery import app as celery_app


def test_the_broker_is_the_settings_one_whatever_the_environment_says(monkeypatch):
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:6390/0")
    monkeypatch.setenv("CELERY_RESULT_BACKEND", "redis://127.0.0.1:6390/1")

    assert celery_app.conf.broker_url == settings.CELERY_BROKER_URL
    assert celery_app.conf.result_backend == settings.CELERY_RESULT_BACKEND


def test_a_broker_set_at_run_time_is_the_one_used(monkeypatch):
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:6390/0")
    original = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:9/0"
    try:
        assert celery_app.conf.broker_url == "redis://127.0.0.1:9/0"
        connection = celery_app.connection_for_write()
        assert (connection.hostname, connection.port) == ("127.0.0.1", 9)
    finally:
        celery_app.conf.broker_url = original
