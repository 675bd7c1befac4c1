from django.utils.translation import gettext_lazy as _

from socialshop.errors import Conflict, DomainError
from socialshop.states import InvalidTransition as KernelInvalidTransition


class InvalidTransition(KernelInvalidTransition):
    default_message = _("The bargain is not in a state that allows this.")


class CampaignInvalid(DomainError):
    code = "bargain_campaign_invalid"
    default_message = _("Check the bargain campaign.")


class CampaignNotRunning(Conflict):
    code = "bargain_campaign_not_running"
    default_message = _("This bargain campaign is not running.")


class AlreadyStarted(Conflict):
    code = "bargain_already_started"
    default_message = _("You already have a bargain in this campaign.")


class BargainClosed(Conflict):
    code = "bargain_closed"
    default_message = _("This bargain is no longer open: it was bought or its time ran out.")


class AlreadyHelped(Conflict):
    code = "bargain_already_helped"
    default_message = _("You already helped this bargain.")


class SelfHelp(Conflict):
    code = "bargain_self_help"
    default_message = _("You cannot help your own bargain: share it with friends.")


class FloorReached(Conflict):
    code = "bargain_floor_reached"
    default_message = _("This bargain already reached its lowest price.")


class NewUsersOnly(Conflict):
    code = "bargain_new_users_only"
    default_message = _("Only new users may help this bargain.")
