from django.utils.translation import gettext_lazy as _

from socialshop.errors import Conflict


class RoleChangeRefused(Conflict):
    code = "role_change_refused"
    default_message = _("This user's role cannot change that way.")
