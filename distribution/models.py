from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import ResellerStatus


class Reseller(models.Model):
    """A user who sells: owns a shop, earns commissions, invites others.

    ``inviter`` is the upline (上级); a reseller has at most one, and the
    invite tree has no cycles (distribution.services is its only writer).
    ``invite_code`` is also the referral code carried by every link the
    reseller shares.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reseller")
    inviter = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="downline", verbose_name=_("inviter")
    )
    invite_code = models.CharField(_("invite code"), max_length=12, unique=True)
    status = models.CharField(_("status"), max_length=20, choices=ResellerStatus.choices, default=ResellerStatus.ACTIVE)
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reseller")
        verbose_name_plural = _("resellers")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ResellerStatus.values), name="reseller_status_known"),
            models.CheckConstraint(condition=~Q(inviter=models.F("id")), name="reseller_not_own_inviter"),
        ]

    def __str__(self):
        return f"{self.user} ({self.invite_code})"

    @property
    def is_active(self) -> bool:
        return self.status == ResellerStatus.ACTIVE
