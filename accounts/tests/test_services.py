import pytest

from accounts.choices import Role
from accounts.exceptions import RoleChangeRefused
from accounts.services import user_create, user_promote

from .factories import OperatorFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_operator_created_by_the_service_can_use_the_admin():
    operator = user_create(phone="13800138010", password="pw", role=Role.OPERATOR)

    assert operator.is_staff


@pytest.mark.parametrize("role", [Role.RESELLER, Role.SUPPLIER_STAFF])
def test_a_customer_can_become_a_reseller_or_supplier_staff(role):
    user = UserFactory()

    user_promote(user=user, role=role)

    user.refresh_from_db()
    assert user.role == role


@pytest.mark.parametrize(
    "start, target",
    [
        (Role.RESELLER, Role.SUPPLIER_STAFF),
        (Role.SUPPLIER_STAFF, Role.RESELLER),
        (Role.OPERATOR, Role.RESELLER),
        (Role.CUSTOMER, Role.OPERATOR),
    ],
)
def test_other_role_changes_are_refused_and_change_nothing(start, target):
    user = OperatorFactory() if start == Role.OPERATOR else UserFactory(role=start)

    with pytest.raises(RoleChangeRefused) as error:
        user_promote(user=user, role=target)

    assert error.value.extra == {"current_role": start, "requested_role": target}
    user.refresh_from_db()
    assert user.role == start


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sign_ups_with_one_number_at_once_make_one_user_and_a_clear_refusal():
    import threading

    from django.db import connection

    from accounts.exceptions import PhoneTaken
    from accounts.models import User

    barrier = threading.Barrier(2)
    outcomes = []

    def sign_up():
        try:
            barrier.wait()
            outcomes.append(user_create(phone="13800138077", password="pw"))
        except Exception as error:  # noqa: BLE001 - the outcome is what the test checks
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["PhoneTaken", "User"]
    assert all(isinstance(outcome, (User, PhoneTaken)) for outcome in outcomes)
    assert User.objects.filter(phone="13800138077").count() == 1
