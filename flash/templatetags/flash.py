"""The product page's flash-sale strip (限时秒杀): the price of the
product's live or coming flash item and the time to its slot's start or
end, linking to the flash product page. Shops sit below flash, so the
project's own product template (templates/shops/storefront/) places it."""

from django import template
from django.utils import timezone

from ..selectors import flash_offer_for_product

register = template.Library()


@register.inclusion_tag("flash/_product_offer.html")
def flash_offer(product_id: int) -> dict:
    now = timezone.now()
    item = flash_offer_for_product(product_id=product_id, now=now)
    if item is None:
        return {"item": None}
    live = item.campaign.starts_at <= now
    return {
        "item": item,
        "live": live,
        "deadline": item.campaign.ends_at if live else item.campaign.starts_at,
        "now": now,
    }
