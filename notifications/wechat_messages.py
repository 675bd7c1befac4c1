"""WeChat template messages (模板消息) of the official account, over
``requests`` (the Python WeChat SDKs are unmaintained; this is two calls).

1. ``/cgi-bin/token`` (``grant_type=client_credential`` with the app id and
   secret) gives an access token good for ``expires_in`` seconds (7200); it
   is kept in the cache, shared by every worker, until five minutes before.
2. ``/cgi-bin/message/template/send?access_token=…`` sends one message to
   one openid: the template id, a link, and the template's fields
   (``first``: the title, ``keyword1``: the text, as our template defines).

WeChat answers errors as HTTP 200 with ``errcode``: 40001 / 42001 (token
invalid or expired: fetched again once), 43004 (the person does not follow
the account), 40003 (not an openid of this app) … WeChat takes no
idempotency key: a send that WeChat accepted but whose answer we lost is
sent again on retry (docs/notifications.md, "the window").
"""

import requests
from django.conf import settings
from django.core.cache import cache

TIMEOUT_SECONDS = 5
TOKEN_EXPIRED = {40001, 42001, 40014}
TOKEN_SAFETY_SECONDS = 300


class WechatSendFailed(Exception):
    pass


def enabled() -> bool:
    return bool(
        settings.WECHAT_MP_APP_ID and settings.WECHAT_MP_APP_SECRET and settings.NOTIFICATIONS_WECHAT_TEMPLATE_ID
    )


def template_for(kind: str) -> str:
    return settings.NOTIFICATIONS_WECHAT_TEMPLATES.get(kind) or settings.NOTIFICATIONS_WECHAT_TEMPLATE_ID


def _cache_key() -> str:
    return f"wechat-mp-access-token:{settings.WECHAT_MP_APP_ID}"


def access_token(*, fresh: bool = False) -> str:
    token = None if fresh else cache.get(_cache_key())
    if token:
        return token
    try:
        answer = requests.get(
            f"{settings.WECHAT_API_URL}/cgi-bin/token",
            params={
                "grant_type": "client_credential",
                "appid": settings.WECHAT_MP_APP_ID,
                "secret": settings.WECHAT_MP_APP_SECRET,
            },
            timeout=TIMEOUT_SECONDS,
        ).json()
    except (requests.RequestException, ValueError) as error:
        raise WechatSendFailed(f"token: {error.__class__.__name__}") from error
    if not answer.get("access_token"):
        raise WechatSendFailed(f"token: errcode {answer.get('errcode')}")
    lifetime = max(int(answer.get("expires_in", 7200)) - TOKEN_SAFETY_SECONDS, 60)
    cache.set(_cache_key(), answer["access_token"], lifetime)
    return answer["access_token"]


def template_send(*, openid: str, template_id: str, title: str, body: str, url: str = "") -> str:
    """Send one template message; the ``msgid`` WeChat gives, or WechatSendFailed."""
    payload = {
        "touser": openid,
        "template_id": template_id,
        "data": {"first": {"value": title}, "keyword1": {"value": body}},
    }
    if url:
        payload["url"] = f"{settings.NOTIFICATIONS_SITE_URL}{url}"
    for fresh in (False, True):
        try:
            answer = requests.post(
                f"{settings.WECHAT_API_URL}/cgi-bin/message/template/send",
                params={"access_token": access_token(fresh=fresh)},
                json=payload,
                timeout=TIMEOUT_SECONDS,
            ).json()
        except (requests.RequestException, ValueError) as error:
            raise WechatSendFailed(error.__class__.__name__) from error
        errcode = answer.get("errcode", 0)
        if errcode == 0:
            return str(answer.get("msgid", ""))
        if errcode not in TOKEN_EXPIRED:
            break
    raise WechatSendFailed(f"errcode {errcode}")
