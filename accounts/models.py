from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import Role, SecurityEventKind, SmsPurpose, WechatApp
from .phone import mask_phone, normalize_mainland_mobile, validate_mainland_mobile


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, phone):
        # Log-in with "+86 138 0013 8000" finds the user stored as 13800138000.
        try:
            phone = normalize_mainland_mobile(phone)
        except ValidationError:
            pass  # not a phone number: the lookup below finds no one
        return self.get(**{self.model.USERNAME_FIELD: phone})

    def _create_user(self, phone, password, **fields):
        # no phone: someone who came in through WeChat and has not added one yet
        user = self.model(phone=normalize_mainland_mobile(phone) if phone is not None else None, **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, phone, password=None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create_user(phone, password, **fields)

    def create_superuser(self, phone, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True, role=Role.OPERATOR)
        return self._create_user(phone, password, **fields)


class User(AbstractUser):
    """A person who logs in with a mainland mobile number (an SMS code or a
    password) or with WeChat. Someone who came in through WeChat has no
    number until it adds one (by SMS code), which it must before it orders."""

    username = None
    first_name = None
    last_name = None
    # NULL until a WeChat-only user adds its number (unique allows many NULLs)
    phone = models.CharField(
        _("mobile number"), max_length=11, unique=True, null=True, blank=True, validators=[validate_mainland_mobile]
    )
    # when an SMS code last proved the person holds ``phone``
    phone_verified_at = models.DateTimeField(_("mobile number verified at"), null=True, blank=True)
    nickname = models.CharField(_("nickname"), max_length=40, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CUSTOMER)
    # raised to log out every session at once (a changed number, "log out other devices"): it is
    # part of the hash each session keeps of its user (``_get_session_auth_hash``)
    # (db_default too: rows written by code that predates the field, e.g. a data migration, get 0)
    session_epoch = models.PositiveIntegerField(_("session generation"), default=0, db_default=0)

    USERNAME_FIELD = "phone"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="user_role_known"),
            # Only operators work in the Django admin.
            models.CheckConstraint(
                condition=models.Q(is_staff=False) | models.Q(role=Role.OPERATOR), name="user_staff_is_operator"
            ),
        ]

    def __str__(self):
        return self.nickname or self.phone or f"#{self.pk}"

    def get_full_name(self):
        return str(self)

    def get_short_name(self):
        return str(self)

    def _get_session_auth_hash(self, secret=None):
        """Django logs a session out when this no longer matches what the
        session stored at log-in. Django hashes the password; we add
        ``session_epoch`` once it is raised, so ending every session does not
        need a new password. Epoch 0 hashes as Django does (no session was
        lost when this came in)."""
        if not self.session_epoch:
            return super()._get_session_auth_hash(secret=secret)
        from django.utils.crypto import salted_hmac

        key_salt = "accounts.User.get_session_auth_hash"
        value = f"{self.password}:{self.session_epoch}"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()

    @property
    def has_phone(self) -> bool:
        return bool(self.phone)

    @property
    def is_operator(self) -> bool:
        return self.role == Role.OPERATOR

    @property
    def is_reseller(self) -> bool:
        return self.role == Role.RESELLER

    @property
    def is_supplier_staff(self) -> bool:
        return self.role == Role.SUPPLIER_STAFF


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A credential a REST client sends as ``Authorization: Bearer <token>``.

    Only a SHA-256 digest of the token is stored (the token is 256 random
    bits, so a fast hash is enough); the token itself is shown once, when it
    is created. ``prefix`` (its first characters) lets its owner tell tokens
    apart. Revoked tokens stay, for the record.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=60)
    prefix = models.CharField(_("starts with"), max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class SmsCode(models.Model):
    """A 6-digit code sent to ``phone`` for ``purpose``.

    Only a keyed digest of the code is stored (HMAC with the site's secret
    and a per-row salt: the table alone does not give codes away, even
    though a million codes could be tried against a plain hash). Only the
    newest code of a (phone, purpose) counts; it is good until
    ``expires_at``, once (``used_at``), and dies after
    ``SMS_CODE_MAX_FAILED_ATTEMPTS`` wrong tries. Written only by
    ``accounts.services`` (``sms_code_send``, ``sms_code_verify``)."""

    phone = models.CharField(_("mobile number"), max_length=11)
    purpose = models.CharField(_("purpose"), max_length=20, choices=SmsPurpose.choices)
    salt = models.CharField(_("salt"), max_length=32)
    digest = models.CharField(_("code digest"), max_length=64)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    failed_attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("SMS code")
        verbose_name_plural = _("SMS codes")
        indexes = [models.Index(fields=["phone", "purpose", "-created_at"], name="smscode_newest")]
        constraints = [
            models.CheckConstraint(condition=models.Q(purpose__in=SmsPurpose.values), name="smscode_purpose_known"),
            models.CheckConstraint(condition=models.Q(failed_attempts__lte=5), name="smscode_attempts_at_most_5"),
        ]

    def __str__(self):
        return f"{mask_phone(self.phone)} {self.purpose} {self.created_at:%Y-%m-%d %H:%M}"


class WechatIdentity(models.Model):
    """A WeChat account linked to a user: its ``openid`` under one app id
    (each app sees its own openid for the same person) and, when the apps
    share an open-platform account, the ``unionid`` that is the same across
    them. One user has at most one identity per app id; an openid belongs to
    one user. JSAPI payment and WeChat payouts need the openid of the
    official account's app id (``accounts.selectors.user_wechat_openid``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wechat_identities")
    app = models.CharField(_("WeChat app"), max_length=10, choices=WechatApp.choices)
    app_id = models.CharField(_("app id"), max_length=32)
    openid = models.CharField(max_length=64)
    unionid = models.CharField(max_length=64, blank=True)
    nickname = models.CharField(_("WeChat name"), max_length=64, blank=True)
    avatar_url = models.URLField(_("WeChat avatar"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("linked at"), auto_now_add=True)
    last_login_at = models.DateTimeField(_("last log-in"), null=True, blank=True)

    class Meta:
        verbose_name = _("WeChat identity")
        verbose_name_plural = _("WeChat identities")
        constraints = [
            models.UniqueConstraint(fields=["app_id", "openid"], name="wechat_openid_once_per_app"),
            models.UniqueConstraint(fields=["user", "app_id"], name="wechat_one_identity_per_app_per_user"),
        ]
        indexes = [
            models.Index(
                fields=["unionid"],
                name="wechat_unionid",
                condition=~models.Q(unionid=""),
            )
        ]

    def __str__(self):
        return f"{self.app_id}:{self.openid[:6]}…"


class UserSession(models.Model):
    """A browser session of a user, for the sessions list ("log out other
    devices"): Django's session store keeps the session itself; this row
    names it by its key and says where and when it was last seen. Written by
    ``accounts.middleware.UserSessionMiddleware`` (at most once per
    ``USER_SESSION_SEEN_RESOLUTION`` per session) and ended by
    ``accounts.services.user_session_end``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="browser_sessions", verbose_name=_("user")
    )
    session_key = models.CharField(_("session key"), max_length=40, unique=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("logged in at"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("browser session")
        verbose_name_plural = _("browser sessions")
        indexes = [models.Index(fields=["user", "-last_seen_at"], name="usersession_by_user")]

    def __str__(self):
        return f"#{self.user_id} {self.last_seen_at:%Y-%m-%d %H:%M}"


class SecurityEvent(models.Model):
    """An account's security history (a changed number, devices logged out,
    an authenticator added, a recovery code used): who, when, from where.
    Append-only; written by ``accounts.services`` in the transaction of the
    change it records."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="security_events", verbose_name=_("user")
    )
    kind = models.CharField(_("what"), max_length=30, choices=SecurityEventKind.choices)
    created_at = models.DateTimeField(_("at"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=SecurityEventKind.values), name="securityevent_kind_known"
            )
        ]

    def __str__(self):
        return f"#{self.user_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"
