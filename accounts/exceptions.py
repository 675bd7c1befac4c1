from django.utils.translation import gettext_lazy as _

from socialshop.errors import Conflict


class RoleChangeRefused(Conflict):
    code = "role_change_refused"
    default_message = _("This user's role cannot change that way.")


class TooManyTokens(Conflict):
    code = "too_many_tokens"
    default_message = _("You have too many active API tokens; revoke one first.")


class PhoneTaken(Conflict):
    code = "phone_taken"
    default_message = _("This mobile number is already registered.")
