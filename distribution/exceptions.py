from django.utils.translation import gettext_lazy as _

from socialshop.errors import Conflict, DomainError


class InviteCodeUnknown(DomainError):
    code = "invite_code_unknown"
    default_message = _("No reseller has this invite code.")


class AlreadyReseller(Conflict):
    code = "already_reseller"
    default_message = _("This user is already a reseller.")
