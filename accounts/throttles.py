"""Log-in throttling, per account and per address, with DRF's throttle
machinery (the same counters and cache as the API's throttles).
``log_in_retry_after`` is the one rule every log-in page applies: the
site's (``/accounts/log-in/``) and the admin's (``/admin/login/``)."""

import math

from django.core.exceptions import ValidationError
from rest_framework.throttling import SimpleRateThrottle

from socialshop.api.throttles import RatesFromSettings

from .phone import normalize_mainland_mobile


class LogInAccountThrottle(RatesFromSettings, SimpleRateThrottle):
    """Attempts at one account, from anywhere (guessing one person's password)."""

    scope = "login_account"

    def get_cache_key(self, request, view):
        typed = request.POST.get("username", "")
        try:
            account = normalize_mainland_mobile(typed)
        except ValidationError:  # not a phone: throttle on what was typed
            account = typed.strip()[:40]
        return self.cache_format % {"scope": self.scope, "ident": account}


class LogInAddressThrottle(RatesFromSettings, SimpleRateThrottle):
    """Attempts from one address, at any account (trying many accounts)."""

    scope = "login_address"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


LOG_IN_THROTTLES = (LogInAccountThrottle, LogInAddressThrottle)


def log_in_retry_after(request) -> int | None:
    """Count one log-in attempt against its account and its address. When
    either is over its rate: the seconds to wait (the attempt must then be
    refused, 429 with Retry-After, without checking the password); else None."""
    throttles = [throttle() for throttle in LOG_IN_THROTTLES]
    waits = [throttle.wait() for throttle in throttles if not throttle.allow_request(request, None)]
    if not waits:
        return None
    return math.ceil(max(wait or 1 for wait in waits))
