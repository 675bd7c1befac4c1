"""Tencent Cloud SMS (腾讯云短信), through Tencent's official SDK
(``tencentcloud-sdk-python-sms``, API version 2021-01-11, ``SendSms``).

The SDK signs each request with TC3-HMAC-SHA256 under the CAM key
(``SMS_TENCENT_SECRET_ID`` / ``SMS_TENCENT_SECRET_KEY``). The message is
the approved template ``SMS_TENCENT_TEMPLATE_ID`` with two parameters, the
code and its minutes, under the approved signature ``SMS_TENCENT_SIGN_NAME``,
from the SMS app ``SMS_TENCENT_SDK_APP_ID``. ``SMS_TENCENT_ENDPOINT`` (and
``SMS_TENCENT_SCHEME``) point the SDK elsewhere: the tests' local fake,
which checks the signature as Tencent does."""

import logging

from django.conf import settings
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111 import models, sms_client

from accounts.phone import mask_phone

from . import SmsSendFailed, SmsSent

logger = logging.getLogger(__name__)

REQUEST_TIMEOUT_SECONDS = 10


def failure_kind(code: str) -> str:
    """What Tencent's refusal of one number means for the person (``SmsSendFailed.kind``):
    its per-number frequency limits (``LimitExceeded.PhoneNumber…``), a number it will not
    send to, or anything else."""
    if code.startswith("LimitExceeded.PhoneNumber"):
        return SmsSendFailed.THROTTLED
    if code in ("InvalidParameterValue.IncorrectPhoneNumber", "FailedOperation.PhoneNumberInBlacklist"):
        return SmsSendFailed.NUMBER_REFUSED
    return SmsSendFailed.UNAVAILABLE


class TencentSmsProvider:
    name = "tencent"

    def __init__(self):
        http = HttpProfile(
            protocol=settings.SMS_TENCENT_SCHEME,
            endpoint=settings.SMS_TENCENT_ENDPOINT,
            reqTimeout=REQUEST_TIMEOUT_SECONDS,
        )
        self.client = sms_client.SmsClient(
            credential.Credential(settings.SMS_TENCENT_SECRET_ID, settings.SMS_TENCENT_SECRET_KEY),
            settings.SMS_TENCENT_REGION,
            ClientProfile(signMethod="TC3-HMAC-SHA256", httpProfile=http),
        )

    def code_send(self, *, phone: str, code: str, minutes: int) -> SmsSent:
        return self._send(phone=phone, template_id=settings.SMS_TENCENT_TEMPLATE_ID, params=[code, str(minutes)])

    def template_send(self, *, phone: str, template_id: str, params: dict[str, str], text: str) -> SmsSent:
        """A notification: its own approved template (docs/notifications.md)."""
        return self._send(phone=phone, template_id=template_id, params=list(params.values()))

    def _send(self, *, phone: str, template_id: str, params: list[str]) -> SmsSent:
        request = models.SendSmsRequest()
        request.PhoneNumberSet = [f"+86{phone}"]
        request.SmsSdkAppId = settings.SMS_TENCENT_SDK_APP_ID
        request.SignName = settings.SMS_TENCENT_SIGN_NAME
        request.TemplateId = template_id
        request.TemplateParamSet = params
        try:
            response = self.client.SendSms(request)
        except TencentCloudSDKException as error:  # signature, key, network: the whole request failed
            logger.warning("SMS to %s: Tencent refused the request: %s", mask_phone(phone), error.get_code())
            raise SmsSendFailed(error.get_code() or "request_failed") from error
        status = (response.SendStatusSet or [None])[0]
        if status is None or status.Code != "Ok":  # e.g. LimitExceeded.PhoneNumberDailyLimit
            reason = status.Code if status is not None else "no_status"
            logger.warning("SMS to %s: Tencent did not send it: %s", mask_phone(phone), reason)
            raise SmsSendFailed(reason, kind=failure_kind(reason))
        return SmsSent(provider_reference=status.SerialNo or response.RequestId)
