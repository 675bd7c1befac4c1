from django import template

from socialshop.money import BASIS_POINTS

register = template.Library()


@register.filter
def tenths_paid(percent_off_bps: int) -> str:
    """What a percentage-off coupon leaves to pay, as Chinese shops say it
    (折): 1500 basis points off → "8.5"; 2000 → "8"."""
    paid = BASIS_POINTS - int(percent_off_bps)
    tenths = f"{paid / 1000:.2f}".rstrip("0").rstrip(".")
    return tenths
