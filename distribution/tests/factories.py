import factory

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from distribution.codes import invite_code_generate
from distribution.models import Reseller


class ResellerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reseller

    user = factory.SubFactory(UserFactory, role=Role.RESELLER)
    inviter = None
    invite_code = factory.LazyFunction(invite_code_generate)
