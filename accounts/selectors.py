"""Readers of accounts that other apps call."""

from django.conf import settings

from .models import User, WechatIdentity


def user_wechat_openid(user: User, app_id: str | None = None) -> str | None:
    """The openid ``user`` has under the WeChat ``app_id`` (by default the
    official account's, ``WECHAT_MP_APP_ID``: what JSAPI payment and WeChat
    payouts to a person need), or None when it never logged in through it."""
    app_id = app_id or settings.WECHAT_MP_APP_ID
    if not app_id or user is None or not user.pk:
        return None
    return WechatIdentity.objects.filter(user_id=user.pk, app_id=app_id).values_list("openid", flat=True).first()
