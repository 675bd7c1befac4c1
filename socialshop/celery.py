"""The Celery application: configured from Django settings (``CELERY_*``),
tasks autodiscovered from each installed app's ``tasks.py``.

The settings are the one source of that configuration. Celery by itself
prefers the ``CELERY_BROKER_URL`` and ``CELERY_RESULT_BACKEND`` environment
variables to its configuration; the settings read those variables already
(docs/configuration.md), so letting Celery read them again could only
overrule what a settings module decided (the tests' own broker) or a change
made at run time (a test pointing the broker at a dead port)."""

import os

from celery import Celery
from celery.app.utils import Settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialshop.settings.base")


class ConfigurationFromSettings(Settings):
    """Celery's configuration without its environment-variable overrides."""

    @property
    def broker_url(self):
        return self.first("broker_url", "broker_host")

    @property
    def result_backend(self):
        return self.first("result_backend", "CELERY_RESULT_BACKEND")


app = Celery("socialshop")
app.config_from_object("django.conf:settings", namespace="CELERY")
# app.conf is built now and filled in place when first read (Celery keeps the one object, as others may
# hold it); make it read as ConfigurationFromSettings. Its __setattr__ would store "__class__" as a setting.
object.__setattr__(app.conf, "__class__", ConfigurationFromSettings)
app.autodiscover_tasks()
