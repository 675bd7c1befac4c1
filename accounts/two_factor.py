"""Operators' second factor: a TOTP authenticator app (django-otp's TOTP
device) and ten one-time recovery codes (its static device), docs/identity.md.

Only these functions write the devices. A session proves the factor with
``second_factor_verify`` (django-otp's ``login`` marks the session; its
``request.user.is_verified()`` reads it), and
``accounts.middleware.OperatorSecondFactorMiddleware`` keeps unverified staff
out of the admin when ``OPERATOR_TOTP_REQUIRED`` is on."""

import segno
from django.conf import settings
from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .choices import SecurityEventKind
from .models import User
from .services import ClientSeen, security_event_record

AUTHENTICATOR = "authenticator"
RECOVERY = "recovery"
RECOVERY_CODES = 10


def totp_confirmed(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def totp_pending(user: User) -> TOTPDevice:
    """The authenticator being enrolled: one unconfirmed device per user,
    kept across page loads (the QR code stays the same until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)
    return device


def totp_qr_svg(device: TOTPDevice) -> str:
    """The device's ``otpauth://`` URI (issuer ``OTP_TOTP_ISSUER``, the
    account's number) as an inline SVG QR code (segno): no image request,
    nothing for the content security policy to allow."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, border=2)


def totp_secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _token_clean(token: str) -> str:
    return "".join((token or "").split()).lower()


def totp_confirm(request, *, device_id: int, token: str, client: ClientSeen) -> list[str] | None:
    """Confirm the pending authenticator with a code it shows: it replaces
    any earlier one, this session counts as verified, and ten fresh recovery
    codes are made, returned here to be shown once. None when the code is
    wrong (django-otp's throttle slows repeated wrong codes)."""
    user = request.user
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(pk=device_id, user=user, confirmed=False).first()
        if device is None or not device.verify_token(_token_clean(token)):
            return None
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        StaticDevice.objects.filter(user=user).delete()
        recovery = StaticDevice.objects.create(user=user, name=RECOVERY, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create([StaticToken(device=recovery, token=code) for code in codes])
        security_event_record(user=user, kind=SecurityEventKind.TOTP_ENROLLED, client=client)
    otp_login(request, device)
    return codes


def second_factor_verify(request, *, token: str, client: ClientSeen) -> bool:
    """This session proves the second factor with a code from the
    authenticator, or with one of the recovery codes (spent; recorded).
    The devices are locked while checked, so a code works once even when
    two requests bring it at the same moment."""
    user = request.user
    token = _token_clean(token)
    with transaction.atomic():
        totp = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if totp is not None and token.isdigit() and totp.verify_token(token):
            device = totp
        else:
            recovery = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
            if recovery is None or token.isdigit() or not recovery.verify_token(token):
                return False
            device = recovery
            security_event_record(user=user, kind=SecurityEventKind.RECOVERY_CODE_USED, client=client)
    otp_login(request, device)
    return True


def second_factor_required(user) -> bool:
    return bool(settings.OPERATOR_TOTP_REQUIRED and user.is_authenticated and user.is_staff)
