"""立即抢购's rate limits, per buyer and per client address, with DRF's
throttles (the same counters and cache as the API's): a script looping on
the grab endpoint gets 429s before it reaches the gate."""

from rest_framework.throttling import SimpleRateThrottle

from socialshop.api.throttles import RatesFromSettings


class FlashGrabUserThrottle(RatesFromSettings, SimpleRateThrottle):
    scope = "flash_grab_user"

    def get_cache_key(self, request, view):
        if not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class FlashGrabAddressThrottle(RatesFromSettings, SimpleRateThrottle):
    scope = "flash_grab_address"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


FLASH_GRAB_THROTTLES = (FlashGrabUserThrottle, FlashGrabAddressThrottle)
