"""The console SMS provider: sends nothing, writes the code to the log.

The quick start and the tests use it. The code is written in clear on
purpose (a developer reads it from the ``runserver`` console) and only
here; production refuses this provider unless told
(``SMS_CONSOLE_IN_PRODUCTION``). The last codes also stay in ``outbox``,
the way Django's locmem e-mail backend keeps ``mail.outbox``, so that tests
(a browser test's live server runs in the test's process) read them."""

import logging
import secrets
from collections import deque
from dataclasses import dataclass

from accounts.phone import mask_phone

from . import SmsSent

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ConsoleMessage:
    phone: str
    code: str
    minutes: int


# the newest last; bounded, so a long-running development server does not grow it forever
outbox: deque[ConsoleMessage] = deque(maxlen=100)


def console_code_for(phone: str) -> str | None:
    """The last code the console "sent" to ``phone`` (tests)."""
    return next((message.code for message in reversed(outbox) if message.phone == phone), None)


@dataclass(frozen=True)
class ConsoleNotice:
    phone: str
    template_id: str
    text: str


# notifications the console "sent" (docs/notifications.md), newest last
notices: deque[ConsoleNotice] = deque(maxlen=100)


class ConsoleSmsProvider:
    name = "console"

    def code_send(self, *, phone: str, code: str, minutes: int) -> SmsSent:
        outbox.append(ConsoleMessage(phone=phone, code=code, minutes=minutes))
        logger.warning("SMS (console, not sent) to %s: 验证码 %s，%s 分钟内有效", mask_phone(phone), code, minutes)
        return SmsSent(provider_reference=f"console-{secrets.token_hex(6)}")

    def template_send(self, *, phone: str, template_id: str, params: dict[str, str], text: str) -> SmsSent:
        notices.append(ConsoleNotice(phone=phone, template_id=template_id, text=text))
        logger.warning("SMS (console, not sent) to %s: %s", mask_phone(phone), text)
        return SmsSent(provider_reference=f"console-{secrets.token_hex(6)}")
