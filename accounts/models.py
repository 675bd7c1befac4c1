from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Role
from .phone import normalize_mainland_mobile, validate_mainland_mobile


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
        user = self.model(phone=normalize_mainland_mobile(phone), **fields)
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
    """A person who logs in with a mainland mobile number and a password."""

    username = None
    first_name = None
    last_name = None
    phone = models.CharField(_("mobile number"), max_length=11, unique=True, validators=[validate_mainland_mobile])
    nickname = models.CharField(_("nickname"), max_length=40, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CUSTOMER)

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
        return self.nickname or self.phone

    def get_full_name(self):
        return self.nickname or self.phone

    def get_short_name(self):
        return self.nickname or self.phone

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
