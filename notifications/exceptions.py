from django.utils.translation import gettext_lazy as _

from socialshop.errors import DomainError


class PreferenceInvalid(DomainError):
    code = "preference_invalid"
    http_status = 400
    default_message = _("Choose channels this kind of message can go through.")
