"""Settings read from the environment (django-environ).

With nothing set the project runs on the embedded default: a SQLite file next
to ``manage.py``, a local-memory cache, and Celery tasks executed in process.
Every name below can be set in the environment or in a ``.env`` file at the
project's root; ``docs/configuration.md`` lists them.
"""

import hashlib
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- core ---------------------------------------------------------------

# The fallback key is only good for a laptop; production.py refuses it.
SECRET_KEY = env("SECRET_KEY", default="django-insecure-local-development-only-key-do-not-deploy")
DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "import_export",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # ours, from the bottom of the dependency graph up (docs/architecture.md)
    "socialshop",
    "ledger",
    "accounts",
    "catalog",
    "distribution",
    "coupons",
    "shops",
    "orders",
    "groupbuy",
    "commissions",
    "webhooks",
    "notifications",
    "flash",
    "bargain",
    "sandbox",
    "payments",
    "audit",
    "growth",
    "demo",
]

MIDDLEWARE = [
    "socialshop.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.UserSessionMiddleware",
    "accounts.middleware.OperatorSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "distribution.referrals.ReferralMiddleware",
    "socialshop.middleware.DomainErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "socialshop.urls"
WSGI_APPLICATION = "socialshop.wsgi.application"
ASGI_APPLICATION = "socialshop.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Content-Security-Policy on every response (django-csp): scripts, fonts,
# images and connections only from this site; no inline scripts anywhere
# (the API docs load their script as a file). Inline *styles* are allowed:
# the admin and Swagger UI set some, and they cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- data ---------------------------------------------------------------

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- users --------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
RESELLER_LOGIN_REDIRECT_URL = "commissions:workbench"  # without ?next= a reseller lands on its workbench, /my-shop/
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- log-in by SMS code and by WeChat (docs/identity.md) -------------------

# Dotted path of the class that sends SMS (it implements accounts.sms.SmsProvider). The console
# provider only logs the code (and keeps the last ones in memory for tests): the quick start's.
SMS_PROVIDER = env("SMS_PROVIDER", default="accounts.sms.console.ConsoleSmsProvider")
# A code is good this long; a number gets at most one code per SMS_CODE_RESEND_SECONDS.
SMS_CODE_TTL_SECONDS = env.int("SMS_CODE_TTL_SECONDS", default=300)
SMS_CODE_RESEND_SECONDS = env.int("SMS_CODE_RESEND_SECONDS", default=60)
# Tencent Cloud SMS (accounts.sms.tencent.TencentSmsProvider): a CAM key, the SMS app, an
# approved signature (签名) and code template (模板, with two parameters: the code, its minutes).
SMS_TENCENT_SECRET_ID = env("SMS_TENCENT_SECRET_ID", default="")
SMS_TENCENT_SECRET_KEY = env("SMS_TENCENT_SECRET_KEY", default="")
SMS_TENCENT_SDK_APP_ID = env("SMS_TENCENT_SDK_APP_ID", default="")
SMS_TENCENT_SIGN_NAME = env("SMS_TENCENT_SIGN_NAME", default="")
SMS_TENCENT_TEMPLATE_ID = env("SMS_TENCENT_TEMPLATE_ID", default="")
SMS_TENCENT_REGION = env("SMS_TENCENT_REGION", default="ap-guangzhou")
SMS_TENCENT_ENDPOINT = env("SMS_TENCENT_ENDPOINT", default="sms.tencentcloudapi.com")
SMS_TENCENT_SCHEME = env("SMS_TENCENT_SCHEME", default="https")  # tests speak http to a local fake
# Alibaba Cloud SMS (accounts.sms.aliyun.AliyunSmsProvider): a RAM AccessKey allowed to call
# dysms:SendSms, the approved signature and the approved code template (one variable, ${code}).
SMS_ALIYUN_ACCESS_KEY_ID = env("SMS_ALIYUN_ACCESS_KEY_ID", default="")
SMS_ALIYUN_ACCESS_KEY_SECRET = env("SMS_ALIYUN_ACCESS_KEY_SECRET", default="")
SMS_ALIYUN_SIGN_NAME = env("SMS_ALIYUN_SIGN_NAME", default="")
SMS_ALIYUN_TEMPLATE_CODE = env("SMS_ALIYUN_TEMPLATE_CODE", default="")
SMS_ALIYUN_ENDPOINT = env("SMS_ALIYUN_ENDPOINT", default="dysmsapi.aliyuncs.com")
SMS_ALIYUN_SCHEME = env("SMS_ALIYUN_SCHEME", default="https")  # tests speak http to a local fake
# Operators must prove a second factor (a TOTP authenticator app, django-otp) before any admin
# page. Production turns it on unless told; the quick start leaves it off (docs/identity.md).
OPERATOR_TOTP_REQUIRED = env.bool("OPERATOR_TOTP_REQUIRED", default=False)
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="微店分销运营")
# a session's "last seen" is written at most this often (seconds)
USER_SESSION_SEEN_RESOLUTION = env.int("USER_SESSION_SEEN_RESOLUTION", default=300)

# WeChat log-in: the official account (公众号, web authorisation inside WeChat) and the open
# platform's website app (QR log-in on a desktop). Either may be left empty (no such button).
WECHAT_MP_APP_ID = env("WECHAT_MP_APP_ID", default="")
WECHAT_MP_APP_SECRET = env("WECHAT_MP_APP_SECRET", default="")
WECHAT_OPEN_APP_ID = env("WECHAT_OPEN_APP_ID", default="")
WECHAT_OPEN_APP_SECRET = env("WECHAT_OPEN_APP_SECRET", default="")
WECHAT_AUTHORIZE_URL = env("WECHAT_AUTHORIZE_URL", default="https://open.weixin.qq.com/connect/oauth2/authorize")
WECHAT_QRCONNECT_URL = env("WECHAT_QRCONNECT_URL", default="https://open.weixin.qq.com/connect/qrconnect")
WECHAT_API_URL = env("WECHAT_API_URL", default="https://api.weixin.qq.com")

# --- language and time --------------------------------------------------

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env("TIME_ZONE", default="Asia/Shanghai")
USE_TZ = True

# --- files --------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Uploaded files are served by Django itself when this is on (the embedded
# default, and the compose file's single shared volume); a larger deployment
# points MEDIA_URL at object storage and turns it off.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Any request body above this is refused before it is read (413); uploads
# themselves are at most 8 MB (catalog.images).
MAX_REQUEST_BYTES = 12 * 1024 * 1024
# JSON from outside (API request bodies, payment providers' callbacks) is read
# within these limits (socialshop/json_input.py): larger answers 413, deeper 400.
JSON_BODY_MAX_BYTES = env.int("JSON_BODY_MAX_BYTES", default=1024 * 1024)
JSON_BODY_MAX_DEPTH = env.int("JSON_BODY_MAX_DEPTH", default=64)

# --- money --------------------------------------------------------------

# One currency per deployment; amounts are integer minor units (fen).
CURRENCY = env("CURRENCY", default="CNY")

# Placing an order on PostgreSQL reads in one prepared statement and writes in
# one (orders/services/placing_pg.py) instead of the portable ORM path's many.
# Off behind a transaction-pooling proxy, which does not keep a session's
# prepared statements (docs/orders.md).
ORDERS_PLACE_IN_SQL = env.bool("ORDERS_PLACE_IN_SQL", default=True)

# --- payment and payout providers ----------------------------------------------

# Dotted path of the class that pays resellers (it implements commissions.providers.PayoutProvider).
PAYOUT_PROVIDER = env("PAYOUT_PROVIDER", default="sandbox.payouts.SandboxPayoutProvider")
# Share of sandbox payouts that fail, as a real provider's sometimes do.
PAYOUT_SANDBOX_FAILURE_RATE = env.float("PAYOUT_SANDBOX_FAILURE_RATE", default=0.1)
# The sandbox answers nothing (a provider outage): payouts wait and are retried.
PAYOUT_SANDBOX_OUTAGE = env.bool("PAYOUT_SANDBOX_OUTAGE", default=False)
# The real rails (payments.payouts.GatewayPayoutProvider): WeChat Pay's merchant transfer with the
# WECHATPAY_* merchant, Alipay's single transfer with the ALIPAY_* app, bank cards by hand. WeChat calls
# PAYOUT_NOTIFY_BASE_URL + /payouts/wechat/notify/ with a transfer's outcome (our public https origin),
# and the transfer is reported under the scene WeChat approved for the merchant (1005: 佣金报酬).
PAYOUT_NOTIFY_BASE_URL = env("PAYOUT_NOTIFY_BASE_URL", default="")
WECHATPAY_TRANSFER_SCENE_ID = env("WECHATPAY_TRANSFER_SCENE_ID", default="1005")

# Income tax withheld from withdrawals (预扣个税, docs/compliance.md): "off" (the default), "flat"
# (WITHHOLDING_FLAT_RATE_BPS of every withdrawal) or "labour" (劳务报酬's prepayment table over a
# reseller's withdrawals of the calendar month). Read when a withdrawal is requested; stored on it.
WITHHOLDING_RULE = env("WITHHOLDING_RULE", default="off")
WITHHOLDING_FLAT_RATE_BPS = env.int("WITHHOLDING_FLAT_RATE_BPS", default=0)
if WITHHOLDING_RULE not in ("off", "flat", "labour") or not 0 <= WITHHOLDING_FLAT_RATE_BPS <= 10_000:
    raise ImproperlyConfigured("WITHHOLDING_RULE is off, flat or labour; WITHHOLDING_FLAT_RATE_BPS is 0–10000")

# Dotted paths of the classes that collect payments (each implements orders.providers.PaymentProvider),
# in the order the cashier lists them (docs/payments.md). Unset, the single PAYMENT_PROVIDER of older
# deployments is the one provider; the sandbox behaves like a real gateway (docs/orders.md).
PAYMENT_PROVIDER = env("PAYMENT_PROVIDER", default="sandbox.payments.SandboxPaymentProvider")
PAYMENT_PROVIDERS = env.list("PAYMENT_PROVIDERS", default=[])
# WeChat Pay API v3 (payments/wechatpay.py): the merchant, its API certificate's serial number and private
# key, the APIv3 key, and WeChat Pay's platform public key (微信支付公钥) with its id. Keys are read from
# files (mounted secrets), never from the environment's values, and never logged.
WECHATPAY_MCHID = env("WECHATPAY_MCHID", default="")
WECHATPAY_APPID = env("WECHATPAY_APPID", default="")
WECHATPAY_CERT_SERIAL_NO = env("WECHATPAY_CERT_SERIAL_NO", default="")
WECHATPAY_PRIVATE_KEY_FILE = env("WECHATPAY_PRIVATE_KEY_FILE", default="")
WECHATPAY_APIV3_KEY_FILE = env("WECHATPAY_APIV3_KEY_FILE", default="")
WECHATPAY_PUBLIC_KEY_FILE = env("WECHATPAY_PUBLIC_KEY_FILE", default="")
WECHATPAY_PUBLIC_KEY_ID = env("WECHATPAY_PUBLIC_KEY_ID", default="")
# the name H5 pay reports for our site (scene_info.h5_info.app_name)
WECHATPAY_H5_APP_NAME = env("WECHATPAY_H5_APP_NAME", default="")
# the API's base URL: WeChat's own unless a test points it at the local fake (sandbox/fakes/wechatpay.py)
WECHATPAY_API_BASE = env("WECHATPAY_API_BASE", default="https://api.mch.weixin.qq.com")
# Alipay (payments/alipay.py): the app, its private key, and Alipay's public key (RSA2, 公钥模式)
ALIPAY_APP_ID = env("ALIPAY_APP_ID", default="")
ALIPAY_APP_PRIVATE_KEY_FILE = env("ALIPAY_APP_PRIVATE_KEY_FILE", default="")
ALIPAY_PUBLIC_KEY_FILE = env("ALIPAY_PUBLIC_KEY_FILE", default="")
ALIPAY_GATEWAY = env("ALIPAY_GATEWAY", default="https://openapi.alipay.com/gateway.do")
# The app's key mode on Alipay's open platform: "public_key" (公钥模式, ALIPAY_PUBLIC_KEY_FILE) or
# "certificate" (公钥证书模式: our app's public-key certificate, Alipay's, and Alipay's root certificate, in
# place of Alipay's public key). Alipay's single transfer (reseller payouts) needs "certificate".
ALIPAY_KEY_MODE = env("ALIPAY_KEY_MODE", default="public_key")
ALIPAY_APP_CERT_FILE = env("ALIPAY_APP_CERT_FILE", default="")  # appCertPublicKey_<app id>.crt
ALIPAY_CERT_FILE = env("ALIPAY_CERT_FILE", default="")  # alipayCertPublicKey_RSA2.crt
ALIPAY_ROOT_CERT_FILE = env("ALIPAY_ROOT_CERT_FILE", default="")  # alipayRootCert.crt
if ALIPAY_KEY_MODE not in ("public_key", "certificate"):
    raise ImproperlyConfigured("ALIPAY_KEY_MODE is public_key or certificate")
# how long a gateway has to answer one call (seconds)
PAYMENT_GATEWAY_TIMEOUT_SECONDS = env.int("PAYMENT_GATEWAY_TIMEOUT_SECONDS", default=10)
# The secret the sandbox gateway signs its callbacks with (shared with the platform).
PAYMENT_SANDBOX_SECRET = env(
    "PAYMENT_SANDBOX_SECRET", default=hashlib.sha256(f"payment-sandbox:{SECRET_KEY}".encode()).hexdigest()
)
# The sandbox calls the platform back (a Celery task), this many seconds after the shopper paid.
PAYMENT_SANDBOX_SEND_CALLBACKS = env.bool("PAYMENT_SANDBOX_SEND_CALLBACKS", default=True)
PAYMENT_SANDBOX_CALLBACK_DELAY_SECONDS = env.int("PAYMENT_SANDBOX_CALLBACK_DELAY_SECONDS", default=1)
# Share of sandbox refunds that fail, as a real gateway's sometimes do.
PAYMENT_SANDBOX_REFUND_FAILURE_RATE = env.float("PAYMENT_SANDBOX_REFUND_FAILURE_RATE", default=0.0)
# bench/orders.py only: serves its baseline endpoint (never in production; production.py forces it off)
BENCH_ENDPOINTS = env.bool("BENCH_ENDPOINTS", default=False)

# --- Celery -------------------------------------------------------------

# No broker configured means the embedded default: tasks run in process, at
# the moment they are queued (after commit, where the caller asks for that).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or None)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = timedelta(hours=1)
# A task that crashes mid-way goes back to the queue only where the task says
# so (acks_late on idempotent tasks); this bounds how long Redis waits before
# redelivering an unacknowledged message.
# max_retries=0: a web process that cannot reach the broker gives up publishing at once instead of
# reconnecting for ~20 s; what it published was a wake-up, and the outbox's sweep does the work later
# (docs/events.md). Workers reconnect by their own policy (broker_connection_max_retries).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "max_retries": 0,
    "socket_connect_timeout": env.float("CELERY_BROKER_CONNECT_TIMEOUT", default=1.0),
}
# Several deployments (or test runs) can share one Redis: each prefixes its keys.
CELERY_KEY_PREFIX = env("CELERY_KEY_PREFIX", default="")
if CELERY_KEY_PREFIX:
    CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = CELERY_KEY_PREFIX
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Partners' webhooks run on their own queue (their own workers in production),
# so slow receivers can never hold the workers that move money.
CELERY_TASK_ROUTES = {"webhooks.tasks.*": {"queue": "webhooks"}}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Periodic work is declared here, in code; django-celery-beat copies these
# entries into its tables at start-up so operators can see and pause them in
# the admin. Each app adds its own entries below as it grows.
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "socialshop.tasks.heartbeat_task", "schedule": timedelta(minutes=1)},
    # the outbox: consumers handle what a lost wake-up left; handled events past retention are forgotten
    "events-sweep": {"task": "socialshop.tasks.events_sweep_task", "schedule": timedelta(seconds=15)},
    "events-prune": {"task": "socialshop.tasks.events_prune_task", "schedule": timedelta(hours=24)},
    # group buying: groups whose time ran out fill or fail (and refund), lapsed seats are freed
    "groupbuy-sweep": {"task": "groupbuy.tasks.groups_sweep_task", "schedule": timedelta(seconds=30)},
    # bargaining: bargains past their time expire; ordered ones follow their orders (paid, cancelled)
    "bargain-sweep": {"task": "bargain.tasks.bargains_sweep_task", "schedule": timedelta(seconds=30)},
    # Idempotency-Keys older than 24 hours are forgotten
    "idempotency-keys-purge": {
        "task": "socialshop.tasks.idempotency_keys_purge_task",
        "schedule": timedelta(hours=1),
    },
    # sales reported since the last roll-up into team totals (also queued after each sale)
    "team-sales-roll-up": {"task": "distribution.tasks.team_sales_roll_up_task", "schedule": timedelta(minutes=1)},
    "webhook-retries": {"task": "webhooks.tasks.webhook_deliveries_retry_task", "schedule": timedelta(seconds=30)},
    "reconcile": {"task": "commissions.tasks.reconcile_task", "schedule": timedelta(hours=1)},
    "commissions-settle": {"task": "commissions.tasks.commissions_settle_task", "schedule": timedelta(minutes=10)},
    "payout-batches-resume": {
        "task": "commissions.tasks.payout_batches_resume_task",
        "schedule": timedelta(minutes=5),
    },
    # payouts sent but not finished (a lost notification, a transfer its payee has not accepted)
    "payouts-pending-settle": {
        "task": "commissions.tasks.payouts_pending_settle_task",
        "schedule": timedelta(minutes=10),
    },
    # orders: unpaid ones expire (stock back), parcels count as delivered, delivered orders complete
    "orders-expire-unpaid": {"task": "orders.tasks.orders_expire_unpaid_task", "schedule": timedelta(minutes=1)},
    "orders-auto-deliver": {"task": "orders.tasks.fulfilments_auto_deliver_task", "schedule": timedelta(minutes=10)},
    "orders-auto-complete": {"task": "orders.tasks.orders_auto_complete_task", "schedule": timedelta(minutes=10)},
    # payments: yesterday's trade bills reconciled (WeChat Pay and Alipay publish them by 10:00 Beijing);
    # refunds the gateway is still processing are asked about when their notification is late
    "payment-bills-reconcile": {
        "task": "orders.tasks.payment_bills_reconcile_task",
        "schedule": crontab(hour=10, minute=30),
    },
    "refunds-pending-settle": {"task": "orders.tasks.refunds_pending_settle_task", "schedule": timedelta(minutes=15)},
    # notifications: deliveries due (retries, quiet hours over, lost wake-ups); suppliers' digests of parcels to ship
    "notifications-deliveries-sweep": {
        "task": "notifications.tasks.deliveries_sweep_task",
        "schedule": timedelta(seconds=30),
    },
    "notifications-ship-digests": {
        "task": "notifications.tasks.ship_digests_task",
        "schedule": timedelta(minutes=env.int("NOTIFICATIONS_SHIP_DIGEST_MINUTES", default=30)),
    },
    "notifications-bindings-expiring": {
        "task": "notifications.tasks.bindings_expiring_task",
        "schedule": crontab(hour=10, minute=0),  # Beijing time (CELERY_TIMEZONE): not at night
    },
    # growth: buffered visits written in batches; the roll-ups of today, and of the days before nightly;
    # customers' follow-up reminders announced when due (docs/growth.md)
    "growth-visits-drain": {"task": "growth.tasks.visits_drain_task", "schedule": timedelta(seconds=10)},
    "growth-stats-today": {"task": "growth.tasks.stats_today_task", "schedule": timedelta(minutes=15)},
    "growth-stats-nightly": {"task": "growth.tasks.stats_nightly_task", "schedule": crontab(hour=0, minute=40)},
    "growth-reminders": {"task": "growth.tasks.reminders_notify_task", "schedule": timedelta(minutes=15)},
    # coupons: unused ones past their window become expired (docs/coupons.md)
    "coupons-expire": {"task": "coupons.tasks.coupons_expire_task", "schedule": timedelta(minutes=10)},
    # flash sales: slots open (stock taken), unused admissions go back, ended slots close (stock returned)
    "flash-sweep": {"task": "flash.tasks.flash_sweep_task", "schedule": timedelta(seconds=15)},
    # grades (分销等级): every reseller against its own figures, nightly (windows roll) (docs/growth.md)
    "grades-sweep": {"task": "commissions.tasks.grades_sweep_task", "schedule": crontab(hour=1, minute=10)},
}

# --- growth: the visit log (docs/growth.md) -------------------------------

# Raw visits are kept this long; the daily roll-ups keep their figures after.
GROWTH_VISITS_RETENTION_DAYS = env.int("GROWTH_VISITS_RETENTION_DAYS", default=180)

# --- the outbox (docs/events.md) -------------------------------------------

# Handled events are kept this long, so a consumer can be replayed from any point inside it.
EVENTS_RETENTION_DAYS = env.int("EVENTS_RETENTION_DAYS", default=30)
# reconcile reports an event no consumer has handled after this long (the lag per consumer)
EVENTS_LAG_ALERT_MINUTES = env.int("EVENTS_LAG_ALERT_MINUTES", default=15)

# --- notifications (docs/notifications.md) ----------------------------------

# where links in SMS, WeChat messages and e-mails point
NOTIFICATIONS_SITE_URL = env("NOTIFICATIONS_SITE_URL", default="http://127.0.0.1:8000")
# the approved SMS template of each kind: {"order_shipped": {"template_id": "1234567", "params": ["order", ...]}};
# a real provider sends only kinds listed here (the console sends every kind)
NOTIFICATIONS_SMS_TEMPLATES = env.json("NOTIFICATIONS_SMS_TEMPLATES", default={})
# the official account's template message (fields first, keyword1) and per-kind overrides {"kind": "template id"}
NOTIFICATIONS_WECHAT_TEMPLATE_ID = env("NOTIFICATIONS_WECHAT_TEMPLATE_ID", default="")
NOTIFICATIONS_WECHAT_TEMPLATES = env.json("NOTIFICATIONS_WECHAT_TEMPLATES", default={})
# resellers hear this many days ahead that a bound customer's binding ends
NOTIFICATIONS_BINDING_WARN_DAYS = env.int("NOTIFICATIONS_BINDING_WARN_DAYS", default=3)
NOTIFICATIONS_EMAIL_DOMAIN = env("NOTIFICATIONS_EMAIL_DOMAIN", default="socialshop.local")
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default="")  # the file-based backend's folder (the fault test's worker)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="通知 <noreply@socialshop.local>")

# --- partners' webhooks ---------------------------------------------------

# Refuse webhook URLs on loopback/private networks (SSRF); on for local work only.
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", default=False)
WEBHOOKS_REQUIRE_HTTPS = env.bool("WEBHOOKS_REQUIRE_HTTPS", default=False)

# --- REST API -----------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "socialshop.api.throttles.AnonThrottle",
        "socialshop.api.throttles.UserThrottle",
        "socialshop.api.throttles.ScopedThrottle",
    ],
    # per minute unless said otherwise; views name their scope (throttle_scope)
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("THROTTLE_RATE_ANON", default="300/min"),
        "user": env("THROTTLE_RATE_USER", default="1200/min"),
        "login_account": env("THROTTLE_RATE_LOGIN_ACCOUNT", default="5/min"),
        "login_address": env("THROTTLE_RATE_LOGIN_ADDRESS", default="20/min"),
        # sending SMS codes (docs/identity.md); one a minute per number is SMS_CODE_RESEND_SECONDS
        "sms_send_phone": env("THROTTLE_RATE_SMS_SEND_PHONE", default="10/day"),
        "sms_send_address": env("THROTTLE_RATE_SMS_SEND_ADDRESS", default="20/hour"),
        "sms_send_global": env("THROTTLE_RATE_SMS_SEND_GLOBAL", default="300/min"),
        "order_place": env("THROTTLE_RATE_ORDER_PLACE", default="30/min"),
        "withdrawal_request": env("THROTTLE_RATE_WITHDRAWAL_REQUEST", default="10/hour"),
        # flash sales' 立即抢购: per buyer and per client address (scripts get 429s, never stock)
        "flash_grab_user": env("THROTTLE_RATE_FLASH_GRAB_USER", default="10/min"),
        "flash_grab_address": env("THROTTLE_RATE_FLASH_GRAB_ADDRESS", default="60/min"),
        # bargaining's 帮砍: per helper and per client address, each per day (docs/bargaining.md)
        "bargain_help_user": env("THROTTLE_RATE_BARGAIN_HELP_USER", default="10/day"),
        "bargain_help_address": env("THROTTLE_RATE_BARGAIN_HELP_ADDRESS", default="50/day"),
    },
    # how many proxies in front append to X-Forwarded-For; 0 trusts only REMOTE_ADDR
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's three, with JSON read within the limits of socialshop/json_input.py
    "DEFAULT_PARSER_CLASSES": [
        "socialshop.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "socialshop.api.pagination.PagePagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "socialshop.api.exceptions.api_exception_handler",
    "DEFAULT_VERSIONING_CLASS": None,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Social-commerce distribution platform API",
    "DESCRIPTION": (
        "REST API of the platform. Money is a string of yuan with exactly two decimals "
        '(e.g. "128.00") in fields named *_amount, and is sent as a string with at most two '
        'decimals ("128", "128.5", "128.50"); errors share one body: '
        '{"code": ..., "message": ..., "fields": {...}}, plus "field_codes" on a validation_error.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "socialshop.api.hooks.document_list_errors",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ResellerStatusEnum": "distribution.choices.ResellerStatus",
        "BindingSourceEnum": "distribution.choices.BindingSource",
        "OrderStatusEnum": "orders.choices.OrderStatus",
        "FulfilmentStatusEnum": "orders.choices.FulfilmentStatus",
        "RefundStatusEnum": "orders.choices.RefundStatus",
        "PayoutAccountKindEnum": "commissions.choices.PayoutAccountKind",
    },
}

# --- logging ------------------------------------------------------------

LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# group buying (拼团, docs/group-buying.md): how long a joined seat is held for its payment
GROUPBUY_SEAT_HOLD_MINUTES = env.int("GROUPBUY_SEAT_HOLD_MINUTES", default=10)

# --- flash sales (docs/flash-sales.md) ---------------------------------------

# The admission gate's Redis (its Lua script and counters), REDIS_URL unless set; without any, 立即抢购
# answers 503 flash_unavailable (the embedded quick start has no Redis).
FLASH_REDIS_URL = env("FLASH_REDIS_URL", default=REDIS_URL)
FLASH_KEY_PREFIX = env("FLASH_KEY_PREFIX", default="flash:")
# The hours (Beijing time) a slot may start on
FLASH_SLOT_HOURS = [int(hour) for hour in env.list("FLASH_SLOT_HOURS", default=["10", "14", "20"])]

# --- the admin lists' exports (django-import-export, docs/growth.md "Exports") --------

# Excel first (operators open it in Excel or WPS), CSV beside it; no import: services are the only writers
from import_export.formats.base_formats import CSV, XLSX  # noqa: E402  (classes, as the package wants them)

IMPORT_EXPORT_FORMATS = [XLSX, CSV]
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"  # exporting a list needs the right to read it
