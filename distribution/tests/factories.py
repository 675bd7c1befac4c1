import factory

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from distribution.choices import ResellerStatus
from distribution.models import Reseller


class ResellerFactory(factory.django.DjangoModelFactory):
    """A reseller made through the services, so the tree's totals stay
    true: a root without ``inviter``, else joined with the inviter's code.
    ``status`` other than active is set afterwards (test set-up only)."""

    class Meta:
        model = Reseller

    user = factory.SubFactory(UserFactory, role=Role.RESELLER)
    inviter = None
    status = ResellerStatus.ACTIVE

    @classmethod
    def _create(cls, model_class, user, inviter=None, status=ResellerStatus.ACTIVE, invite_code=None, **kwargs):
        from distribution.services import reseller_create_root, reseller_join

        if inviter is None:
            reseller = reseller_create_root(user=user)
        else:
            reseller = reseller_join(user=user, invite_code=inviter.invite_code)
        changes = {"status": status} if status != reseller.status else {}
        if invite_code is not None:
            changes["invite_code"] = invite_code
        if changes:
            Reseller.objects.filter(pk=reseller.pk).update(**changes)
            reseller.refresh_from_db()
        return reseller
