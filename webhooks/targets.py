"""Where webhooks may be sent, and sending them there safely.

A partner registers the URL, so without care a webhook could be aimed at
the platform's own network (the database, Redis, a metadata service):

- only http(s) URLs (https only in production, ``WEBHOOKS_REQUIRE_HTTPS``);
- the host is resolved **once** per attempt, every address it resolves to
  must be public (unless ``WEBHOOKS_ALLOW_PRIVATE_TARGETS``, for development
  and tests), and the connection is made to that checked address — never
  resolved again by an HTTP library — with the original host name in the
  ``Host`` header and the TLS SNI/certificate check. A name whose DNS answers
  a public address and then a private one (DNS rebinding) cannot slip by.
- an attempt has a **total** deadline: a receiver that answers one byte at a
  time is cut off, so it cannot hold a worker; at most ``EXCERPT_BYTES`` of
  its answer are read.
"""

import http.client
import ipaddress
import socket
import ssl
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .exceptions import WebhookTargetRefused

CONNECT_TIMEOUT_SECONDS = 3
ATTEMPT_DEADLINE_SECONDS = 15  # the whole attempt: connect, send, the answer's head and excerpt
EXCERPT_BYTES = 500


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # with the query string
    address: str  # the checked IP address to connect to


def _refuse(message, field_message):
    return WebhookTargetRefused(message, fields={"url": [str(field_message)]})


def webhook_target_resolve(url: str) -> Target:
    """Check ``url`` and pick the address to send to (resolving the host
    now); WebhookTargetRefused (a 400 with a field error) when it may not
    receive webhooks."""
    return _target(url, resolve=True)


def webhook_target_check(url: str) -> None:
    """Check a URL a partner registers: its form always, and where private
    targets are refused (production), that its host resolves to public
    addresses only. (Sending resolves and checks again, every attempt.)"""
    _target(url, resolve=not settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS)


def _target(url: str, *, resolve: bool) -> Target | None:
    parts = urlsplit(url)
    allowed_schemes = {"https"} if settings.WEBHOOKS_REQUIRE_HTTPS else {"https", "http"}
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:  # a port outside 0–65535
        raise _refuse(_("The webhook URL's port is not valid."), _("Unsupported URL.")) from error
    if parts.scheme not in allowed_schemes or not parts.hostname:
        raise _refuse(
            _("Webhook URLs must be %(schemes)s URLs.") % {"schemes": " or ".join(sorted(allowed_schemes))},
            _("Unsupported URL."),
        )
    if not resolve:
        return None
    try:
        addresses = [info[4][0] for info in socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)]
    except (socket.gaierror, UnicodeError, OSError) as error:
        raise _refuse(_("The webhook host does not resolve."), _("Unknown host.")) from error
    if not addresses:
        raise _refuse(_("The webhook host does not resolve."), _("Unknown host."))
    if not settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS:
        for address in addresses:
            if not ipaddress.ip_address(address.split("%", 1)[0]).is_global:
                raise _refuse(
                    _("Webhooks cannot be sent to private or local addresses."), _("Private or local address.")
                )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(parts.scheme, parts.hostname, port, path, addresses[0])


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target):
        super().__init__(target.host, target.port, timeout=CONNECT_TIMEOUT_SECONDS)
        self._address = target.address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target):
        super().__init__(
            target.host, target.port, timeout=CONNECT_TIMEOUT_SECONDS, context=ssl.create_default_context()
        )
        self._address = target.address

    def connect(self):
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # SNI and the certificate: the name


def webhook_post(target: Target, *, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    """POST ``body`` to the checked address of ``target``; returns (status,
    the first EXCERPT_BYTES of the answer). Raises OSError (or an
    http.client error) on a connection problem or when the deadline passes."""
    connection = (_PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection)(target)

    def cut_off():
        sock = connection.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    deadline = threading.Timer(ATTEMPT_DEADLINE_SECONDS, cut_off)
    deadline.daemon = True
    deadline.start()
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        excerpt = response.read(EXCERPT_BYTES).decode("utf-8", errors="replace")
        return response.status, excerpt
    finally:
        deadline.cancel()
        connection.close()
