"""The only writers of resellers and the invite tree."""

from django.db import IntegrityError, transaction

from accounts.choices import Role
from accounts.models import User
from accounts.services import user_promote

from .choices import ResellerStatus
from .codes import invite_code_generate, invite_code_normalize
from .exceptions import AlreadyReseller, InviteCodeUnknown
from .models import Reseller

INVITE_CODE_ATTEMPTS = 5


def _reseller_insert(*, user: User, inviter: Reseller | None, status: str) -> Reseller:
    # A fresh random code collides rarely; the unique index decides, and we
    # draw again inside a savepoint.
    for _attempt in range(INVITE_CODE_ATTEMPTS):
        try:
            with transaction.atomic():
                return Reseller.objects.create(
                    user=user, inviter=inviter, invite_code=invite_code_generate(), status=status
                )
        except IntegrityError:
            if Reseller.objects.filter(user=user).exists():
                raise AlreadyReseller() from None
    raise RuntimeError("could not draw a free invite code")


@transaction.atomic
def reseller_create_root(*, user: User) -> Reseller:
    """An operator makes a reseller with no inviter (a root of the tree)."""
    if Reseller.objects.filter(user=user).exists():
        raise AlreadyReseller()
    user_promote(user=user, role=Role.RESELLER)
    return _reseller_insert(user=user, inviter=None, status=ResellerStatus.ACTIVE)


@transaction.atomic
def reseller_join(*, user: User, invite_code: str) -> Reseller:
    """A customer becomes a reseller under the owner of ``invite_code``.
    Joining is free and pays nobody."""
    inviter = Reseller.objects.filter(invite_code=invite_code_normalize(invite_code)).first()
    if inviter is None:
        raise InviteCodeUnknown(fields={"invite_code": invite_code})
    if Reseller.objects.filter(user=user).exists():
        raise AlreadyReseller()
    user_promote(user=user, role=Role.RESELLER)
    return _reseller_insert(user=user, inviter=inviter, status=ResellerStatus.ACTIVE)
