"""Alibaba Cloud SMS through its official SDK, against a local fake that
checks the signature V3 (ACS3-HMAC-SHA256) as Alibaba Cloud does and
answers its codes."""

import json

import pytest

from accounts.choices import SmsPurpose
from accounts.exceptions import SmsNumberRefused, SmsSendProviderThrottled
from accounts.models import SmsCode
from accounts.services import sms_code_send
from accounts.sms import SmsSendFailed
from accounts.sms.aliyun import AliyunSmsProvider
from sandbox.fakes.aliyun_sms import FakeAliyunSms, acs3_signature


@pytest.fixture
def aliyun_sms(settings):
    fake = FakeAliyunSms().start()
    settings.SMS_PROVIDER = "accounts.sms.aliyun.AliyunSmsProvider"
    settings.SMS_ALIYUN_ACCESS_KEY_ID = fake.access_key_id
    settings.SMS_ALIYUN_ACCESS_KEY_SECRET = fake.access_key_secret
    settings.SMS_ALIYUN_SIGN_NAME = "微店分销"
    settings.SMS_ALIYUN_TEMPLATE_CODE = "SMS_480250001"
    settings.SMS_ALIYUN_ENDPOINT = fake.host
    settings.SMS_ALIYUN_SCHEME = "http"
    yield fake
    fake.stop()


def test_aliyun_sends_the_code_with_the_configured_template_and_signature(aliyun_sms):
    sent = AliyunSmsProvider().code_send(phone="13800138000", code="042917", minutes=5)

    (request,) = aliyun_sms.received  # the fake accepted its signature
    assert request["PhoneNumbers"] == "13800138000"
    assert (request["SignName"], request["TemplateCode"]) == ("微店分销", "SMS_480250001")
    assert json.loads(request["TemplateParam"]) == {"code": "042917"}
    assert sent.provider_reference.endswith("^0")


def test_a_notification_goes_out_with_its_own_template_and_its_named_values(aliyun_sms):
    aliyun_sms.templates["SMS_480250777"] = {"order", "tracking"}  # 您的订单${order}已发货，快递单号${tracking}

    AliyunSmsProvider().template_send(
        phone="13800138000",
        template_id="SMS_480250777",
        params={"order": "20261204-0001", "tracking": "SF1234"},
        text="…",
    )

    (request,) = aliyun_sms.received
    assert request["TemplateCode"] == "SMS_480250777"
    assert json.loads(request["TemplateParam"]) == {"order": "20261204-0001", "tracking": "SF1234"}


def test_a_notification_missing_a_value_its_template_names_is_refused(aliyun_sms):
    aliyun_sms.templates["SMS_480250777"] = {"order", "tracking"}

    with pytest.raises(SmsSendFailed) as failed:
        AliyunSmsProvider().template_send(
            phone="13800138000", template_id="SMS_480250777", params={"order": "x"}, text="…"
        )

    assert failed.value.reason == "isv.TEMPLATE_MISSING_PARAMETERS" and aliyun_sms.received == []


def test_a_wrong_secret_fails_the_signature_check_and_nothing_is_sent(settings, aliyun_sms):
    settings.SMS_ALIYUN_ACCESS_KEY_SECRET = "not-the-secret"

    with pytest.raises(SmsSendFailed) as failed:
        AliyunSmsProvider().code_send(phone="13800138000", code="042917", minutes=5)

    assert failed.value.reason == "SignatureDoesNotMatch"
    assert failed.value.kind == SmsSendFailed.UNAVAILABLE
    assert aliyun_sms.received == []


def test_an_unknown_access_key_is_refused(settings, aliyun_sms):
    settings.SMS_ALIYUN_ACCESS_KEY_ID = "LTAI5tsomeoneelse"

    with pytest.raises(SmsSendFailed) as failed:
        AliyunSmsProvider().code_send(phone="13800138000", code="042917", minutes=5)

    assert failed.value.reason == "InvalidAccessKeyId.NotFound"


def test_an_unapproved_template_is_alibabas_refusal_with_its_code(settings, aliyun_sms):
    settings.SMS_ALIYUN_TEMPLATE_CODE = "SMS_000"

    with pytest.raises(SmsSendFailed) as failed:
        AliyunSmsProvider().code_send(phone="13800138000", code="042917", minutes=5)

    assert (failed.value.reason, failed.value.kind) == ("isv.SMS_TEMPLATE_ILLEGAL", SmsSendFailed.UNAVAILABLE)


def test_an_unreachable_service_is_a_failure_not_a_crash(settings, aliyun_sms):
    aliyun_sms.stop()

    with pytest.raises(SmsSendFailed):
        AliyunSmsProvider().code_send(phone="13800138000", code="042917", minutes=5)


@pytest.mark.django_db
def test_alibabas_own_limit_for_the_number_is_a_429_the_api_client_can_read(client, aliyun_sms):
    aliyun_sms.refusals["13800138000"] = "isv.BUSINESS_LIMIT_CONTROL"

    response = client.post("/api/v1/auth/sms-codes/", {"phone": "13800138000"}, content_type="application/json")

    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    body = response.json()
    assert (body["code"], body["limit"], body["retry_after_seconds"]) == ("sms_send_throttled", "provider", 60)
    assert "验证码过于频繁" in body["message"]
    assert aliyun_sms.received == []


@pytest.mark.django_db
def test_a_number_alibaba_will_not_send_to_is_a_clear_error(aliyun_sms):
    aliyun_sms.refusals["13800138000"] = "isv.MOBILE_NUMBER_ILLEGAL"

    with pytest.raises(SmsNumberRefused):
        sms_code_send(phone="13800138000", purpose=SmsPurpose.LOG_IN)

    with pytest.raises(SmsSendProviderThrottled):
        aliyun_sms.refusals["13800138000"] = "isv.DAY_LIMIT_CONTROL"
        sms_code_send(phone="13800138000", purpose=SmsPurpose.LOG_IN)
    assert SmsCode.objects.filter(phone="13800138000").count() == 2  # issued, never delivered


@pytest.mark.django_db
def test_the_log_in_page_says_so_with_429_when_alibaba_limits_the_number(client, aliyun_sms):
    aliyun_sms.refusals["13800138000"] = "isv.BUSINESS_LIMIT_CONTROL"

    response = client.post("/accounts/log-in/", {"method": "sms", "action": "send", "phone": "13800138000"})

    assert response.status_code == 429 and response["Retry-After"] == "60"
    assert "验证码过于频繁" in response.content.decode()


def test_the_fakes_check_agrees_with_the_sdks_signer_on_awkward_values():
    """The fake's canonical request is the service's, not a copy of what
    the client happened to send: values with Chinese, spaces, '+', '*' and
    '~' (which percent-encoding rules treat differently) sign the same."""
    from alibabacloud_tea_openapi.utils import Utils
    from darabonba.request import DaraRequest

    request = DaraRequest()
    request.method, request.pathname = "POST", "/"
    request.query = {"SignName": "微店 分销", "TemplateParam": '{"code":"1+2*3~"}', "PhoneNumbers": "13800138000"}
    request.headers = {
        "host": "dysmsapi.aliyuncs.com",
        "x-acs-action": "SendSms",
        "x-acs-version": "2017-05-25",
        "x-acs-date": "2026-12-04T10:22:32Z",
        "x-acs-signature-nonce": "3156853299f313e23d1673dc12e1703d",
        "x-acs-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    }
    payload = request.headers["x-acs-content-sha256"]
    authorization = Utils.get_authorization(request, "ACS3-HMAC-SHA256", payload, "LTAI5tKEY", "s3cret")

    signature = acs3_signature(
        secret="s3cret",
        method="POST",
        path="/",
        query=request.query,
        headers=request.headers,
        signed=sorted(request.headers),
        body=b"",
    )
    assert authorization.endswith(f"Signature={signature}")
    wrong = acs3_signature(
        secret="other",
        method="POST",
        path="/",
        query=request.query,
        headers=request.headers,
        signed=sorted(request.headers),
        body=b"",
    )
    assert wrong != signature
