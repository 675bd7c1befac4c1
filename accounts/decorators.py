from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import redirect
from django.urls import reverse

from .exceptions import PhoneRequired


def user_phone_require(user) -> None:
    """The one rule of ordering without a number, for the API (the pages
    use ``phone_required``): PhoneRequired (403 ``phone_required``) when the
    account has none, as someone who came in through WeChat."""
    if user.is_authenticated and not user.phone:
        raise PhoneRequired()


def phone_required(view):
    """The view needs a mobile number on the account (to order: the
    supplier's courier and our order messages need one). Someone who came
    in through WeChat and has none is sent to add one by SMS code, and comes
    back here (``?next=``). Put it under ``login_required``."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.phone:
            query = urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
            return redirect(f"{reverse('accounts:bind_phone')}?{query}")
        return view(request, *args, **kwargs)

    return wrapped
