from django.utils.translation import gettext_lazy as _

from socialshop.errors import Conflict, DomainError, NotFound


class InviteCodeUnknown(DomainError):
    code = "invite_code_unknown"
    default_message = _("No reseller has this invite code.")


class InviterNotActive(Conflict):
    code = "inviter_not_active"
    default_message = _("This invite code cannot be used now: its reseller is not active.")


class AlreadyReseller(Conflict):
    code = "already_reseller"
    default_message = _("This user is already a reseller.")


class NotAReseller(NotFound):
    code = "not_a_reseller"
    default_message = _("You are not a reseller.")


class MoveWouldCreateCycle(Conflict):
    code = "move_would_create_cycle"
    default_message = _("A reseller cannot be moved under itself or under a member of its own team.")


class MoveChangesNothing(Conflict):
    code = "move_changes_nothing"
    default_message = _("The reseller already has this inviter.")


class ReasonRequired(DomainError):
    code = "reason_required"
    default_message = _("Write down why.")


class InvalidStatusChange(Conflict):
    code = "invalid_status_change"
    default_message = _("The reseller's status does not allow this.")


class SelfBindingRefused(DomainError):
    code = "self_binding_refused"
    default_message = _("A reseller cannot be bound to itself.")


class TeamLevelOutOfRange(DomainError):
    code = "team_level_out_of_range"
    default_message = _("This level of the team is not visible.")


class BindingReleaseRefused(DomainError):
    """The platform's binding rule still holds the customer to its reseller
    (first touch, inside the lifetime): the message says until when."""

    code = "binding_release_refused"
    http_status = 409
    default_message = _("Your binding cannot be ended yet under the platform's rules.")


class BindingMissing(DomainError):
    code = "binding_missing"
    http_status = 404
    default_message = _("You are not bound to any reseller.")
