"""The links a reseller shares, and nothing else builds them.

Every shared link carries the shop owner's invite code as ``?ref=<code>``:
``distribution.referrals.ReferralMiddleware`` records it on the visit
(session + signed cookie) for binding (锁粉). Shop and product pages, their
share pages and the QR codes on posters all use these functions, so the
contract lives in one place (docs/shops.md, "Shared links").
"""

from urllib.parse import urlencode

from django.urls import reverse

from distribution.choices import BindingSource
from distribution.referrals import CHANNEL_PARAM, QUERY_PARAM

from .models import Shop

# the storefront remembers the shop a visitor last browsed (its address, nothing else), so pages outside any
# shop (the cart, the buyer's orders) lead back to it; orders' tab bar reads it
LAST_SHOP_COOKIE = "last_shop"
LAST_SHOP_MAX_AGE = 30 * 24 * 3600


def last_shop_remember(response, shop: Shop):
    """Remember ``shop`` on the visitor's browser; returns the response."""
    response.set_cookie(LAST_SHOP_COOKIE, shop.slug, max_age=LAST_SHOP_MAX_AGE, httponly=True, samesite="Lax")
    return response


POSTER_CHANNEL = BindingSource.POSTER.value  # ``?ch=poster``: a poster's QR code; visits and bindings record it


def _with_ref(path: str, shop: Shop, channel: str) -> str:
    query = {QUERY_PARAM: shop.owner.invite_code}
    if channel:
        query[CHANNEL_PARAM] = channel
    return f"{path}?{urlencode(query)}"


def shop_share_path(shop: Shop, *, channel: str = "") -> str:
    """``/s/<slug>/?ref=<owner's invite code>`` (``&ch=poster`` on a poster)"""
    return _with_ref(reverse("shops:storefront", args=[shop.slug]), shop, channel)


def product_share_path(shop: Shop, product_id: int, *, channel: str = "") -> str:
    """``/s/<slug>/p/<product id>/?ref=<owner's invite code>`` (``&ch=poster`` on a poster)"""
    return _with_ref(reverse("shops:product", args=[shop.slug, product_id]), shop, channel)


def absolute(request, path: str) -> str:
    """The link as a person copies it: scheme and host of this request."""
    return request.build_absolute_uri(path)
