import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from accounts.choices import Role
from accounts.models import User
from accounts.phone import mask_name, mask_phone, normalize_mainland_mobile

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("13800138000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("008613800138000", "13800138000"),
        ("19912345678", "19912345678"),
    ],
)
def test_mainland_mobile_numbers_are_normalised(typed, stored):
    assert normalize_mainland_mobile(typed) == stored


@pytest.mark.parametrize(
    "typed",
    ["", "12345", "1380013800", "138001380001", "02161234567", "+1 415 555 0100", "abcdefghijk", "10012345678"],
)
def test_anything_but_a_mainland_mobile_is_refused(typed):
    with pytest.raises(ValidationError) as error:
        normalize_mainland_mobile(typed)
    assert error.value.code == "invalid_phone"


def test_a_new_user_is_a_customer_and_logs_in_by_phone():
    user = User.objects.create_user(phone="+86 138 0013 8000", password="pw-123456")

    assert user.phone == "13800138000"
    assert user.role == Role.CUSTOMER
    assert not user.is_staff
    assert User.objects.get_by_natural_key("138 0013 8000") == user


def test_a_superuser_is_an_operator():
    user = User.objects.create_superuser(phone="13800138001", password="pw-123456")

    assert user.role == Role.OPERATOR
    assert user.is_operator and user.is_staff and user.is_superuser


def test_the_database_refuses_admin_access_for_anyone_but_operators():
    user = User.objects.create_user(phone="13800138002", password="pw")
    user.is_staff = True

    with pytest.raises(IntegrityError):
        user.save(update_fields=["is_staff"])


def test_the_database_refuses_an_unknown_role():
    user = User.objects.create_user(phone="13800138003", password="pw")

    with pytest.raises(IntegrityError):
        User.objects.filter(pk=user.pk).update(role="wizard")


def test_two_users_cannot_share_a_phone():
    User.objects.create_user(phone="13800138004", password="pw")

    with pytest.raises(ValidationError):
        User.objects.create_user(phone="+8613800138004", password="pw")


def test_contact_details_are_masked_for_others():
    assert mask_phone("13800138000") == "138****8000"
    assert mask_name("张三丰") == "张**"
    assert mask_name("李") == "李*"
