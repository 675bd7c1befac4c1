"""How events to partners are signed (and how a receiver checks them): the
platform's one scheme, ``socialshop.signing``, under our own header.

Header: ``X-Socialshop-Signature: t=<unix seconds>,v1=<hex>`` where ``<hex>``
is HMAC-SHA256, keyed with the endpoint's secret, over ``"<t>.<body>"``.
"""

from socialshop.signing import TOLERANCE_SECONDS, signature_compute, signature_header, signature_verify

SIGNATURE_HEADER = "X-Socialshop-Signature"

__all__ = ["SIGNATURE_HEADER", "TOLERANCE_SECONDS", "signature_compute", "signature_header", "signature_verify"]
