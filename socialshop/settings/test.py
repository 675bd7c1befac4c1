"""What pytest runs with: base, read from the same environment, made fast.

``DATABASE_URL`` picks PostgreSQL (CI, ``make test`` when one answers) or
falls back to SQLite; tests that need PostgreSQL, Redis or Chromium say so
with a marker and are skipped, with a reason, where those are missing (CI
refuses any skip).
"""

import tempfile
import uuid

from .base import *  # noqa: F403
from .base import CELERY_BROKER_TRANSPORT_OPTIONS, REDIS_URL

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = tempfile.mkdtemp(prefix="socialshop-test-media-")
# Business tests run tasks in process; the tests that need a real worker
# (marked ``celery_worker``) switch this off for their duration.
CELERY_TASK_ALWAYS_EAGER = True
# The run's Redis (REDIS_URL, what the ``redis`` marker asks for) is its broker, whatever
# CELERY_BROKER_URL / CELERY_RESULT_BACKEND a developer's shell exports for other work.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
# This run's own keys in Redis, so test runs sharing one Redis never see each
# other's messages; the worker the tests start is given the same prefix.
CELERY_KEY_PREFIX = f"test-{uuid.uuid4().hex[:10]}:"
CELERY_BROKER_TRANSPORT_OPTIONS = {**CELERY_BROKER_TRANSPORT_OPTIONS, "global_keyprefix": CELERY_KEY_PREFIX}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# the flash gate's keys of this run only (object ids repeat from one run's fresh database to the next)
FLASH_KEY_PREFIX = f"flash-{CELERY_KEY_PREFIX}"
LANGUAGE_CODE = "zh-hans"
STATIC_ROOT = tempfile.mkdtemp(prefix="socialshop-test-static-")
# the tests' webhook receivers listen on localhost
WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
# tests choose their failures (settings.PAYOUT_SANDBOX_FAILURE_RATE = 1)
PAYOUT_SANDBOX_FAILURE_RATE = 0.0
# the sandbox gateway's callbacks are posted by the tests themselves (a live
# server's tests turn them back on)
PAYMENT_SANDBOX_SEND_CALLBACKS = False
