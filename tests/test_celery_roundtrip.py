"""A task really travels: the test process publishes to Redis, a worker
process (started here, not assumed) runs it, the result comes back."""

import uuid

import pytest

from socialshop.tasks import ping_task


@pytest.mark.celery_worker
def test_a_task_round_trips_through_redis_and_a_running_worker(celery_worker_process):
    token = uuid.uuid4().hex

    result = ping_task.delay(token)

    assert result.get(timeout=30) == f"pong:{token}"
    assert "socialshop.tasks.ping_task" in celery_worker_process.log()  # the worker ran it, not this process
