"""Settings modules.

``base`` is the one to use everywhere by default: every value comes from the
environment, and with nothing set it runs on the embedded default (SQLite,
Celery tasks executed in process). ``production`` tightens it for a real
deployment and refuses to start without the secrets it needs. ``test`` is what
pytest uses.
"""
