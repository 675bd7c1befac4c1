"""Where webhooks may be sent: http(s) URLs on the public internet.

A partner registers the URL, so without this check a webhook could be aimed
at the platform's own network (the database, Redis, a metadata service).
Hosts that resolve to loopback, private, link-local or reserved addresses
are refused unless ``WEBHOOKS_ALLOW_PRIVATE_TARGETS`` is on (development and
tests, where the receiver runs on localhost). The check runs when a URL is
registered and again before every attempt (DNS can change)."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .exceptions import WebhookTargetRefused


def webhook_target_check(url: str) -> None:
    parts = urlsplit(url)
    allowed_schemes = {"https"} if settings.WEBHOOKS_REQUIRE_HTTPS else {"https", "http"}
    if parts.scheme not in allowed_schemes or not parts.hostname:
        raise WebhookTargetRefused(
            _("Webhook URLs must be %(schemes)s URLs.") % {"schemes": " or ".join(sorted(allowed_schemes))},
            fields={"url": [str(_("Unsupported URL."))]},
        )
    if settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS:
        return
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except (socket.gaierror, UnicodeError) as error:
        raise WebhookTargetRefused(
            _("The webhook host does not resolve."), fields={"url": [str(_("Unknown host."))]}
        ) from error
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if not ip.is_global:
            raise WebhookTargetRefused(
                _("Webhooks cannot be sent to private or local addresses."),
                fields={"url": [str(_("Private or local address."))]},
            )
