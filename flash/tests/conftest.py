import uuid

import pytest


@pytest.fixture(autouse=True)
def _own_gate_keys(settings):
    """Each test its own gate keys (object ids repeat between tests)."""
    settings.FLASH_KEY_PREFIX = f"{settings.FLASH_KEY_PREFIX}{uuid.uuid4().hex[:8]}:"


@pytest.fixture(autouse=True)
def _celery_knows_it_is_not_inside_a_task():
    """Eager tasks run by threads can leave Celery's process-wide "inside a
    task" flag set (see orders/tests/test_concurrency.py): put it back."""
    from celery._state import _set_task_join_will_block

    yield
    _set_task_join_will_block(False)
