"""The product page's group-buying strip: the running campaign's group
price and its open groups to join (凑团). Shops sit below groupbuy, so the
project's own product template (templates/shops/storefront/) places it."""

from django import template

from ..selectors import campaigns_running_for_product, groups_open_for_campaign

register = template.Library()


@register.inclusion_tag("groupbuy/_product_offer.html")
def group_offer(product_id: int) -> dict:
    campaigns = campaigns_running_for_product(product_id=product_id)
    if not campaigns:
        return {"campaign": None}
    campaign = campaigns[0]
    priced = min(campaign.skus.all(), key=lambda row: row.group_price_amount)
    return {
        "campaign": campaign,
        "price_amount": priced.group_price_amount,
        "open_groups": groups_open_for_campaign(campaign_id=campaign.pk, limit=3),
    }
