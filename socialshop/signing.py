"""Signed HTTP bodies, one scheme for every signed callback the platform
sends or receives (partners' webhooks, the sandbox payment provider).

Header value: ``t=<unix seconds>,v1=<hex>`` where ``<hex>`` is HMAC-SHA256,
keyed with the shared secret, over ``"<t>.<body>"`` (the exact bytes of the
request body). Signing the timestamp lets a receiver refuse replays older
than a few minutes (``TOLERANCE_SECONDS``). Stripe signs the same way.
"""

import hashlib
import hmac
import time

TOLERANCE_SECONDS = 300


def signature_compute(*, secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(*, secret: str, body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return f"t={timestamp},v1={signature_compute(secret=secret, timestamp=timestamp, body=body)}"


def signature_verify(*, secret: str, header: str, body: bytes, now: int | None = None) -> bool:
    """What a receiver does: parse the header, recompute, compare in constant
    time, and refuse stale timestamps."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError):
        return False
    now = int(time.time()) if now is None else now
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(given, signature_compute(secret=secret, timestamp=timestamp, body=body))
