"""The fake gateways as pytest fixtures: each started once per run with keys
made at test time, emptied before each test, and the platform configured
for it exactly as production is (settings, key files, and the environment a
worker process reads)."""

import secrets
from urllib.parse import urlsplit

import pytest

from payments.keys import key_files_forget
from sandbox.fakes.alipay import AlipayCertificates, FakeAlipay
from sandbox.fakes.server import FakeGateway
from sandbox.fakes.wechatpay import FakeWeChatPay

WECHAT = "payments.wechatpay.WeChatPayProvider"
ALIPAY = "payments.alipay.AlipayProvider"
SANDBOX = "sandbox.payments.SandboxPaymentProvider"


def _reset(fake: FakeGateway) -> None:
    fake.trades.clear()
    fake.refunds.clear()
    fake.sent.clear()
    fake.bills.clear()
    fake.notify = True
    fake.deliver = fake._post
    fake.bill_doctor = None
    fake.requests_refused = 0
    fake.transfers.clear()
    fake.payees.clear()
    if hasattr(fake, "certificates"):
        fake.certificates = None  # Alipay in public-key mode unless a test asks for certificates
    if hasattr(fake, "transfer_confirm"):
        fake.transfer_confirm = True
    if hasattr(fake, "refunds_let_go"):
        fake.refunds_let_go()  # a refund API a test made slow answers again


def _configure(settings, monkeypatch, values: dict[str, str]) -> None:
    for name, value in values.items():
        setattr(settings, name, value)
        monkeypatch.setenv(name, value)  # a worker process started by the test reads the same
    key_files_forget()


@pytest.fixture(scope="session")
def wechat_gateway():
    fake = FakeWeChatPay(mchid="1900000109", appid="wx" + secrets.token_hex(8)).start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def alipay_gateway():
    fake = FakeAlipay(app_id="2021" + secrets.token_hex(6)[:12]).start()
    yield fake
    fake.stop()


@pytest.fixture
def wechat(wechat_gateway, settings, monkeypatch, tmp_path):
    """The fake WeChat Pay, and the platform configured for it."""
    fake = wechat_gateway
    _reset(fake)
    fake.refund_delay = None  # refunds succeed when a test says so (fake.refund_settle)
    (tmp_path / "wechat_key.pem").write_text(fake.merchant_key.private_pem)
    (tmp_path / "wechat_apiv3.key").write_text(fake.apiv3_key)
    (tmp_path / "wechat_pub.pem").write_text(fake.platform_key.public_pem)
    _configure(
        settings,
        monkeypatch,
        {
            "WECHATPAY_MCHID": fake.mchid,
            "WECHATPAY_APPID": fake.appid,
            "WECHATPAY_CERT_SERIAL_NO": fake.merchant_serial,
            "WECHATPAY_PRIVATE_KEY_FILE": str(tmp_path / "wechat_key.pem"),
            "WECHATPAY_APIV3_KEY_FILE": str(tmp_path / "wechat_apiv3.key"),
            "WECHATPAY_PUBLIC_KEY_FILE": str(tmp_path / "wechat_pub.pem"),
            "WECHATPAY_PUBLIC_KEY_ID": fake.public_key_id,
            "WECHATPAY_API_BASE": fake.url,
        },
    )
    return fake


@pytest.fixture
def alipay(alipay_gateway, settings, monkeypatch, tmp_path):
    """The fake Alipay gateway, and the platform configured for it."""
    fake = alipay_gateway
    _reset(fake)
    (tmp_path / "alipay_app_key.pem").write_text(fake.app_key.private_pem)
    (tmp_path / "alipay_pub.pem").write_text(fake.alipay_key.public_pem)
    _configure(
        settings,
        monkeypatch,
        {
            "ALIPAY_APP_ID": fake.app_id,
            "ALIPAY_APP_PRIVATE_KEY_FILE": str(tmp_path / "alipay_app_key.pem"),
            "ALIPAY_PUBLIC_KEY_FILE": str(tmp_path / "alipay_pub.pem"),
            "ALIPAY_GATEWAY": f"{fake.url}/gateway.do",
        },
    )
    return fake


def alipay_certificate_files(fake: FakeAlipay, folder) -> dict[str, str]:
    """Certificates issued at test time for the fake's app (a root, the app's, Alipay's: 公钥证书模式),
    written where the platform reads them; the settings that name them."""
    issued = AlipayCertificates.issue(app_id=fake.app_id, app_key=fake.app_key, alipay_key=fake.alipay_key)
    files = {
        "ALIPAY_APP_CERT_FILE": ("appCertPublicKey.crt", issued.app),
        "ALIPAY_CERT_FILE": ("alipayCertPublicKey_RSA2.crt", issued.alipay),
        "ALIPAY_ROOT_CERT_FILE": ("alipayRootCert.crt", issued.root),
    }
    for name, text in files.values():
        (folder / name).write_text(text)
    fake.certificates = issued
    return {setting: str(folder / name) for setting, (name, _) in files.items()}


@pytest.fixture
def alipay_certificate_mode(alipay, settings, monkeypatch, tmp_path):
    """The fake Alipay and the platform in certificate mode: Alipay's public key is no longer configured,
    its certificate stands in its place, and every request must name the certificates."""
    _configure(
        settings,
        monkeypatch,
        {
            **alipay_certificate_files(alipay, tmp_path),
            "ALIPAY_KEY_MODE": "certificate",
            "ALIPAY_PUBLIC_KEY_FILE": "",
        },
    )
    return alipay


@pytest.fixture
def gateways(wechat, alipay, settings, monkeypatch):
    """WeChat Pay and Alipay enabled, the sandbox not."""
    settings.PAYMENT_PROVIDERS = [WECHAT, ALIPAY]
    monkeypatch.setenv("PAYMENT_PROVIDERS", f"{WECHAT},{ALIPAY}")
    return wechat, alipay


def deliver_to(client):
    """Notifications handed to Django's test client (no live server)."""

    def deliver(url: str, body: bytes, headers: dict[str, str]) -> int:
        extra = {key: value for key, value in headers.items() if key != "Content-Type"}
        response = client.generic("POST", urlsplit(url).path, body, content_type=headers["Content-Type"], headers=extra)
        deliver.responses.append(response)
        return response.status_code

    deliver.responses = []
    return deliver


GATEWAY_PAYOUTS = "payments.payouts.GatewayPayoutProvider"


@pytest.fixture
def payout_rails(gateways, alipay_certificate_mode, settings, monkeypatch):
    """Resellers paid out through WeChat Pay's transfers and Alipay's (the fakes; Alipay in certificate mode,
    the only one its transfers accept), bank cards by hand;
    WeChat's transfer notifications go to ``PAYOUT_NOTIFY_BASE_URL`` (Django's test server's name: tests
    without a live server hand them to the test client, ``deliver_to``)."""
    wechat, alipay = gateways
    _configure(
        settings,
        monkeypatch,
        {
            "PAYOUT_PROVIDER": GATEWAY_PAYOUTS,
            "PAYOUT_NOTIFY_BASE_URL": "http://testserver",
            "WECHAT_MP_APP_ID": wechat.appid,  # the openids resellers log in with are the ones WeChat pays
        },
    )
    return wechat, alipay
