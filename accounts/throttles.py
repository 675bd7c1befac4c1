"""Log-in throttling, per account and per address, with DRF's throttle
machinery (the same counters and cache as the API's throttles).
``log_in_retry_after`` is the one rule every log-in applies: the site's
page (``/accounts/log-in/``, by password or SMS code), the admin's
(``/admin/login/``) and the API's log-in by SMS code.

``sms_send_retry_after`` is the one rule for sending an SMS code, on pages
and in the API: one code a minute per number, ten a day per number, a
number of codes per client address and a ceiling for the whole site."""

import logging
import math
import time
from dataclasses import dataclass
from types import SimpleNamespace

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from redis.exceptions import RedisError
from rest_framework.throttling import SimpleRateThrottle

from socialshop.api.throttles import RatesFromSettings

from .phone import normalize_mainland_mobile


class LogInAccountThrottle(RatesFromSettings, SimpleRateThrottle):
    """Attempts at one account, from anywhere (guessing one person's password)."""

    scope = "login_account"

    def get_cache_key(self, request, view):
        typed = getattr(view, "log_in_account", None) or request.POST.get("username", "")
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


def log_in_retry_after(request, *, account: str | None = None) -> int | None:
    """Count one log-in attempt against its account (``account``, else the
    form's ``username``) and its address. When either is over its rate: the
    seconds to wait (the attempt must then be refused, 429 with Retry-After,
    without checking the password or code); else None."""
    view = SimpleNamespace(log_in_account=account)
    throttles = [throttle() for throttle in LOG_IN_THROTTLES]
    waits = [throttle.wait() for throttle in throttles if not throttle.allow_request(request, view)]
    if not waits:
        return None
    return math.ceil(max(wait or 1 for wait in waits))


logger = logging.getLogger(__name__)


class _SmsSendThrottle(RatesFromSettings, SimpleRateThrottle):
    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": view.sms_ident}


class SmsSendPhoneThrottle(_SmsSendThrottle):
    """Codes to one number (10 a day): nobody's phone is flooded."""

    scope = "sms_send_phone"


class SmsSendAddressThrottle(_SmsSendThrottle):
    """Codes asked from one client address, to any numbers."""

    scope = "sms_send_address"


class SmsSendGlobalThrottle(_SmsSendThrottle):
    """Codes the whole site sends: a ceiling on the SMS bill if all else fails."""

    scope = "sms_send_global"


@dataclass(frozen=True)
class SmsSendRefused:
    retry_after: int  # seconds
    limit: str  # which limit: phone_interval, phone_daily, address, global

    @property
    def message(self) -> str:
        """What the person reads: the number's own limits are worth naming."""
        if self.limit in ("phone_interval", "phone_daily"):
            text = _("Codes are sent at most once a minute and ten times a day. Try again in %(seconds)s seconds.")
        else:
            text = _("Too many codes were asked for just now. Try again in %(seconds)s seconds.")
        return text % {"seconds": self.retry_after}


def _interval_key(phone: str) -> str:
    return f"sms_send_interval:{phone}"


def _interval_wait(phone: str) -> int | None:
    """One code a minute per number, taken atomically (Redis SET NX through
    ``cache.add``): two requests at once cannot both pass. The key holds
    when the minute ends, so a refusal can say how long to wait."""
    key = _interval_key(phone)
    interval = settings.SMS_CODE_RESEND_SECONDS
    try:
        if cache.add(key, time.time() + interval, timeout=interval):
            return None
        ends_at = cache.get(key)
    except (RedisError, OSError) as error:
        logger.warning("SMS interval: cache unavailable (%s); letting the request through", error)
        return None
    return max(1, math.ceil((ends_at or time.time() + interval) - time.time()))


def sms_send_retry_after(request, *, phone: str) -> SmsSendRefused | None:
    """Count one code for (normalised) ``phone`` asked from ``request``'s
    address. When a limit refuses it: how long to wait and which limit (the
    code must then not be sent: 429 with Retry-After); else None. The
    per-minute gate comes first, so a client hammering one number is
    refused without using up the number's day."""
    wait = _interval_wait(phone)
    if wait is not None:
        return SmsSendRefused(retry_after=wait, limit="phone_interval")
    limits = (
        (SmsSendPhoneThrottle, phone, "phone_daily"),
        (SmsSendAddressThrottle, None, "address"),
        (SmsSendGlobalThrottle, "all", "global"),
    )
    for throttle_class, ident, limit in limits:
        throttle = throttle_class()
        view = SimpleNamespace(sms_ident=ident or throttle.get_ident(request))
        if not throttle.allow_request(request, view):
            _interval_release(phone)  # nothing is sent: the number's minute is not used up
            return SmsSendRefused(retry_after=math.ceil(throttle.wait() or 1), limit=limit)
    return None


def _interval_release(phone: str) -> None:
    try:
        cache.delete(_interval_key(phone))
    except (RedisError, OSError):
        pass
