"""Signal receivers: thin, each calls one service."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .cart import cart_merge_at_log_in


@receiver(user_logged_in, dispatch_uid="orders.cart_merge_on_log_in")
def cart_merge_on_log_in(sender, request, user, **kwargs):
    """What a visitor put in the cart before logging in (or signing up) is
    still there after."""
    if request is not None and hasattr(request, "session"):
        cart_merge_at_log_in(request, user)
