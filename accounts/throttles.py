"""Log-in throttling, per account and per address, with DRF's throttle
machinery (the same counters and cache as the API's throttles)."""

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
