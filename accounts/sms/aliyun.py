"""Alibaba Cloud SMS (阿里云短信服务), through Alibaba Cloud's official SDK
(``alibabacloud_dysmsapi20170525`` on ``alibabacloud_tea_openapi``, API
2017-05-25, ``SendSms``).

The SDK signs each request with signature V3 (``ACS3-HMAC-SHA256``: a
canonical request of method, path, sorted query, the signed headers and the
body's SHA-256, hashed and keyed with the AccessKey secret) under the RAM
key ``SMS_ALIYUN_ACCESS_KEY_ID`` / ``SMS_ALIYUN_ACCESS_KEY_SECRET``. The
message is the approved template ``SMS_ALIYUN_TEMPLATE_CODE`` (one
variable, ``${code}``) under the approved signature ``SMS_ALIYUN_SIGN_NAME``.
``SMS_ALIYUN_ENDPOINT`` and ``SMS_ALIYUN_SCHEME`` point the SDK elsewhere:
the tests' local fake (``sandbox/fakes/aliyun_sms.py``), which checks the
signature as Alibaba Cloud does.

Alibaba Cloud answers a request it took but will not send with HTTP 200 and
a ``Code`` other than ``OK`` (``isv.BUSINESS_LIMIT_CONTROL``: its own
per-number limits; ``isv.MOBILE_NUMBER_ILLEGAL``; ``isv.AMOUNT_NOT_ENOUGH`` …);
a request it refuses (signature, key) with an HTTP error the SDK raises."""

import json
import logging

from alibabacloud_dysmsapi20170525 import models
from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_tea_openapi import utils_models as open_api_models
from darabonba.exceptions import DaraException, UnretryableException
from django.conf import settings

from accounts.phone import mask_phone

from . import SmsSendFailed, SmsSent

logger = logging.getLogger(__name__)

REQUEST_TIMEOUT_MILLISECONDS = 10_000

# Alibaba Cloud's codes for "not now, this number has had enough" and "not this number"
# (https://help.aliyun.com/zh/sms/support/api-error-codes)
THROTTLED_CODES = frozenset({"isv.BUSINESS_LIMIT_CONTROL", "isv.DAY_LIMIT_CONTROL", "isv.MONTH_LIMIT_CONTROL"})
NUMBER_REFUSED_CODES = frozenset(
    {"isv.MOBILE_NUMBER_ILLEGAL", "isv.MOBILE_COUNT_OVER_LIMIT", "isv.BLACK_KEY_CONTROL_LIMIT"}
)


def failure_kind(code: str) -> str:
    """What a refusal means for the person (``SmsSendFailed.kind``)."""
    if code in THROTTLED_CODES:
        return SmsSendFailed.THROTTLED
    if code in NUMBER_REFUSED_CODES:
        return SmsSendFailed.NUMBER_REFUSED
    return SmsSendFailed.UNAVAILABLE


class AliyunSmsProvider:
    name = "aliyun"

    def __init__(self):
        self.client = Client(
            open_api_models.Config(
                access_key_id=settings.SMS_ALIYUN_ACCESS_KEY_ID,
                access_key_secret=settings.SMS_ALIYUN_ACCESS_KEY_SECRET,
                endpoint=settings.SMS_ALIYUN_ENDPOINT,
                protocol=settings.SMS_ALIYUN_SCHEME,
                read_timeout=REQUEST_TIMEOUT_MILLISECONDS,
                connect_timeout=REQUEST_TIMEOUT_MILLISECONDS,
            )
        )

    def code_send(self, *, phone: str, code: str, minutes: int) -> SmsSent:
        return self._send(phone=phone, template_code=settings.SMS_ALIYUN_TEMPLATE_CODE, params={"code": code})

    def template_send(self, *, phone: str, template_id: str, params: dict[str, str], text: str) -> SmsSent:
        """A notification: its own approved template (docs/notifications.md),
        whose variables are named as ``params`` names them."""
        return self._send(phone=phone, template_code=template_id, params=params)

    def _send(self, *, phone: str, template_code: str, params: dict[str, str]) -> SmsSent:
        request = models.SendSmsRequest(
            phone_numbers=phone,
            sign_name=settings.SMS_ALIYUN_SIGN_NAME,
            template_code=template_code,
            template_param=json.dumps(params, ensure_ascii=False),
        )
        try:
            response = self.client.send_sms(request)
        except (DaraException, UnretryableException) as error:  # signature, key, network: the request failed
            reason = getattr(error, "code", None) or type(error).__name__
            logger.warning("SMS to %s: Alibaba Cloud refused the request: %s", mask_phone(phone), reason)
            raise SmsSendFailed(reason) from error
        body = response.body
        if body is None or body.code != "OK":  # e.g. isv.BUSINESS_LIMIT_CONTROL
            reason = body.code if body is not None else "no_body"
            logger.warning("SMS to %s: Alibaba Cloud did not send it: %s", mask_phone(phone), reason)
            raise SmsSendFailed(reason, kind=failure_kind(reason))
        return SmsSent(provider_reference=body.biz_id or body.request_id)
