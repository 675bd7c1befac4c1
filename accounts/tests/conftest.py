import pytest

from accounts.sms import console

from .fakes import FakeTencentSms, FakeWechat, WechatPerson

MP_APP_ID, MP_SECRET = "wx1111111111111111", "mp-secret-0123456789abcdef01234567"
OPEN_APP_ID, OPEN_SECRET = "wx2222222222222222", "open-secret-0123456789abcdef0123456"


@pytest.fixture(autouse=True)
def _console_sms(settings):
    """Codes go to the console provider's outbox, emptied for each test."""
    settings.SMS_PROVIDER = "accounts.sms.console.ConsoleSmsProvider"
    console.outbox.clear()
    yield console.outbox
    console.outbox.clear()


@pytest.fixture
def tencent_sms(settings):
    """Tencent Cloud SMS played by a local fake; the SDK is pointed at it."""
    fake = FakeTencentSms().start()
    settings.SMS_PROVIDER = "accounts.sms.tencent.TencentSmsProvider"
    settings.SMS_TENCENT_SECRET_ID = fake.secret_id
    settings.SMS_TENCENT_SECRET_KEY = fake.secret_key
    settings.SMS_TENCENT_SDK_APP_ID = fake.sdk_app_id
    settings.SMS_TENCENT_SIGN_NAME = "微店分销"
    settings.SMS_TENCENT_TEMPLATE_ID = "2024001"
    settings.SMS_TENCENT_ENDPOINT = fake.host
    settings.SMS_TENCENT_SCHEME = "http"
    yield fake
    fake.stop()


@pytest.fixture
def wechat(settings):
    """WeChat's OAuth endpoints played by a local fake, with an official
    account and a website app configured, and someone holding the phone."""
    fake = FakeWechat(apps={MP_APP_ID: MP_SECRET, OPEN_APP_ID: OPEN_SECRET}).start()
    fake.person = WechatPerson(key="alice", nickname="阿丽")
    settings.WECHAT_MP_APP_ID, settings.WECHAT_MP_APP_SECRET = MP_APP_ID, MP_SECRET
    settings.WECHAT_OPEN_APP_ID, settings.WECHAT_OPEN_APP_SECRET = OPEN_APP_ID, OPEN_SECRET
    settings.WECHAT_AUTHORIZE_URL = f"{fake.url}/connect/oauth2/authorize"
    settings.WECHAT_QRCONNECT_URL = f"{fake.url}/connect/qrconnect"
    settings.WECHAT_API_URL = fake.url
    yield fake
    fake.stop()
