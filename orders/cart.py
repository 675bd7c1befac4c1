"""The cart a page sees: in the session before log-in (``request.session
["cart"]``), in ``CartItem`` rows after; ``cart_merge_at_log_in`` moves the
first into the second when the shopper logs in or signs up."""

from .models import MAX_QUANTITY
from .pricing import LineRequest
from .services.carts import cart_entries_for_user, cart_item_set, cart_items_add, cart_items_remove

SESSION_KEY = "cart"
SESSION_MAX_LINES = 50


def _session_entries(session) -> list[LineRequest]:
    entries = []
    for raw in session.get(SESSION_KEY, []):
        try:
            entries.append(
                LineRequest(shop_slug=raw.get("shop") or None, sku_id=int(raw["sku"]), quantity=int(raw["qty"]))
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            continue  # a session written by an older version: drop the line
    return entries


def _session_store(session, entries: list[LineRequest]) -> None:
    session[SESSION_KEY] = [
        {"shop": entry.shop_slug, "sku": entry.sku_id, "qty": entry.quantity}
        for entry in entries[:SESSION_MAX_LINES]
        if entry.quantity > 0
    ]


def cart_entries(request) -> list[LineRequest]:
    if request.user.is_authenticated:
        return cart_entries_for_user(user=request.user)
    return _session_entries(request.session)


def cart_add(request, *, shop_slug: str | None, sku_id: int, quantity: int) -> None:
    entry = LineRequest(shop_slug=shop_slug, sku_id=sku_id, quantity=quantity)
    if request.user.is_authenticated:
        cart_items_add(user=request.user, entries=[entry])
        return
    entries = _session_entries(request.session)
    for index, existing in enumerate(entries):
        if (existing.shop_slug, existing.sku_id) == (shop_slug, sku_id):
            entries[index] = LineRequest(
                shop_slug=shop_slug, sku_id=sku_id, quantity=min(existing.quantity + quantity, MAX_QUANTITY)
            )
            break
    else:
        entries.append(LineRequest(shop_slug=shop_slug, sku_id=sku_id, quantity=max(1, min(quantity, MAX_QUANTITY))))
    _session_store(request.session, entries)


def cart_set(request, *, shop_slug: str | None, sku_id: int, quantity: int) -> None:
    if request.user.is_authenticated:
        cart_item_set(user=request.user, shop_slug=shop_slug, sku_id=sku_id, quantity=quantity)
        return
    entries = [
        LineRequest(shop_slug=e.shop_slug, sku_id=e.sku_id, quantity=min(quantity, MAX_QUANTITY))
        if (e.shop_slug, e.sku_id) == (shop_slug, sku_id)
        else e
        for e in _session_entries(request.session)
    ]
    _session_store(request.session, entries)


def cart_remove(request, entries: list[LineRequest]) -> None:
    if request.user.is_authenticated:
        cart_items_remove(user=request.user, entries=entries)
        return
    gone = {(entry.shop_slug, entry.sku_id) for entry in entries}
    _session_store(
        request.session, [e for e in _session_entries(request.session) if (e.shop_slug, e.sku_id) not in gone]
    )


def cart_merge_at_log_in(request, user) -> None:
    """The visitor's session cart joins the account's cart."""
    entries = _session_entries(request.session)
    if entries:
        cart_items_add(user=user, entries=entries)
        request.session.pop(SESSION_KEY, None)
