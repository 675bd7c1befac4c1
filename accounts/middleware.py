"""Two middlewares of identity (docs/identity.md):

- ``UserSessionMiddleware`` keeps the row the sessions list shows
  (``UserSession``): created on a session's first request after log-in,
  its "last seen", address and browser rewritten at most once per
  ``USER_SESSION_SEEN_RESOLUTION`` (the time is kept in the session, so a
  request in between reads and writes nothing more), and a session whose
  row was ended elsewhere is logged out here.
- ``OperatorSecondFactorMiddleware``: with ``OPERATOR_TOTP_REQUIRED``, staff
  reach no admin page until this session proved a TOTP code (django-otp's
  ``request.user.is_verified()``): they are sent to enrol an authenticator
  app, or to type its code.
"""

import ipaddress
import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from rest_framework.throttling import BaseThrottle

from .models import UserSession

SESSION_MARK = "_user_session"  # [row id, session key, when last written (epoch seconds)]
USER_AGENT_MAX = 300


def client_address(request) -> str | None:
    """The client's address as the throttles see it (``NUM_PROXIES``), or None."""
    ident = BaseThrottle().get_ident(request) or ""
    try:
        return str(ipaddress.ip_address(ident.split(",")[-1].strip()))
    except ValueError:
        return None


def client_user_agent(request) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX]


def user_session_seen(request, user) -> bool:
    """Record ``request``'s session of ``user`` (create its row, or rewrite
    last seen, address, browser and key once the resolution has passed);
    False when its row says it was ended elsewhere. Called at log-in (the
    ``user_logged_in`` receiver) and by the middleware on later requests."""
    session = request.session
    key = session.session_key
    mark = session.get(SESSION_MARK)
    now = time.time()
    fields = {
        "last_seen_at": timezone.now(),
        "ip_address": client_address(request),
        "user_agent": client_user_agent(request),
    }
    if mark and mark[1] == key and now - mark[2] < settings.USER_SESSION_SEEN_RESOLUTION:
        return True  # seen lately: nothing to write
    if mark:
        # the same row, perhaps under a new key (log-in and a new password cycle the key)
        updated = UserSession.objects.filter(pk=mark[0], user=user, ended_at__isnull=True).update(
            session_key=key, **fields
        )
        if not updated:
            return False
        row_id = mark[0]
    else:
        row, _created = UserSession.objects.update_or_create(session_key=key, defaults={"user": user, **fields})
        if row.ended_at is not None:
            return False
        row_id = row.pk
    session[SESSION_MARK] = [row_id, key, now]
    return True


def user_session_on_log_in(sender, request, user, **kwargs):
    """``user_logged_in``: the session gets its row as it starts (the
    first page after log-in then writes nothing). Logging in as someone else
    flushed the session first, so a mark left in it is this user's."""
    if request is not None and hasattr(request, "session") and request.session.session_key:
        user_session_seen(request, user)


class UserSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # no session cookie, no work (and no session read for anonymous visitors)
        if request.session.session_key and request.user.is_authenticated:
            if not user_session_seen(request, request.user):
                logout(request)  # ended from another device
        return self.get_response(request)


TWO_FACTOR_FREE = ("/admin/login/", "/admin/logout/", "/admin/jsi18n/")


class OperatorSecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.OPERATOR_TOTP_REQUIRED
            and request.path.startswith("/admin/")
            and not request.path.startswith(TWO_FACTOR_FREE)
            and request.user.is_authenticated
            and request.user.is_staff
            and not request.user.is_verified()
        ):
            query = urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
            return redirect(f"{reverse('accounts:two_factor_verify')}?{query}")
        return self.get_response(request)
