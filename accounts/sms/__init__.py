"""Sending SMS: the interface every SMS provider implements.

A provider sends one verification code to one mainland number, as Tencent
Cloud SMS or Alibaba Cloud SMS do with an approved signature (签名) and code
template (模板): what the message says is the template's, configured at the
provider; we send only its parameters (the code and how many minutes it
lasts).

The provider in use is the class ``SMS_PROVIDER`` names (a dotted path):
the console (``accounts.sms.console.ConsoleSmsProvider``, the quick start's:
it logs the code and sends nothing), Tencent Cloud SMS
(``accounts.sms.tencent.TencentSmsProvider``) or Alibaba Cloud SMS
(``accounts.sms.aliyun.AliyunSmsProvider``). Nobody but a provider ever
sees a code in clear: the database keeps a digest, and every log line other
than the console provider's masks the number and leaves the code out.
"""

from dataclasses import dataclass
from typing import ClassVar, Protocol

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class SmsSent:
    provider_reference: str  # the provider's id of the message (serial number), for support


class SmsSendFailed(Exception):
    """The provider did not take the message (refused, misconfigured or
    unreachable). ``reason`` is the provider's code, for the log; ``kind``
    what it means for the person: the provider's own limit for this number
    (``throttled``: try later), a number it will not send to
    (``number_refused``), or anything else (``unavailable``)."""

    UNAVAILABLE: ClassVar[str] = "unavailable"
    THROTTLED: ClassVar[str] = "throttled"
    NUMBER_REFUSED: ClassVar[str] = "number_refused"

    def __init__(self, reason: str, *, kind: str = UNAVAILABLE):
        self.reason = reason
        self.kind = kind
        super().__init__(reason)


class SmsProvider(Protocol):
    name: str

    def code_send(self, *, phone: str, code: str, minutes: int) -> SmsSent:
        """Send ``code`` (good for ``minutes``) to the 11-digit mainland ``phone``;
        raise SmsSendFailed when the provider does not take it."""
        ...

    def template_send(self, *, phone: str, template_id: str, params: dict[str, str], text: str) -> SmsSent:
        """Send a notification (docs/notifications.md): the approved template
        ``template_id`` with ``params`` (its variables' names and values, in the
        template's order: Alibaba's templates name them, Tencent's number them);
        ``text`` is what it reads as, for the console. Raise SmsSendFailed when the provider does not take it."""
        ...


def sms_provider() -> SmsProvider:
    return import_string(settings.SMS_PROVIDER)()
