"""The outside channels: one function per channel that sends one delivery
and returns the provider's reference, or raises ``SendFailed``.

- SMS through the platform's SMS provider (``accounts.sms``): the kind's
  approved template (``NOTIFICATIONS_SMS_TEMPLATES``) and its parameters;
- WeChat template messages of the official account (``wechat_messages.py``);
- e-mail through Django's e-mail backend, with a Message-ID derived from the
  delivery (the one idempotency key any of the three channels takes).
"""

from django.conf import settings
from django.core.mail import EmailMessage

from accounts.sms import SmsSendFailed, sms_provider

from . import wechat_messages
from .choices import Channel
from .models import Delivery


class SendFailed(Exception):
    """The channel did not take the message; worth another try."""


def sms_template(kind: str) -> dict | None:
    """The approved SMS template of ``kind``: ``{"template_id", "params"}``
    (the names of the kind's parameters, in the template's order)."""
    return settings.NOTIFICATIONS_SMS_TEMPLATES.get(kind)


def delivery_send(delivery: Delivery) -> str:
    if delivery.channel == Channel.SMS:
        template = sms_template(delivery.kind) or {"template_id": "", "params": []}
        params = {name: str(delivery.params.get(name, "")) for name in template.get("params", [])}
        try:
            sent = sms_provider().template_send(
                phone=delivery.address, template_id=template["template_id"], params=params, text=delivery.body
            )
        except SmsSendFailed as error:
            raise SendFailed(f"sms: {error.reason}") from error
        return sent.provider_reference
    if delivery.channel == Channel.WECHAT:
        try:
            return wechat_messages.template_send(
                openid=delivery.address,
                template_id=wechat_messages.template_for(delivery.kind),
                title=delivery.title,
                body=delivery.body,
                url=delivery.link,
            )
        except wechat_messages.WechatSendFailed as error:
            raise SendFailed(f"wechat: {error}") from error
    if delivery.channel == Channel.EMAIL:
        message_id = f"<{delivery.idempotency_key}@{settings.NOTIFICATIONS_EMAIL_DOMAIN}>"
        email = EmailMessage(
            subject=delivery.title,
            body=delivery.body + (f"\n\n{settings.NOTIFICATIONS_SITE_URL}{delivery.link}" if delivery.link else ""),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[delivery.address],
            headers={"Message-ID": message_id},
        )
        try:
            email.send()
        except OSError as error:  # SMTP refused or unreachable
            raise SendFailed(f"email: {error}") from error
        return message_id
    raise SendFailed(f"unknown channel {delivery.channel}")
