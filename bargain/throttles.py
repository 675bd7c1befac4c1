"""帮砍's limits, per helper and per client address, each per day, with DRF's
throttles (the same counters and cache as the API's; 429 with
``retry_after_seconds``). The page's 帮砍 form applies the same two."""

from rest_framework.throttling import SimpleRateThrottle

from socialshop.api.throttles import RatesFromSettings


class BargainHelpUserThrottle(RatesFromSettings, SimpleRateThrottle):
    scope = "bargain_help_user"

    def get_cache_key(self, request, view):
        if not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class BargainHelpAddressThrottle(RatesFromSettings, SimpleRateThrottle):
    scope = "bargain_help_address"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


BARGAIN_HELP_THROTTLES = (BargainHelpUserThrottle, BargainHelpAddressThrottle)
