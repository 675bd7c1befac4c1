"""DRF's throttles, reading their rates when they run (DRF binds the rates
dict at import, so a changed setting would otherwise be ignored).

A throttled request answers 429 with ``Retry-After`` (DRF sets the header;
our error body adds ``retry_after_seconds``).

The counters live in the cache (Redis in production). When the cache is
down, throttles let requests through and log it: a broken rate limiter must
not take the whole API and the log-in page down with it."""

import logging

from redis.exceptions import RedisError
from rest_framework import throttling
from rest_framework.settings import api_settings

logger = logging.getLogger(__name__)


def client_address(request) -> str:
    """The client's IP address as far as we can trust it: what the throttles
    count (DRF's ``get_ident``): ``REMOTE_ADDR`` with ``NUM_PROXIES`` = 0,
    else the address the nearest of those proxies appended to
    ``X-Forwarded-For`` (what a client put there itself is ignored). The one
    place the platform reads a client's address; WeChat's H5 pay reports it
    (``payer_client_ip``). Works on a Django request as on DRF's."""
    return throttling.BaseThrottle().get_ident(request) or ""


def page_throttled(request, throttles) -> bool:
    """Whether any of an endpoint's API ``throttles`` refuses this page
    request: a page's form that does what an endpoint does (a flash tap,
    a bargain help) counts against the same limits."""
    return any(not throttle().allow_request(request, None) for throttle in throttles)


class RatesFromSettings:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except (RedisError, OSError) as error:
            logger.warning("throttle %s: cache unavailable (%s); letting the request through", self.scope, error)
            return True


class AnonThrottle(RatesFromSettings, throttling.AnonRateThrottle):
    pass


class UserThrottle(RatesFromSettings, throttling.UserRateThrottle):
    pass


class ScopedThrottle(RatesFromSettings, throttling.ScopedRateThrottle):
    """Per user (or address, for anonymous callers) and per ``throttle_scope``
    of the view, e.g. ``order_place``, ``withdrawal_request``."""
