"""The only writers of users, their roles and their API tokens."""

import hashlib
import secrets
from datetime import timedelta
from functools import cache

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from socialshop.errors import NotFound
from socialshop.sql import ModelColumns

from .choices import Role
from .exceptions import PhoneTaken, RoleChangeRefused, TooManyTokens
from .models import ApiToken, User
from .phone import normalize_mainland_mobile


def user_create(*, phone: str, password: str | None, nickname: str = "", role: str = Role.CUSTOMER) -> User:
    """Create a user. The phone is normalised and validated (ValidationError
    if it is not a mainland mobile number); a number already registered,
    even by a sign-up racing this one, is PhoneTaken. Operators get admin
    access (``is_staff``); nobody else does."""
    if User.objects.filter(phone=normalize_mainland_mobile(phone)).exists():
        raise PhoneTaken(fields={"phone": [str(PhoneTaken.default_message)]})
    try:
        with transaction.atomic():
            return User.objects.create_user(
                phone=phone, password=password, nickname=nickname, role=role, is_staff=role == Role.OPERATOR
            )
    except IntegrityError as error:  # the unique index decided a race
        raise PhoneTaken(fields={"phone": [str(PhoneTaken.default_message)]}) from error
    except ValidationError as error:  # model validation saw the racing sign-up's committed row
        if any(item.code == "unique" for item in getattr(error, "error_dict", {}).get("phone", [])):
            raise PhoneTaken(fields={"phone": [str(PhoneTaken.default_message)]}) from error
        raise


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
    statement, token_columns, user_columns = _token_statement()
    with connection.cursor() as cursor:
        cursor.execute(statement, [api_token_digest(token)])
        found = cursor.fetchone()  # the digest is unique
    if found is None:
        return None
    row = token_columns.load(list(found[: len(token_columns)]))
    row.user = user_columns.load(list(found[len(token_columns) :]))
    if not row.user.is_active:
        return None
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at >= TOKEN_LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user


@cache
def _token_statement() -> tuple[str, ModelColumns, ModelColumns]:
    """``ApiToken.objects.active().select_related("user").get(digest=…)``,
    written once: every API request asks it, and building it through the ORM
    cost more than running it (bench/README.md)."""
    token, user = ModelColumns(ApiToken, "t"), ModelColumns(User, "u")
    quote = connection.ops.quote_name
    sql = (
        f"SELECT {token.sql}, {user.sql} FROM {quote(ApiToken._meta.db_table)} t "  # noqa: S608 - names from the models
        f"JOIN {quote(User._meta.db_table)} u ON u.id = t.user_id WHERE t.digest = %s AND t.revoked_at IS NULL"
    )
    return sql, token, user
