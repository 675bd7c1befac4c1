"""SMS providers: the console's (the quick start's) and Tencent Cloud SMS
through its official SDK, against a local fake that checks the request's
TC3-HMAC-SHA256 signature as Tencent does."""

import logging

import pytest

from accounts.sms import SmsSendFailed, sms_provider
from accounts.sms.console import ConsoleSmsProvider, console_code_for
from accounts.sms.tencent import TencentSmsProvider

from .fakes import FakeTencentSms


def test_the_console_provider_logs_the_code_for_a_developer_and_keeps_it_for_tests(caplog):
    caplog.set_level(logging.INFO)

    ConsoleSmsProvider().code_send(phone="13800138000", code="042917", minutes=5)

    assert console_code_for("13800138000") == "042917"
    (line,) = [record.getMessage() for record in caplog.records if record.name == "accounts.sms.console"]
    assert "042917" in line and "138****8000" in line and "13800138000" not in line


def test_the_setting_names_the_provider(settings, tencent_sms):
    assert isinstance(sms_provider(), TencentSmsProvider)
    settings.SMS_PROVIDER = "accounts.sms.console.ConsoleSmsProvider"
    assert isinstance(sms_provider(), ConsoleSmsProvider)


def test_tencent_sends_the_code_with_the_configured_template_and_signature(tencent_sms):
    sent = TencentSmsProvider().code_send(phone="13800138000", code="042917", minutes=5)

    (request,) = tencent_sms.received  # the fake accepted its signature
    assert request["PhoneNumberSet"] == ["+8613800138000"]
    assert request["TemplateParamSet"] == ["042917", "5"]
    assert (request["SignName"], request["TemplateId"], request["SmsSdkAppId"]) == (
        "微店分销",
        "2024001",
        tencent_sms.sdk_app_id,
    )
    assert sent.provider_reference


def test_a_wrong_secret_key_fails_the_signature_check_and_nothing_is_sent(settings, tencent_sms):
    settings.SMS_TENCENT_SECRET_KEY = "not-the-key"

    with pytest.raises(SmsSendFailed) as failed:
        TencentSmsProvider().code_send(phone="13800138000", code="042917", minutes=5)

    assert failed.value.reason == "AuthFailure.SignatureFailure"
    assert tencent_sms.received == []


def test_an_unknown_secret_id_is_refused(settings, tencent_sms):
    settings.SMS_TENCENT_SECRET_ID = "AKIDsomeoneelse"

    with pytest.raises(SmsSendFailed) as failed:
        TencentSmsProvider().code_send(phone="13800138000", code="042917", minutes=5)

    assert failed.value.reason == "AuthFailure.SecretIdNotFound"


def test_a_number_tencent_will_not_send_to_is_a_failure_with_its_reason(tencent_sms):
    tencent_sms.statuses["+8613800138000"] = "LimitExceeded.PhoneNumberDailyLimit"

    with pytest.raises(SmsSendFailed) as failed:
        TencentSmsProvider().code_send(phone="13800138000", code="042917", minutes=5)

    assert failed.value.reason == "LimitExceeded.PhoneNumberDailyLimit"


def test_the_fake_checks_what_tencent_checks():
    """The fake's own signature check: Tencent's documented example
    (API 3.0 signature v3, the CVM DescribeInstances example) verifies."""
    from .fakes import tc3_signature

    string_to_sign = (
        "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n"
        "7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84"
    )
    assert (
        tc3_signature(
            secret_key="Gu5t9xGARNpq86cd98joQYCN3*******",
            date="2019-02-25",
            service="cvm",
            string_to_sign=string_to_sign,
        )
        == "be4f67d323c78ab9acb7395e43c0dbcf822a9cfac32fea2449a7bc7726b770a3"
    )
    assert FakeTencentSms  # the fake used above
