"""A thin client of WeChat's web authorisation (网页授权) and website QR
log-in (网站应用微信登录), over ``requests``: the Python WeChat SDKs are
unmaintained, and these are three plain HTTPS calls.

1. ``authorize_url``: where to send the browser. Inside WeChat's browser,
   the official account's ``/connect/oauth2/authorize`` with
   ``snsapi_base`` (silent: only the openid) or ``snsapi_userinfo`` (asks
   for name and avatar); on a desktop, the open platform's
   ``/connect/qrconnect`` with ``snsapi_login`` (a QR code to scan).
   WeChat sends the browser back to our callback with ``code`` and the
   ``state`` we gave it, which the views bind to the session.
2. ``code_exchange``: ``/sns/oauth2/access_token`` turns the code (good
   once, for five minutes) into an access token and the openid (and the
   unionid, when the app belongs to an open-platform account), server to
   server, with the app secret.
3. ``profile_fetch``: ``/sns/userinfo`` with that token, for the name and
   avatar (not with ``snsapi_base``).

WeChat answers errors as HTTP 200 with ``{"errcode": 40029, "errmsg": …}``
(40029 invalid code, 40163 code already used, 40125 invalid secret …);
they become WechatLogInFailed with the errcode in the log.
"""

import logging
from dataclasses import dataclass
from urllib.parse import urlencode

import requests
from django.conf import settings

from .choices import WechatApp
from .exceptions import WechatLogInFailed
from .services import WechatProfile

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5
SCOPE_BASE = "snsapi_base"
SCOPE_USERINFO = "snsapi_userinfo"
SCOPE_QR = "snsapi_login"


@dataclass(frozen=True)
class WechatAppConfig:
    app: str  # WechatApp
    app_id: str
    secret: str


def wechat_app_config(app: str) -> WechatAppConfig | None:
    """The configured app (official account or website), or None when the
    deployment has not set it up."""
    if app == WechatApp.OFFICIAL_ACCOUNT:
        app_id, secret = settings.WECHAT_MP_APP_ID, settings.WECHAT_MP_APP_SECRET
    else:
        app_id, secret = settings.WECHAT_OPEN_APP_ID, settings.WECHAT_OPEN_APP_SECRET
    return WechatAppConfig(app=app, app_id=app_id, secret=secret) if app_id and secret else None


def in_wechat_browser(request) -> bool:
    return "micromessenger" in request.headers.get("User-Agent", "").lower()


def authorize_url(config: WechatAppConfig, *, redirect_uri: str, state: str, scope: str) -> str:
    query = urlencode(
        {"appid": config.app_id, "redirect_uri": redirect_uri, "response_type": "code", "scope": scope, "state": state}
    )
    if config.app == WechatApp.OFFICIAL_ACCOUNT:
        return f"{settings.WECHAT_AUTHORIZE_URL}?{query}#wechat_redirect"
    return f"{settings.WECHAT_QRCONNECT_URL}?{query}#wechat_redirect"


def _get(path: str, params: dict) -> dict:
    try:
        response = requests.get(f"{settings.WECHAT_API_URL}{path}", params=params, timeout=TIMEOUT_SECONDS)
        response.raise_for_status()
        body = response.json()
    except (requests.RequestException, ValueError) as error:
        logger.warning("WeChat %s: no usable answer (%s)", path, type(error).__name__)
        raise WechatLogInFailed() from error
    if not isinstance(body, dict) or body.get("errcode"):
        code = body.get("errcode") if isinstance(body, dict) else "?"
        logger.warning("WeChat %s refused: errcode %s", path, code)
        raise WechatLogInFailed(errcode=code)
    return body


def code_exchange(config: WechatAppConfig, *, code: str) -> dict:
    """The access token answer for an authorisation ``code``:
    ``access_token``, ``openid``, ``scope``, maybe ``unionid``."""
    body = _get(
        "/sns/oauth2/access_token",
        {"appid": config.app_id, "secret": config.secret, "code": code, "grant_type": "authorization_code"},
    )
    if not body.get("openid") or not body.get("access_token"):
        raise WechatLogInFailed()
    return body


def profile_fetch(config: WechatAppConfig, *, token: dict) -> WechatProfile:
    """The person behind an exchanged code: with a ``snsapi_base`` token only
    its ids; otherwise also its WeChat name and avatar (``/sns/userinfo``)."""
    scopes = set(str(token.get("scope", "")).split(","))
    profile = {"openid": token["openid"], "unionid": token.get("unionid", "")}
    if scopes & {SCOPE_USERINFO, SCOPE_QR}:
        info = _get(
            "/sns/userinfo", {"access_token": token["access_token"], "openid": token["openid"], "lang": "zh_CN"}
        )
        profile.update(
            unionid=info.get("unionid") or profile["unionid"],
            nickname=str(info.get("nickname") or ""),
            avatar_url=str(info.get("headimgurl") or ""),
        )
    return WechatProfile(app=config.app, app_id=config.app_id, **profile)
