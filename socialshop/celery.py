"""The Celery application: configured from Django settings (``CELERY_*``),
tasks autodiscovered from each installed app's ``tasks.py``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialshop.settings.base")

app = Celery("socialshop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
