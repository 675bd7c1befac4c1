"""The shopper's pieces every shop page shows: the bottom tab bar (首页 /
分类 / 购物车 with its count / 我的), the cart's count, and a product's
sales (已售). Shop templates load these from the project's templates, so
``shops`` never names the orders app."""

import re

from django import template
from django.urls import reverse

from shops.sharing import LAST_SHOP_COOKIE

from ..cart import SESSION_KEY
from ..selectors import cart_count, product_sold_count

register = template.Library()

_SLUG = re.compile(r"^[a-z0-9-]{1,40}$")


def _cart_count(request) -> int:
    if request is None:
        return 0
    if request.user.is_authenticated:
        # one query per page, kept on the request for a second badge
        if not hasattr(request, "_shopper_cart_count"):
            request._shopper_cart_count = cart_count(user=request.user)
        return request._shopper_cart_count
    return len(request.session.get(SESSION_KEY, []))


@register.simple_tag(takes_context=True)
def shopper_cart_count(context) -> int:
    return _cart_count(context.get("request"))


@register.simple_tag
def sold_count(product_id: int) -> int:
    return product_sold_count(product_id=product_id)


def last_shop_slug(request) -> str:
    slug = (request.COOKIES.get(LAST_SHOP_COOKIE) or "") if request is not None else ""
    return slug if _SLUG.match(slug) else ""


@register.inclusion_tag("orders/_tabbar.html", takes_context=True)
def shopper_tabbar(context, current: str, shop=None):
    """The fixed bottom tab bar; ``current`` is the tab the page belongs to
    (home, categories, cart, mine). Inside a shop its 首页 and 分类 lead to
    that shop, elsewhere to the shop last browsed (a cookie), else the site."""
    request = context.get("request")
    return {
        "current": current,
        "shop_slug": shop.slug if shop is not None else last_shop_slug(request),
        "cart_count": _cart_count(request),
    }


@register.simple_tag(takes_context=True)
def shopper_home_url(context) -> str:
    """Where 继续逛 (go on shopping) leads: the shop last browsed, else the site's front page."""
    slug = last_shop_slug(context.get("request"))
    return reverse("shops:storefront", args=[slug]) if slug else reverse("home")
