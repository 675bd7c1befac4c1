"""The only writers of users, their roles and their API tokens."""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from socialshop.errors import NotFound

from .choices import Role
from .exceptions import RoleChangeRefused, TooManyTokens
from .models import ApiToken, User


def user_create(*, phone: str, password: str | None, nickname: str = "", role: str = Role.CUSTOMER) -> User:
    """Create a user. The phone is normalised and validated (ValidationError
    if it is not a mainland mobile number or is taken). Operators get admin
    access (``is_staff``); nobody else does."""
    return User.objects.create_user(
        phone=phone, password=password, nickname=nickname, role=role, is_staff=role == Role.OPERATOR
    )


@transaction.atomic
def user_promote(*, user: User, role: str) -> User:
    """A customer becomes a reseller or supplier staff. Any other change of
    role (an operator demoted, a supplier's staff turned reseller) is refused:
    those are different people on this platform. Locks the user row;
    promoting to the role the user already has is a no-op."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.role == role:
        return locked
    if locked.role != Role.CUSTOMER or role not in (Role.RESELLER, Role.SUPPLIER_STAFF):
        raise RoleChangeRefused(current_role=locked.role, requested_role=role)
    locked.role = role
    locked.save(update_fields=["role"])
    user.role = role
    return locked


TOKEN_BYTES = 32
TOKEN_PREFIX = "sst_"  # noqa: S105 - a marker, not a secret
MAX_ACTIVE_TOKENS = 20
# last_used_at is written at most this often per token: a busy client must
# not turn every read into a write
TOKEN_LAST_USED_RESOLUTION = timedelta(minutes=1)


def api_token_digest(token: str) -> str:
    # the token carries 256 random bits: a fast hash cannot be brute-forced
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new API token for ``user``. Returns the row and the token itself,
    which is stored only as a digest and never shown again. Locks the user
    row, so two requests cannot both slip under MAX_ACTIVE_TOKENS."""
    User.objects.select_for_update().get(pk=user.pk)
    if ApiToken.objects.active().filter(user=user).count() >= MAX_ACTIVE_TOKENS:
        raise TooManyTokens()
    token = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    row = ApiToken.objects.create(
        user=user, name=name.strip(), prefix=token[: len(TOKEN_PREFIX) + 6], digest=api_token_digest(token)
    )
    return row, token


def api_token_revoke(*, user: User, token_id: int) -> ApiToken:
    """Revoke one of ``user``'s tokens; revoking twice changes nothing.
    Another user's token answers NotFound, like a missing one."""
    ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token = ApiToken.objects.filter(pk=token_id, user=user).first()
    if token is None:
        raise NotFound()
    return token


def api_token_use(*, token: str) -> User | None:
    """The active user behind an active token, or None; records the use
    (at most once per TOKEN_LAST_USED_RESOLUTION)."""
    row = ApiToken.objects.active().select_related("user").filter(digest=api_token_digest(token)).first()
    if row is None or not row.user.is_active:
        return None
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at >= TOKEN_LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user
