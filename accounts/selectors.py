"""Readers of accounts that other apps call."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from ua_parser import parse as ua_parse

from .models import User, UserSession, WechatIdentity


def user_wechat_openid(user: User, app_id: str | None = None) -> str | None:
    """The openid ``user`` has under the WeChat ``app_id`` (by default the
    official account's, ``WECHAT_MP_APP_ID``: what JSAPI payment and WeChat
    payouts to a person need), or None when it never logged in through it."""
    app_id = app_id or settings.WECHAT_MP_APP_ID
    if not app_id or user is None or not user.pk:
        return None
    return WechatIdentity.objects.filter(user_id=user.pk, app_id=app_id).values_list("openid", flat=True).first()


@dataclass(frozen=True)
class SessionRow:
    id: int
    session_key: str
    device: str  # "iPhone · 微信", "Windows · Chrome"
    ip_address: str | None
    created_at: datetime
    last_seen_at: datetime


def user_agent_describe(user_agent: str) -> str:
    """A browser's user agent in a person's words: its system (or device)
    and browser, read by ua-parser (WeChat's built-in browser is named as
    such); "未知设备" when nothing is recognised."""
    if not user_agent:
        return _("Unknown device")
    parsed = ua_parse(user_agent)
    browser = parsed.user_agent.family if parsed.user_agent else ""
    system = parsed.os.family if parsed.os else ""
    device = parsed.device.family if parsed.device else ""
    if "MicroMessenger" in user_agent:
        browser = _("WeChat")
    where = device if device in ("iPhone", "iPad") else system
    parts = [part for part in (where, browser) if part and part != "Other"]
    return " · ".join(parts) or _("Unknown device")


def user_sessions_list(*, user: User) -> list[SessionRow]:
    """``user``'s open browser sessions, the most recently seen first (one
    query); a session unseen for longer than a session lasts
    (``SESSION_COOKIE_AGE``) has expired and is not listed."""
    alive_since = timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE)
    rows = UserSession.objects.filter(user=user, ended_at__isnull=True, last_seen_at__gte=alive_since).order_by(
        "-last_seen_at", "-pk"
    )[:50]
    return [
        SessionRow(
            id=row.pk,
            session_key=row.session_key,
            device=user_agent_describe(row.user_agent),
            ip_address=row.ip_address,
            created_at=row.created_at,
            last_seen_at=row.last_seen_at,
        )
        for row in rows
    ]
