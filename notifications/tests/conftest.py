import pytest

from accounts.sms import console

from .world import wechat_fake_start


@pytest.fixture
def wechat_fake(settings):
    """WeChat's message API played locally, the console SMS provider and the
    locmem e-mail backend, each emptied for the test."""
    fake = wechat_fake_start(settings)
    yield fake
    fake.stop()
    console.notices.clear()
