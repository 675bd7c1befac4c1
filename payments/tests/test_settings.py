"""Production refuses a gateway half-configured, and passes Django's deploy
check with both gateways configured whole (key files present)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox.fakes.alipay import AlipayCertificates
from sandbox.fakes.server import KeyPair

ROOT = Path(__file__).resolve().parents[2]
KEPT = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV", "PYTHONPATH"}


@pytest.fixture(scope="module")
def key_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("keys")
    merchant, platform, app, alipay = (KeyPair.generate() for _ in range(4))
    files = {
        "WECHATPAY_PRIVATE_KEY_FILE": merchant.private_pem,
        "WECHATPAY_APIV3_KEY_FILE": "0123456789abcdef0123456789abcdef",
        "WECHATPAY_PUBLIC_KEY_FILE": platform.public_pem,
        "ALIPAY_APP_PRIVATE_KEY_FILE": app.private_pem,
        "ALIPAY_PUBLIC_KEY_FILE": alipay.public_pem,
    }
    for name, text in files.items():
        (folder / name.lower()).write_text(text)
    return {name: str(folder / name.lower()) for name in files}


def _both(key_files) -> dict[str, str]:
    return {
        "PAYMENT_PROVIDERS": "payments.wechatpay.WeChatPayProvider,payments.alipay.AlipayProvider",
        "WECHATPAY_MCHID": "1900000109",
        "WECHATPAY_APPID": "wxd678efh567hg6787",
        "WECHATPAY_CERT_SERIAL_NO": "444F4864EA9B34415",
        "WECHATPAY_PUBLIC_KEY_ID": "PUB_KEY_ID_0114232134912410000000000000",
        "ALIPAY_APP_ID": "2021000000000001",
        **key_files,
    }


def _check(**extra) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key in KEPT}
    env.update(
        DJANGO_SETTINGS_MODULE="socialshop.settings.production",
        SECRET_KEY="x" * 60 + "production-secret-key-for-the-deploy-check",
        ALLOWED_HOSTS="shop.example.com",
        DATABASE_URL="postgres://shop:secret@db:5432/shop",
        REDIS_URL="redis://redis:6379/0",
        SMS_CONSOLE_IN_PRODUCTION="true",  # the SMS provider is another check's (tests/test_settings.py)
        **extra,
    )
    command = [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_the_deploy_check_passes_with_both_gateways_configured(key_files):
    result = _check(**_both(key_files))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "unset",
    ["WECHATPAY_APIV3_KEY_FILE", "WECHATPAY_PUBLIC_KEY_ID", "ALIPAY_PUBLIC_KEY_FILE", "ALIPAY_APP_ID"],
)
def test_production_refuses_an_enabled_gateway_half_configured(key_files, unset):
    values = _both(key_files)
    del values[unset]

    result = _check(**values)

    assert result.returncode != 0
    assert "half-configured" in result.stderr and unset in result.stderr


def test_production_refuses_a_key_file_that_is_not_there(key_files):
    result = _check(**{**_both(key_files), "ALIPAY_PUBLIC_KEY_FILE": "/run/secrets/nowhere.pem"})

    assert result.returncode != 0
    assert "no such file: ALIPAY_PUBLIC_KEY_FILE" in result.stderr


def test_production_refuses_a_gateway_configured_in_part_but_not_enabled(key_files):
    result = _check(PAYMENT_PROVIDERS="payments.alipay.AlipayProvider", WECHATPAY_MCHID="1900000109", **{
        name: value for name, value in _both(key_files).items() if name.startswith("ALIPAY")
    })  # fmt: skip

    assert result.returncode != 0
    assert "WeChatPayProvider is half-configured" in result.stderr


def test_no_key_is_ever_printed(key_files):
    values = _both(key_files)
    del values["WECHATPAY_MCHID"]

    result = _check(**values)

    assert "PRIVATE KEY" not in result.stderr and "0123456789abcdef" not in result.stderr


def _payouts(key_files) -> dict[str, str]:
    return {
        **_both(key_files),
        "PAYOUT_PROVIDER": "payments.payouts.GatewayPayoutProvider",
        "PAYOUT_NOTIFY_BASE_URL": "https://shop.example.com",
        "WECHAT_MP_APP_ID": "wxd678efh567hg6787",
        "WECHAT_MP_APP_SECRET": "mp-secret",
    }


def test_the_deploy_check_passes_with_payouts_through_both_gateways(key_files):
    result = _check(**_payouts(key_files))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "change, named",
    [
        ({"PAYOUT_NOTIFY_BASE_URL": ""}, "PAYOUT_NOTIFY_BASE_URL"),
        ({"PAYOUT_NOTIFY_BASE_URL": "http://shop.example.com"}, "PAYOUT_NOTIFY_BASE_URL"),
        ({"WECHAT_MP_APP_ID": "wx0000000000000000"}, "WECHAT_MP_APP_ID"),
        ({"WECHATPAY_TRANSFER_SCENE_ID": ""}, "WECHATPAY_TRANSFER_SCENE_ID"),
        ({"PAYMENT_PROVIDERS": "payments.alipay.AlipayProvider", "WECHATPAY_PUBLIC_KEY_ID": ""}, "WECHATPAY"),
        ({"ALIPAY_PUBLIC_KEY_FILE": "/no/such/file"}, "ALIPAY_PUBLIC_KEY_FILE"),
    ],
    ids=[
        "no notify URL",
        "a notify URL not https",
        "openids of another app",
        "no transfer scene",
        "wechat half-configured",
        "alipay's key missing",
    ],  # fmt: skip
)
def test_production_refuses_payouts_half_configured(key_files, change, named):
    result = _check(**{**_payouts(key_files), **change})

    assert result.returncode != 0
    assert "half-configured" in result.stderr and named in result.stderr


def test_production_refuses_gateway_payouts_with_no_gateway(key_files):
    result = _check(PAYOUT_PROVIDER="payments.payouts.GatewayPayoutProvider", PAYMENT_SANDBOX_IN_PRODUCTION="true")

    assert result.returncode != 0
    assert "PAYOUT_PROVIDER" in result.stderr


@pytest.fixture(scope="module")
def certificate_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("certificates")
    issued = AlipayCertificates.issue(
        app_id="2021000000000001", app_key=KeyPair.generate(), alipay_key=KeyPair.generate()
    )
    files = {
        "ALIPAY_APP_CERT_FILE": issued.app,
        "ALIPAY_CERT_FILE": issued.alipay,
        "ALIPAY_ROOT_CERT_FILE": issued.root,
    }
    for name, text in files.items():
        (folder / name.lower()).write_text(text)
    return {name: str(folder / name.lower()) for name in files}


def _certificate_mode(key_files, certificate_files) -> dict[str, str]:
    values = {**_payouts(key_files), **certificate_files, "ALIPAY_KEY_MODE": "certificate"}
    del values["ALIPAY_PUBLIC_KEY_FILE"]  # the certificate stands in its place
    return values


def test_the_deploy_check_passes_with_alipay_in_certificate_mode(key_files, certificate_files):
    result = _check(**_certificate_mode(key_files, certificate_files))

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("certificate", ["ALIPAY_APP_CERT_FILE", "ALIPAY_CERT_FILE", "ALIPAY_ROOT_CERT_FILE"])
def test_production_refuses_certificate_mode_with_a_certificate_missing(key_files, certificate_files, certificate):
    unset = _certificate_mode(key_files, certificate_files)
    del unset[certificate]
    result = _check(**unset)

    assert result.returncode != 0
    assert "half-configured" in result.stderr and certificate in result.stderr
    assert "BEGIN CERTIFICATE" not in result.stderr

    absent = _check(**{**_certificate_mode(key_files, certificate_files), certificate: "/run/secrets/nowhere.crt"})

    assert absent.returncode != 0
    assert f"no such file: {certificate}" in absent.stderr


def test_an_unknown_key_mode_is_refused(key_files):
    result = _check(**{**_both(key_files), "ALIPAY_KEY_MODE": "certificates"})

    assert result.returncode != 0
    assert "ALIPAY_KEY_MODE" in result.stderr
