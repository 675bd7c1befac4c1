import pytest
import redis
from django.conf import settings

from growth import visits


@pytest.fixture
def visit_buffer():
    """The run's Redis, with this test's visit buffer empty before and after."""
    client = redis.Redis.from_url(settings.REDIS_URL)

    def clear():
        for key in client.scan_iter(match=visits._key("*")):
            client.delete(key)

    clear()
    yield client
    clear()
