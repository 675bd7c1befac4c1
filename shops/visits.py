"""Who counts as a visitor of a shop, and the cookie that tells visitors apart.

A visitor is a browser: the first page of a shop it opens gets a random,
first-party cookie (``COOKIE_NAME``, a year long, not readable by scripts);
what is stored is a keyed hash of it (HMAC with the site's secret), never the
cookie itself, an IP address or the user, so the table cannot be joined back
to a person. The shop's owner is not a visitor of its own shop. Recording is
one ``INSERT … ON CONFLICT DO NOTHING`` (``shop_visitor_record``); the
storefront and product pages call ``shop_visit_note`` and stay at a constant
number of queries. docs/shops.md, "Visitors". A view that came through a
shared link (``?ref=``) is also handed to the registered sink (the funnel's
visit log, docs/growth.md), with the same key.
"""

import hashlib
import hmac
import secrets
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from distribution.referrals import CHANNEL_PARAM, QUERY_PARAM

from .models import Shop
from .services import shop_visitor_record

COOKIE_NAME = "visitor"
COOKIE_MAX_AGE = 365 * 24 * 3600
TOKEN_BYTES = 16
KEY_LENGTH = 32  # hex characters of the stored hash (``ShopVisitor.visitor_key``)


# who is told of a referred view (the funnel's visit log, issue 19): apps above register it at start-up
ReferredVisitSink = Callable[..., None]
_referred_visit_sink: ReferredVisitSink | None = None


def referred_visit_sink_set(sink: ReferredVisitSink | None) -> None:
    """Say who records each referred view (``growth`` registers its buffer in
    ``ready()``); it is called with ``shop_id``, ``product_id``,
    ``visitor_key``, ``invite_code`` and ``channel`` and must be cheap."""
    global _referred_visit_sink
    _referred_visit_sink = sink


def visitor_key_for(token: str) -> str:
    """What is stored for a visitor's cookie: its HMAC under the site's secret."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"shop-visitor:{token}".encode(), hashlib.sha256)
    return digest.hexdigest()[:KEY_LENGTH]


def _token(request: HttpRequest) -> tuple[str, bool]:
    """The visitor's cookie token, and whether it is new (to be set)."""
    token = request.COOKIES.get(COOKIE_NAME, "")
    if 16 <= len(token) <= 64 and token.isascii() and token.replace("-", "").replace("_", "").isalnum():
        return token, False
    return secrets.token_urlsafe(TOKEN_BYTES), True


def shop_visit_note(request: HttpRequest, response: HttpResponse, *, shop: Shop, product_id: int | None = None):
    """Count this request's browser as a visitor of ``shop`` today, unless it
    is the owner's own; give it the visitor cookie if it had none. Returns
    the response."""
    if request.method != "GET":
        return response
    if request.user.is_authenticated and shop.owner.user_id == request.user.pk:
        return response
    token, new = _token(request)
    visitor_key = visitor_key_for(token)
    referred = QUERY_PARAM in request.GET
    shop_visitor_record(shop=shop, visitor_key=visitor_key, product_id=product_id, referred=referred)
    if referred and _referred_visit_sink is not None:
        _referred_visit_sink(
            shop_id=shop.pk,
            product_id=product_id,
            visitor_key=visitor_key,
            invite_code=request.GET.get(QUERY_PARAM, ""),
            channel=request.GET.get(CHANNEL_PARAM, ""),
        )
    if new:
        response.set_cookie(
            COOKIE_NAME,
            token,
            max_age=COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response
