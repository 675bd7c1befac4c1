from django.utils.translation import gettext_lazy as _

from socialshop.errors import Conflict, DomainError
from socialshop.states import InvalidTransition as KernelInvalidTransition


class InvalidTransition(KernelInvalidTransition):
    default_message = _("The group is not in a state that allows this.")


class GroupFull(Conflict):
    code = "group_full"
    default_message = _("Every seat of this group is taken. Open a group of your own or join another.")


class GroupClosed(Conflict):
    code = "group_closed"
    default_message = _("This group is no longer open.")


class AlreadyInGroup(Conflict):
    code = "already_in_group"
    default_message = _("You are already in an open group of this campaign.")


class CampaignNotRunning(Conflict):
    code = "campaign_not_running"
    default_message = _("This group-buying campaign is not running.")


class CampaignInvalid(DomainError):
    code = "campaign_invalid"
    default_message = _("Check the campaign.")


class OverPersonLimit(DomainError):
    code = "over_person_limit"
    default_message = _("Too many units for one member.")
