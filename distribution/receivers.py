"""Signal receivers: thin, each calls one service."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .exceptions import InviteCodeUnknown, SelfBindingRefused
from .referrals import referral_from_request
from .services import binding_touch_by_code


@receiver(user_logged_in, dispatch_uid="distribution.bind_on_log_in")
def bind_on_log_in(sender, request, user, **kwargs):
    """A visitor who arrived through a link and then logs in (or signs up,
    which logs in) is bound to that link's reseller, as of its visit."""
    if request is None or not hasattr(request, "session"):
        return
    referral = referral_from_request(request)
    if referral is None:
        return
    try:
        binding_touch_by_code(customer=user, invite_code=referral.code, source=referral.source, at=referral.at)
    except (InviteCodeUnknown, SelfBindingRefused):
        pass  # a code that went away, or a reseller's own link: nobody to bind
