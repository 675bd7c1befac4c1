"""DRF's throttles, reading their rates when they run (DRF binds the rates
dict at import, so a changed setting would otherwise be ignored).

A throttled request answers 429 with ``Retry-After`` (DRF sets the header;
our error body adds ``retry_after_seconds``)."""

from rest_framework import throttling
from rest_framework.settings import api_settings


class RatesFromSettings:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonThrottle(RatesFromSettings, throttling.AnonRateThrottle):
    pass


class UserThrottle(RatesFromSettings, throttling.UserRateThrottle):
    pass


class ScopedThrottle(RatesFromSettings, throttling.ScopedRateThrottle):
    """Per user (or address, for anonymous callers) and per ``throttle_scope``
    of the view, e.g. ``order_place``, ``withdrawal_request``."""
