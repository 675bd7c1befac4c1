"""Carts: a signed-in shopper's cart is kept in ``CartItem`` rows; before
log-in it lives in the session (``orders.cart``) and is merged into the
rows at log-in."""

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Least

from accounts.models import User
from shops.models import Shop

from ..models import MAX_QUANTITY, CartItem
from ..pricing import LineRequest


def cart_entries_for_user(*, user: User) -> list[LineRequest]:
    return [
        LineRequest(shop_slug=item.shop.slug if item.shop else None, sku_id=item.sku_id, quantity=item.quantity)
        for item in CartItem.objects.filter(user=user).select_related("shop").order_by("added_at", "id")
    ]


def _shop_ids(slugs) -> dict[str, int]:
    slugs = {slug for slug in slugs if slug}
    return dict(Shop.objects.filter(slug__in=slugs).values_list("slug", "pk")) if slugs else {}


def cart_items_add(*, user: User, entries: list[LineRequest]) -> None:
    """Add the entries to the user's cart (the same SKU from the same shop
    adds up, to at most ``MAX_QUANTITY``). Used by "add to cart" and by the
    merge at log-in."""
    shops = _shop_ids(entry.shop_slug for entry in entries)
    with transaction.atomic():
        for entry in entries:
            shop_id = shops.get(entry.shop_slug) if entry.shop_slug else None
            if entry.shop_slug and shop_id is None:
                continue  # a shop that went away
            quantity = max(1, min(entry.quantity, MAX_QUANTITY))
            item, created = CartItem.objects.select_for_update().get_or_create(
                user=user, shop_id=shop_id, sku_id=entry.sku_id, defaults={"quantity": quantity}
            )
            if not created:
                CartItem.objects.filter(pk=item.pk).update(quantity=Least(F("quantity") + quantity, MAX_QUANTITY))


def cart_item_set(*, user: User, shop_slug: str | None, sku_id: int, quantity: int) -> None:
    """Change how many (0 removes the line)."""
    items = CartItem.objects.filter(user=user, sku_id=sku_id)
    items = items.filter(shop__slug=shop_slug) if shop_slug else items.filter(shop__isnull=True)
    if quantity <= 0:
        items.delete()
    else:
        items.update(quantity=min(quantity, MAX_QUANTITY))


def cart_items_remove(*, user: User, entries: list[LineRequest]) -> None:
    for entry in entries:
        cart_item_set(user=user, shop_slug=entry.shop_slug, sku_id=entry.sku_id, quantity=0)
