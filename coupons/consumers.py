"""Events → coupons (socialshop/events.py): the sign-up gift."""

from django.utils.translation import gettext_lazy as _

from accounts.events import user_signed_up
from socialshop.events import Event, event_consumer_register

from .services import coupons_on_sign_up


def coupons_handle(event: Event) -> str:
    return f"{coupons_on_sign_up(user_id=event.payload['user_id'])} sign-up coupons given"


def register() -> None:
    event_consumer_register(
        name="coupons", label=_("Sign-up coupons"), event_types=[user_signed_up], handle=coupons_handle
    )
