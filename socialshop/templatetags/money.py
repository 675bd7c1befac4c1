"""``{% load money %}`` then ``{{ amount|yuan }}`` → ``¥1,234.50`` (amount in fen)."""

from django import template

from socialshop.money import fen_to_yuan, format_yuan

register = template.Library()


@register.filter
def yuan(amount):
    if amount is None or amount == "":
        return ""
    return format_yuan(int(amount))


@register.filter
def yuan_plain(amount):
    """``12.50``: for form inputs and places where the ¥ is already printed."""
    if amount is None or amount == "":
        return ""
    return str(fen_to_yuan(int(amount)))
