"""Production: everything in base, locked down.

Refuses to start without a real ``SECRET_KEY``, a ``DATABASE_URL`` and
``ALLOWED_HOSTS``, with the sandbox payment provider unless told
(``PAYMENT_SANDBOX_IN_PRODUCTION``), with the console SMS provider unless told
(``SMS_CONSOLE_IN_PRODUCTION``), or with an SMS provider or WeChat app
configured by half; ``python manage.py check --deploy``
passes with no warning (a test runs it). TLS ends at the load balancer in
front of gunicorn, which sets ``X-Forwarded-Proto``.
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    PAYMENT_PROVIDER,
    PAYMENT_PROVIDERS,
    SMS_ALIYUN_ACCESS_KEY_ID,
    SMS_ALIYUN_ACCESS_KEY_SECRET,
    SMS_ALIYUN_SCHEME,
    SMS_ALIYUN_SIGN_NAME,
    SMS_ALIYUN_TEMPLATE_CODE,
    SMS_PROVIDER,
    SMS_TENCENT_SDK_APP_ID,
    SMS_TENCENT_SECRET_ID,
    SMS_TENCENT_SECRET_KEY,
    SMS_TENCENT_SIGN_NAME,
    SMS_TENCENT_TEMPLATE_ID,
    WECHAT_MP_APP_ID,
    WECHAT_MP_APP_SECRET,
    WECHAT_OPEN_APP_ID,
    WECHAT_OPEN_APP_SECRET,
    env,
)

SECRET_KEY = env("SECRET_KEY")
DEBUG = False
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind one load balancer: throttles count the client's address it appends
# to X-Forwarded-For, not the balancer's own (which would make every limit
# site-wide). The balancer must overwrite a client-sent X-Forwarded-For.
REST_FRAMEWORK = {**REST_FRAMEWORK, "NUM_PROXIES": env.int("NUM_PROXIES", default=1)}  # noqa: F405
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# /healthz is probed over plain HTTP from inside the cluster.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

WEBHOOKS_REQUIRE_HTTPS = env.bool("WEBHOOKS_REQUIRE_HTTPS", default=True)
WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
BENCH_ENDPOINTS = False  # bench/orders.py's baseline endpoint never exists in production

# The sandbox collects no money: its cashier page pays whatever it is told to.
# Production refuses it unless the deployment says it means it (a try-out, or
# until a real provider exists: docs/configuration.md).
PAYMENT_SANDBOX_IN_PRODUCTION = env.bool("PAYMENT_SANDBOX_IN_PRODUCTION", default=False)
_PAYMENT_PATHS = PAYMENT_PROVIDERS or [PAYMENT_PROVIDER]
if "sandbox.payments.SandboxPaymentProvider" in _PAYMENT_PATHS and not PAYMENT_SANDBOX_IN_PRODUCTION:
    raise ImproperlyConfigured(
        "PAYMENT_PROVIDERS includes the sandbox, which collects no money: list only real providers, "
        "or set PAYMENT_SANDBOX_IN_PRODUCTION=true to run the sandbox in production on purpose."
    )

# A gateway is enabled whole or not at all: each one's settings, all of them, and its key files readable.
# (Names only in the messages: a key's value is never printed.)
_GATEWAY_SETTINGS = {
    "payments.wechatpay.WeChatPayProvider": {
        "WECHATPAY_MCHID": False,
        "WECHATPAY_APPID": False,
        "WECHATPAY_CERT_SERIAL_NO": False,
        "WECHATPAY_PUBLIC_KEY_ID": False,
        "WECHATPAY_PRIVATE_KEY_FILE": True,
        "WECHATPAY_APIV3_KEY_FILE": True,
        "WECHATPAY_PUBLIC_KEY_FILE": True,
    },
    "payments.alipay.AlipayProvider": {
        "ALIPAY_APP_ID": False,
        "ALIPAY_APP_PRIVATE_KEY_FILE": True,
        # Alipay's public key, or in certificate mode the three certificates in its place
        **(
            {"ALIPAY_APP_CERT_FILE": True, "ALIPAY_CERT_FILE": True, "ALIPAY_ROOT_CERT_FILE": True}
            if ALIPAY_KEY_MODE == "certificate"  # noqa: F405
            else {"ALIPAY_PUBLIC_KEY_FILE": True}
        ),
    },
}
for _path, _names in _GATEWAY_SETTINGS.items():
    _values = {name: globals()[name] for name in _names}
    if _path not in _PAYMENT_PATHS:
        if any(_values.values()):
            _missing = [name for name, value in _values.items() if not value]
            if _missing:
                raise ImproperlyConfigured(
                    f"{_path} is half-configured ({', '.join(_missing)} unset) and not in PAYMENT_PROVIDERS: "
                    "configure it whole and enable it, or unset its settings."
                )
        continue
    _missing = [name for name, value in _values.items() if not value]
    _unreadable = [
        name for name, is_file in _names.items() if is_file and _values[name] and not Path(_values[name]).is_file()
    ]
    if _missing or _unreadable:
        raise ImproperlyConfigured(
            f"{_path} is enabled but half-configured: "
            + "; ".join(
                filter(
                    None,
                    [
                        _missing and f"unset: {', '.join(_missing)}",
                        _unreadable and f"no such file: {', '.join(_unreadable)}",
                    ],
                )
            )
        )
if "payments.wechatpay.WeChatPayProvider" in _PAYMENT_PATHS and not WECHATPAY_API_BASE.startswith("https://"):  # noqa: F405
    raise ImproperlyConfigured("WECHATPAY_API_BASE must be https:// in production.")
if "payments.alipay.AlipayProvider" in _PAYMENT_PATHS and not ALIPAY_GATEWAY.startswith("https://"):  # noqa: F405
    raise ImproperlyConfigured("ALIPAY_GATEWAY must be https:// in production.")
# Paying resellers through the real rails (payments.payouts.GatewayPayoutProvider): each gateway it pays
# through is configured whole (the loop above refused one half-configured), WeChat's transfers name a
# public https notify URL and pay the openids resellers log in with (the official account's app id), and
# at least one of the two is there.
if PAYOUT_PROVIDER == "payments.payouts.GatewayPayoutProvider":  # noqa: F405
    _PAYOUT_GATEWAYS = [_path for _path, _names in _GATEWAY_SETTINGS.items() if all(globals()[name] for name in _names)]
    _payout_missing = []
    if not _PAYOUT_GATEWAYS:
        _payout_missing.append("the settings of WeChat Pay or Alipay (WECHATPAY_* or ALIPAY_*)")
    for _path in _PAYOUT_GATEWAYS:
        _unreadable = [
            name
            for name, is_file in _GATEWAY_SETTINGS[_path].items()
            if is_file and not Path(globals()[name]).is_file()
        ]
        _payout_missing += [f"a readable {name}" for name in _unreadable]
    if "payments.wechatpay.WeChatPayProvider" in _PAYOUT_GATEWAYS:
        if not PAYOUT_NOTIFY_BASE_URL.startswith("https://"):  # noqa: F405
            _payout_missing.append("PAYOUT_NOTIFY_BASE_URL (https://, where WeChat Pay reaches us)")
        if not WECHATPAY_TRANSFER_SCENE_ID:  # noqa: F405
            _payout_missing.append("WECHATPAY_TRANSFER_SCENE_ID")
        if WECHAT_MP_APP_ID != WECHATPAY_APPID:  # noqa: F405
            _payout_missing.append("WECHAT_MP_APP_ID equal to WECHATPAY_APPID (transfers pay that app's openids)")
        if not WECHATPAY_API_BASE.startswith("https://"):  # noqa: F405
            _payout_missing.append("WECHATPAY_API_BASE (https://)")
    if "payments.alipay.AlipayProvider" in _PAYOUT_GATEWAYS and not ALIPAY_GATEWAY.startswith("https://"):  # noqa: F405
        _payout_missing.append("ALIPAY_GATEWAY (https://)")
    if _payout_missing:
        raise ImproperlyConfigured(
            "PAYOUT_PROVIDER pays through the gateways but is half-configured: needs " + "; ".join(_payout_missing)
        )
# The console SMS provider sends nothing: it writes log-in codes into the log. Production refuses it
# unless told (a try-out), and refuses a provider or a WeChat app configured by half.
OPERATOR_TOTP_REQUIRED = env.bool("OPERATOR_TOTP_REQUIRED", default=True)
SMS_CONSOLE_IN_PRODUCTION = env.bool("SMS_CONSOLE_IN_PRODUCTION", default=False)
if SMS_PROVIDER == "accounts.sms.console.ConsoleSmsProvider" and not SMS_CONSOLE_IN_PRODUCTION:
    raise ImproperlyConfigured(
        "SMS_PROVIDER is the console, which sends no SMS and logs log-in codes: set SMS_PROVIDER to a real "
        "provider (accounts.sms.tencent.TencentSmsProvider), or SMS_CONSOLE_IN_PRODUCTION=true on purpose."
    )
_TENCENT_SMS = {
    "SMS_TENCENT_SECRET_ID": SMS_TENCENT_SECRET_ID,
    "SMS_TENCENT_SECRET_KEY": SMS_TENCENT_SECRET_KEY,
    "SMS_TENCENT_SDK_APP_ID": SMS_TENCENT_SDK_APP_ID,
    "SMS_TENCENT_SIGN_NAME": SMS_TENCENT_SIGN_NAME,
    "SMS_TENCENT_TEMPLATE_ID": SMS_TENCENT_TEMPLATE_ID,
}
if SMS_PROVIDER == "accounts.sms.tencent.TencentSmsProvider" and not all(_TENCENT_SMS.values()):
    raise ImproperlyConfigured(
        "SMS_PROVIDER is Tencent Cloud SMS but these are empty: "
        + ", ".join(name for name, value in _TENCENT_SMS.items() if not value)
    )
_ALIYUN_SMS = {
    "SMS_ALIYUN_ACCESS_KEY_ID": SMS_ALIYUN_ACCESS_KEY_ID,
    "SMS_ALIYUN_ACCESS_KEY_SECRET": SMS_ALIYUN_ACCESS_KEY_SECRET,
    "SMS_ALIYUN_SIGN_NAME": SMS_ALIYUN_SIGN_NAME,
    "SMS_ALIYUN_TEMPLATE_CODE": SMS_ALIYUN_TEMPLATE_CODE,
}
if SMS_PROVIDER == "accounts.sms.aliyun.AliyunSmsProvider":
    if not all(_ALIYUN_SMS.values()):
        raise ImproperlyConfigured(
            "SMS_PROVIDER is Alibaba Cloud SMS but these are empty: "
            + ", ".join(name for name, value in _ALIYUN_SMS.items() if not value)
        )
    if SMS_ALIYUN_SCHEME != "https":
        raise ImproperlyConfigured("SMS_ALIYUN_SCHEME must be https in production.")
for _app_id, _secret, _names in (
    (WECHAT_MP_APP_ID, WECHAT_MP_APP_SECRET, "WECHAT_MP_APP_ID / WECHAT_MP_APP_SECRET"),
    (WECHAT_OPEN_APP_ID, WECHAT_OPEN_APP_SECRET, "WECHAT_OPEN_APP_ID / WECHAT_OPEN_APP_SECRET"),
):
    if bool(_app_id) != bool(_secret):
        raise ImproperlyConfigured(f"{_names}: set both or neither.")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
