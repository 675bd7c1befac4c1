"""The product page's bargaining strip (砍价: the lowest price, a link to the
campaign). Shops sit below bargain, so the project's own product template
(templates/shops/storefront/) places it, as group buying's ``group_offer``."""

from django import template

from ..selectors import campaign_running_for_product

register = template.Library()


@register.inclusion_tag("bargain/_product_offer.html")
def bargain_offer(product_id: int) -> dict:
    return {"campaign": campaign_running_for_product(product_id=product_id)}
