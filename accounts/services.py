"""The only writers of users, their roles, their API tokens, SMS codes and
WeChat identities."""

import hashlib
import logging
import math
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from socialshop.errors import DomainError, NotFound
from socialshop.events import event_emit
from socialshop.sql import ModelColumns

from .choices import Role, SecurityEventKind, SmsPurpose
from .events import user_event_emit, user_signed_up
from .exceptions import (
    AccountDisabled,
    PhoneMissing,
    PhoneTaken,
    RoleChangeRefused,
    SmsCodeExpired,
    SmsCodeInvalid,
    SmsCodeLocked,
    SmsCodeMissing,
    SmsNumberRefused,
    SmsSendProviderThrottled,
    SmsSendUnavailable,
    TooManyTokens,
    WechatAlreadyLinked,
)
from .models import ApiToken, SecurityEvent, SmsCode, User, UserSession, WechatIdentity
from .phone import mask_phone, normalize_mainland_mobile
from .sms import SmsSendFailed, sms_provider

logger = logging.getLogger(__name__)


def user_create(*, phone: str | None, password: str | None, nickname: str = "", role: str = Role.CUSTOMER) -> User:
    """Create a user. The phone is normalised and validated (ValidationError
    if it is not a mainland mobile number); a number already registered,
    even by a sign-up racing this one, is PhoneTaken. ``phone=None`` is a
    WeChat log-in's new user, who adds a number later. Operators get admin
    access (``is_staff``); nobody else does."""
    if phone is not None and User.objects.filter(phone=normalize_mainland_mobile(phone)).exists():
        raise PhoneTaken(fields={"phone": [str(PhoneTaken.default_message)]})
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                phone=phone, password=password, nickname=nickname, role=role, is_staff=role == Role.OPERATOR
            )
            user_event_emit(user_signed_up, user_id=user.pk)  # the sign-up gift (coupons) follows it
            return user
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
def api_token_create(*, user: User, name: str, revoke_oldest: bool = False) -> tuple[ApiToken, str]:
    """A new API token for ``user``. Returns the row and the token itself,
    which is stored only as a digest and never shown again. Locks the user
    row, so two requests cannot both slip under MAX_ACTIVE_TOKENS. At the
    limit: TooManyTokens, or with ``revoke_oldest`` (a log-in by SMS code
    from an app, which must not lock a person out after 20 devices) the
    token used longest ago is revoked to make room."""
    User.objects.select_for_update().get(pk=user.pk)
    active = ApiToken.objects.active().filter(user=user)
    if active.count() >= MAX_ACTIVE_TOKENS:
        if not revoke_oldest:
            raise TooManyTokens()
        oldest = active.order_by(F("last_used_at").asc(nulls_first=True), "created_at").values_list("pk")[:1]
        ApiToken.objects.filter(pk__in=oldest).update(revoked_at=timezone.now())
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


# --- SMS codes (docs/identity.md) -------------------------------------------------------------------

SMS_CODE_DIGITS = 6
SMS_CODE_MAX_FAILED_ATTEMPTS = 5  # also a CHECK constraint on SmsCode


def sms_code_digest(*, phone: str, purpose: str, salt: str, code: str) -> str:
    """HMAC-SHA256 under the site's secret: with a million possible codes a
    plain hash of the table would be reversed at once; this needs the key."""
    return salted_hmac("accounts.SmsCode", f"{phone}:{purpose}:{salt}:{code}", algorithm="sha256").hexdigest()


def sms_code_send(*, phone: str, purpose: str) -> SmsCode:
    """Issue a new code for the (normalised) ``phone`` and ``purpose`` and
    send it through the SMS provider; the code before it stops counting.
    The caller throttles first (``accounts.throttles.sms_send_retry_after``).
    The code is stored as a digest only and never logged (the console
    provider's own line aside). SmsSendUnavailable when the provider does
    not take the message."""
    code = f"{secrets.randbelow(10**SMS_CODE_DIGITS):0{SMS_CODE_DIGITS}d}"
    salt = secrets.token_hex(16)
    now = timezone.now()
    row = SmsCode.objects.create(
        phone=phone,
        purpose=purpose,
        salt=salt,
        digest=sms_code_digest(phone=phone, purpose=purpose, salt=salt, code=code),
        created_at=now,
        expires_at=now + timedelta(seconds=settings.SMS_CODE_TTL_SECONDS),
    )
    try:
        sent = sms_provider().code_send(phone=phone, code=code, minutes=math.ceil(settings.SMS_CODE_TTL_SECONDS / 60))
    except SmsSendFailed as error:
        logger.warning("SMS code #%s to %s not sent: %s", row.pk, mask_phone(phone), error.reason)
        if error.kind == SmsSendFailed.THROTTLED:
            wait = SmsSendProviderThrottled.retry_after_seconds
            raise SmsSendProviderThrottled(limit="provider", retry_after_seconds=wait) from error
        if error.kind == SmsSendFailed.NUMBER_REFUSED:
            raise SmsNumberRefused() from error
        raise SmsSendUnavailable() from error
    logger.info("SMS code #%s (%s) sent to %s: %s", row.pk, purpose, mask_phone(phone), sent.provider_reference)
    return row


def sms_code_verify(*, phone: str, purpose: str, code: str) -> None:
    """Use the newest code sent to (normalised) ``phone`` for ``purpose``:
    it must be unexpired, unused and not locked, and match. A match is
    spent (a second use is SmsCodeMissing); a wrong code counts, and the
    fifth locks it (SmsCodeLocked, even for the right code later).

    Locks the code's row, so two requests with the right code at once have
    exactly one winner. Commits its own transaction, so that a wrong try
    is counted even though the error is raised: never call it inside an
    outer transaction that the error would roll back."""
    now = timezone.now()
    with transaction.atomic():
        row = (
            SmsCode.objects.select_for_update()
            .filter(phone=phone, purpose=purpose)
            .order_by("-created_at", "-pk")
            .first()
        )
        if row is None or row.used_at is not None:
            error = SmsCodeMissing()
        elif row.failed_attempts >= SMS_CODE_MAX_FAILED_ATTEMPTS:
            error = SmsCodeLocked()
        elif row.expires_at <= now:
            error = SmsCodeExpired()
        elif constant_time_compare(row.digest, sms_code_digest(phone=phone, purpose=purpose, salt=row.salt, code=code)):
            row.used_at = now
            row.save(update_fields=["used_at"])
            return
        else:
            row.failed_attempts += 1
            row.save(update_fields=["failed_attempts"])
            left = SMS_CODE_MAX_FAILED_ATTEMPTS - row.failed_attempts
            if left <= 0:
                error = SmsCodeLocked()
            else:
                error = SmsCodeInvalid(
                    _("The verification code is wrong. %(left)s tries left.") % {"left": left}, attempts_left=left
                )
    raise error


def _phone_verified(user: User, now) -> None:
    User.objects.filter(pk=user.pk).update(phone_verified_at=now)
    user.phone_verified_at = now


def user_log_in_by_sms(*, phone: str, code: str) -> tuple[User, bool]:
    """Log in with an SMS code; a number nobody has yet signs up (a customer
    with no password, who may set one later). Answers the user and whether
    it was created. The code's errors as ``sms_code_verify``; a disabled
    account is AccountDisabled (its code is spent all the same)."""
    phone = normalize_mainland_mobile(phone)
    sms_code_verify(phone=phone, purpose=SmsPurpose.LOG_IN, code=code)
    user = User.objects.filter(phone=phone).first()
    created = False
    if user is None:
        try:
            user = user_create(phone=phone, password=None)
            created = True
        except PhoneTaken:  # a password sign-up with this number won a race
            user = User.objects.get(phone=phone)
    if not user.is_active:
        raise AccountDisabled()
    _phone_verified(user, timezone.now())
    return user, created


def user_phone_bind(*, user: User, phone: str, code: str) -> User:
    """Give ``user`` (someone who came in through WeChat) the number an SMS
    code proves it holds. When that number already is an account, that
    account is who this person is: the WeChat identities move to it, the
    WeChat-only account is disabled, and the answer is the account to be
    logged in as. Locks both users."""
    phone = normalize_mainland_mobile(phone)
    sms_code_verify(phone=phone, purpose=SmsPurpose.BIND_PHONE, code=code)
    now = timezone.now()
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.phone == phone:
            _phone_verified(locked, now)
            return locked
        if locked.phone:
            raise PhoneTaken(_("This account already has a mobile number."))
        owner = User.objects.select_for_update().filter(phone=phone).first()
        if owner is None:
            locked.phone, locked.phone_verified_at = phone, now
            try:
                with transaction.atomic():
                    locked.save(update_fields=["phone", "phone_verified_at"])
            except IntegrityError as error:  # someone signed up with the number meanwhile
                raise PhoneTaken() from error
            return locked
        if not owner.is_active:
            raise AccountDisabled()
        identities = list(locked.wechat_identities.all())
        if WechatIdentity.objects.filter(user=owner, app_id__in=[row.app_id for row in identities]).exists():
            raise WechatAlreadyLinked(_("That number's account already has another WeChat account linked."))
        WechatIdentity.objects.filter(pk__in=[row.pk for row in identities]).update(user=owner)
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        _phone_verified(owner, now)
        logger.info("user #%s merged into #%s (%s) by SMS code", locked.pk, owner.pk, mask_phone(phone))
        return owner


@transaction.atomic
def user_password_set(*, user: User, password: str) -> None:
    """Set (or change) the password; the caller validated it (and, to change
    one, checked the old)."""
    user.set_password(password)
    user.save(update_fields=["password"])


# --- WeChat identities ---------------------------------------------------------------------------


@dataclass(frozen=True)
class WechatProfile:
    """Who WeChat says authorised a log-in (accounts.wechat)."""

    app: str  # WechatApp
    app_id: str
    openid: str
    unionid: str = ""
    nickname: str = ""
    avatar_url: str = ""


def _identity_refresh(identity: WechatIdentity, profile: WechatProfile, now) -> None:
    changes = {"last_login_at": now}
    for field in ("unionid", "nickname", "avatar_url"):
        value = getattr(profile, field)
        if value and value != getattr(identity, field):
            changes[field] = value
    WechatIdentity.objects.filter(pk=identity.pk).update(**changes)


def _identity_create(*, user: User, profile: WechatProfile, now) -> WechatIdentity:
    return WechatIdentity.objects.create(
        user=user,
        app=profile.app,
        app_id=profile.app_id,
        openid=profile.openid,
        unionid=profile.unionid,
        nickname=profile.nickname[:64],
        avatar_url=profile.avatar_url[:500],
        last_login_at=now,
    )


def user_log_in_by_wechat(*, profile: WechatProfile) -> tuple[User, bool]:
    """The user behind a WeChat log-in: the one its openid (under this app
    id) is linked to; else the one another app's identity with the same
    unionid is linked to (the identity for this app is added); else a new
    customer with no number. Answers the user and whether it was created.
    Two callbacks for one new openid at once create one user (the unique
    constraint decides; the loser finds the winner's)."""
    now = timezone.now()
    for _attempt in range(2):
        identity = (
            WechatIdentity.objects.select_related("user").filter(app_id=profile.app_id, openid=profile.openid).first()
        )
        if identity is not None:
            if not identity.user.is_active:
                raise AccountDisabled()
            _identity_refresh(identity, profile, now)
            return identity.user, False
        try:
            with transaction.atomic():
                sibling = (
                    WechatIdentity.objects.select_related("user").filter(unionid=profile.unionid).first()
                    if profile.unionid
                    else None
                )
                if sibling is not None and sibling.user.is_active:
                    _identity_create(user=sibling.user, profile=profile, now=now)
                    return sibling.user, False
                user = user_create(phone=None, password=None, nickname=profile.nickname[:40])
                _identity_create(user=user, profile=profile, now=now)
                return user, True
        except IntegrityError:
            continue  # the same openid was linked meanwhile: read it again
    raise WechatAlreadyLinked()


def wechat_identity_link(*, user: User, profile: WechatProfile) -> WechatIdentity:
    """Link the WeChat account to ``user`` (logged in by phone), so either
    logs in. Linking again is a no-op; a WeChat account linked to someone
    else, or a second WeChat account for the same app, is WechatAlreadyLinked."""
    existing = WechatIdentity.objects.filter(app_id=profile.app_id, openid=profile.openid).first()
    if existing is not None:
        if existing.user_id != user.pk:
            raise WechatAlreadyLinked()
        return existing
    if WechatIdentity.objects.filter(user=user, app_id=profile.app_id).exists():
        raise WechatAlreadyLinked(_("Your account already has another WeChat account linked."))
    try:
        with transaction.atomic():
            return _identity_create(user=user, profile=profile, now=timezone.now())
    except IntegrityError as error:
        raise WechatAlreadyLinked() from error


def user_sign_up_by_password(*, phone: str, code: str, password: str, nickname: str = "") -> User:
    """The password sign-up: the number is proved by an SMS code (a log-in
    code) like every other way in, then the account is created with the
    password. The code's errors as ``sms_code_verify``; PhoneTaken as
    ``user_create``."""
    phone = normalize_mainland_mobile(phone)
    if User.objects.filter(phone=phone).exists():  # before spending the code
        raise PhoneTaken(fields={"phone": [str(PhoneTaken.default_message)]})
    sms_code_verify(phone=phone, purpose=SmsPurpose.LOG_IN, code=code)
    user = user_create(phone=phone, password=password, nickname=nickname)
    _phone_verified(user, timezone.now())
    return user


# --- changing the number, sessions, security history (docs/identity.md) ------------------------------


@dataclass(frozen=True)
class ClientSeen:
    """Where a security change came from, for its record."""

    ip_address: str | None = None
    user_agent: str = ""


def security_event_record(*, user: User, kind: str, client: ClientSeen, **detail) -> SecurityEvent:
    """Append to ``user``'s security history, in the caller's transaction."""
    return SecurityEvent.objects.create(
        user=user, kind=kind, ip_address=client.ip_address, user_agent=client.user_agent[:300], detail=detail
    )


def phone_change_check_new(*, user: User, phone: str) -> str:
    """The (normalised) new number ``user`` may move to: not its current one
    and nobody else's (PhoneTaken). Asked before a code is sent to it."""
    phone = normalize_mainland_mobile(phone)
    if phone == user.phone:
        raise PhoneTaken(
            _("This is already your mobile number."),
            fields={"new_phone": [str(_("This is already your mobile number."))]},
        )
    if User.objects.filter(phone=phone).exclude(pk=user.pk).exists():
        raise PhoneTaken(fields={"new_phone": [str(PhoneTaken.default_message)]})
    return phone


def user_phone_change(
    *, user: User, old_code: str, new_phone: str, new_code: str, keep_session_key: str | None, client: ClientSeen
) -> User:
    """Move ``user`` to ``new_phone``: a code sent to the current number
    (``change_phone_old``) and one sent to the new number
    (``change_phone_new``) must both be right; the new number must be
    nobody's (PhoneTaken, checked before any code is spent). Then, in one
    transaction (the user row locked): the number changes, the change is
    recorded (``SecurityEvent`` with both numbers masked) and announced
    (event ``account.phone_changed``), and every other session of the user
    ends (``session_epoch`` raised; ``keep_session_key``, the session that did
    it, is re-hashed by the caller with ``update_session_auth_hash``).
    The codes' errors as ``sms_code_verify`` (each wrong code counts)."""
    if not user.phone:
        raise PhoneMissing()
    new_phone = phone_change_check_new(user=user, phone=new_phone)
    for phone, purpose, code, field_name in (
        (user.phone, SmsPurpose.CHANGE_PHONE_OLD, old_code, "old_code"),
        (new_phone, SmsPurpose.CHANGE_PHONE_NEW, new_code, "new_code"),
    ):
        try:
            sms_code_verify(phone=phone, purpose=purpose, code=code)
        except DomainError as error:  # say which of the two codes
            error.fields = {field_name: [str(error.message)]}
            raise
    try:
        with transaction.atomic():
            locked = User.objects.select_for_update().get(pk=user.pk)
            old_phone = locked.phone
            locked.phone, locked.phone_verified_at = new_phone, timezone.now()
            locked.session_epoch += 1
            locked.save(update_fields=["phone", "phone_verified_at", "session_epoch"])
            _sessions_end_others(user=locked, keep_session_key=keep_session_key)
            security_event_record(
                user=locked,
                kind=SecurityEventKind.PHONE_CHANGED,
                client=client,
                old_phone=mask_phone(old_phone),
                new_phone=mask_phone(new_phone),
            )
            event_emit(
                type="account.phone_changed",
                aggregate_type="user",
                aggregate_id=locked.pk,
                payload={"old_phone": old_phone, "new_phone": new_phone},
            )
    except IntegrityError as error:  # someone took the number meanwhile
        raise PhoneTaken(fields={"new_phone": [str(PhoneTaken.default_message)]}) from error
    logger.info("user #%s changed number %s → %s", locked.pk, mask_phone(old_phone), mask_phone(new_phone))
    user.phone, user.phone_verified_at, user.session_epoch = (
        locked.phone,
        locked.phone_verified_at,
        locked.session_epoch,
    )
    return locked


def _session_store_delete(session_keys: list[str]) -> None:
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in session_keys:
        store(session_key=key).delete()


def _sessions_end_others(*, user: User, keep_session_key: str | None) -> int:
    now = timezone.now()
    rows = UserSession.objects.filter(user=user, ended_at__isnull=True).exclude(session_key=keep_session_key or "")
    keys = list(rows.values_list("session_key", flat=True))
    UserSession.objects.filter(user=user, session_key__in=keys).update(ended_at=now)
    _session_store_delete(keys)  # the database store deletes in this transaction
    return len(keys)


def user_sessions_end_others(*, user: User, keep_session_key: str | None, client: ClientSeen) -> int:
    """ "Log out other devices": every session of ``user`` but
    ``keep_session_key`` ends, listed or not (``session_epoch`` is raised, so
    even a session from before the list existed no longer matches; the caller
    re-hashes its own with ``update_session_auth_hash``). Recorded. Answers
    how many listed sessions ended. API tokens are not sessions: they stay."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.session_epoch += 1
        locked.save(update_fields=["session_epoch"])
        ended = _sessions_end_others(user=locked, keep_session_key=keep_session_key)
        security_event_record(user=locked, kind=SecurityEventKind.OTHER_SESSIONS_ENDED, client=client, sessions=ended)
    user.session_epoch = locked.session_epoch
    return ended


def user_session_end(*, user: User, session_id: int, client: ClientSeen) -> UserSession:
    """End one of ``user``'s sessions (that device is logged out on its next
    request). Another user's session, or one already ended, is NotFound."""
    with transaction.atomic():
        row = UserSession.objects.select_for_update().filter(pk=session_id, user=user, ended_at__isnull=True).first()
        if row is None:
            raise NotFound()
        row.ended_at = timezone.now()
        row.save(update_fields=["ended_at"])
        security_event_record(user=user, kind=SecurityEventKind.SESSION_ENDED, client=client, session=row.pk)
        _session_store_delete([row.session_key])
    return row
