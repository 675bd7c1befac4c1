import factory

from accounts.choices import Role
from accounts.models import User

PASSWORD = "correct horse battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    # 139 + 8 digits: valid mainland mobile numbers, unique per sequence
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    nickname = factory.Faker("name", locale="zh_CN")
    role = Role.CUSTOMER
    password = factory.django.Password(PASSWORD)


class OperatorFactory(UserFactory):
    role = Role.OPERATOR
    is_staff = True
    is_superuser = True


def sign_up_code(client, phone: str, url: str = "/accounts/sign-up/") -> str:
    """Press a sign-up form's 获取验证码 for ``phone`` and read the code the
    console SMS provider "sent" (the password sign-ups prove the number too)."""
    from accounts.phone import normalize_mainland_mobile
    from accounts.sms.console import console_code_for

    response = client.post(url, {"action": "send_code", "phone": phone})
    assert response.status_code == 200, response.content
    return console_code_for(normalize_mainland_mobile(phone))
