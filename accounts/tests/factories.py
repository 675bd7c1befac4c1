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
