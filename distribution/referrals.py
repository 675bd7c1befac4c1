"""Referral capture: every link a reseller shares carries ``?ref=<invite
code>``; the visit's code is remembered so that binding (锁粉) can use it
when the visitor signs up, logs in or orders.

Where it is kept:

- the session, under ``SESSION_KEY``: ``{"code": "ABC234", "at": "<ISO time>"}``;
- a signed cookie ``COOKIE_NAME`` holding the code, for ``COOKIE_MAX_AGE``,
  so a visitor who comes back after the session ended is still attributed.

``referral_code_from_request`` reads them back (session first). A code that
matches no reseller is ignored, so a made-up link records nothing.
"""

from datetime import timedelta

from django.utils import timezone

from .codes import ALPHABET, LENGTH, invite_code_normalize
from .models import Reseller

QUERY_PARAM = "ref"
SESSION_KEY = "referral"
COOKIE_NAME = "ref"
COOKIE_SALT = "distribution.referral"
COOKIE_MAX_AGE = timedelta(days=30)


def referral_code_is_well_formed(code: str) -> bool:
    return len(code) == LENGTH and all(char in ALPHABET for char in code)


def referral_code_from_request(request) -> str | None:
    """The referral code this visitor arrived with, if any."""
    remembered = request.session.get(SESSION_KEY)
    if remembered:
        return remembered["code"]
    code = request.get_signed_cookie(COOKIE_NAME, default=None, salt=COOKIE_SALT)
    return code if code and referral_code_is_well_formed(code) else None


class ReferralMiddleware:
    """Remembers ``?ref=`` on any page (shop, product, home)."""

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
                recorded,
                salt=COOKIE_SALT,
                max_age=int(COOKIE_MAX_AGE.total_seconds()),
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response

    def _record(self, request, code: str) -> str | None:
        reseller = Reseller.objects.filter(invite_code=code).only("id", "user_id").first()
        if reseller is None:
            return None
        if request.user.is_authenticated and reseller.user_id == request.user.id:
            return None  # a reseller opening its own link is not referred by itself
        request.session[SESSION_KEY] = {"code": code, "at": timezone.now().isoformat()}
        return code
