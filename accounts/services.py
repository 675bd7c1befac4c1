"""The only writers of users and their roles."""

from django.db import transaction

from .choices import Role
from .exceptions import RoleChangeRefused
from .models import User


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
