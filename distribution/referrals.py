"""Referral capture: every link a reseller shares carries ``?ref=<invite
code>``; the visit's code is remembered so that binding (锁粉) can use it
when the visitor signs up, logs in or orders.

Where it is kept:

- the session, under ``SESSION_KEY``: ``{"code": "ABC234", "at": "<ISO time>",
  "source": "poster"}``;
- a signed cookie ``COOKIE_NAME`` holding ``"<code>:<unix time>:<source>"``
  (cookies set before the source was kept have two parts: a link), for
  ``COOKIE_MAX_AGE``, so a visitor who comes back after the session ended is
  still attributed.

The source is the binding's: a link that came from a share poster's QR code
carries ``?ch=poster`` (``shops.sharing``) and binds with source ``poster``;
any other link, ``link``.

``referral_from_request`` reads them back (session first);
``referral_code_from_request`` gives just the code. A code that matches no
active reseller is ignored, so a made-up link records nothing.

A visitor who is logged in is bound at once (``services.binding_touch``);
one who is not is bound when it logs in or signs up (``receivers``).
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from .choices import BindingSource
from .codes import ALPHABET, LENGTH, invite_code_normalize
from .models import Reseller
from .services import binding_touch

QUERY_PARAM = "ref"
CHANNEL_PARAM = "ch"  # ``?ch=poster`` on the link in a poster's QR code (shops.sharing.POSTER_CHANNEL)
SESSION_KEY = "referral"
COOKIE_NAME = "ref"
COOKIE_SALT = "distribution.referral"
COOKIE_MAX_AGE = timedelta(days=30)


@dataclass(frozen=True)
class Referral:
    code: str
    at: datetime | None  # when the visitor arrived through the link, if known
    source: str = BindingSource.LINK  # the binding's source: a plain link, or a poster's QR code


def referral_source_of(channel: str) -> str:
    """The binding source a link's ``?ch=`` says: poster, else a link."""
    return BindingSource.POSTER if channel == BindingSource.POSTER else BindingSource.LINK


def referral_code_is_well_formed(code: str) -> bool:
    return len(code) == LENGTH and all(char in ALPHABET for char in code)


def _iso_time(value) -> datetime | None:
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _unix_time(value: str) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def referral_from_request(request) -> Referral | None:
    """The referral this visitor arrived with, if any."""
    remembered = request.session.get(SESSION_KEY)
    if remembered:
        return Referral(
            code=remembered["code"],
            at=_iso_time(remembered.get("at")),
            source=referral_source_of(remembered.get("source", "")),
        )
    value = request.get_signed_cookie(COOKIE_NAME, default=None, salt=COOKIE_SALT) or ""
    code, _, rest = value.partition(":")
    at, _, source = rest.partition(":")
    if not referral_code_is_well_formed(code):
        return None
    return Referral(code=code, at=_unix_time(at), source=referral_source_of(source))


def referral_code_from_request(request) -> str | None:
    """The referral code this visitor arrived with, if any."""
    referral = referral_from_request(request)
    return referral.code if referral else None


class ReferralMiddleware:
    """Remembers ``?ref=`` on any page (shop, product, home), and binds a
    visitor who is logged in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        code = invite_code_normalize(request.GET.get(QUERY_PARAM, ""))
        recorded = None
        if code and referral_code_is_well_formed(code):
            recorded = self._record(request, code)
        response = self.get_response(request)
        if recorded:
            response.set_signed_cookie(
                COOKIE_NAME,
                f"{recorded.code}:{int(recorded.at.timestamp())}:{recorded.source}",
                salt=COOKIE_SALT,
                max_age=int(COOKIE_MAX_AGE.total_seconds()),
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response

    def _record(self, request, code: str) -> Referral | None:
        reseller = Reseller.objects.active().filter(invite_code=code).only("id", "user_id", "status").first()
        if reseller is None:
            return None
        if request.user.is_authenticated and reseller.user_id == request.user.id:
            return None  # a reseller opening its own link is not referred by itself
        now = timezone.now()
        source = referral_source_of(request.GET.get(CHANNEL_PARAM, ""))
        request.session[SESSION_KEY] = {"code": code, "at": now.isoformat(), "source": source}
        if request.user.is_authenticated:
            binding_touch(customer=request.user, reseller=reseller, source=source, at=now)
        return Referral(code=code, at=now, source=source)
