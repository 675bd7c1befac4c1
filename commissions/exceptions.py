from django.utils.translation import gettext_lazy as _

from socialshop.errors import Conflict, DomainError

from .choices import GRADE_CONDITION_FORBIDDEN


class WithdrawalRefused(DomainError):
    """Base of the reasons a withdrawal request is refused (HTTP 400)."""

    code = "withdrawal_refused"
    default_message = _("This withdrawal cannot be made.")


class BelowMinimumWithdrawal(WithdrawalRefused):
    code = "below_minimum_withdrawal"
    default_message = _("The amount is below the minimum withdrawal.")


class InsufficientBalance(WithdrawalRefused):
    code = "insufficient_balance"
    default_message = _("The amount is more than your withdrawable balance.")


class ResellerNotActive(WithdrawalRefused):
    code = "reseller_not_active"
    http_status = 403
    default_message = _("Your reseller account is not active.")


class InvalidTransition(Conflict):
    code = "invalid_transition"
    default_message = _("This cannot be done in the current state.")


class NotAReseller(DomainError):
    code = "not_a_reseller"
    http_status = 403
    default_message = _("Only resellers have commissions and withdrawals.")


class NoPayoutAccount(WithdrawalRefused):
    code = "no_payout_account"
    default_message = _("Add a payout account before withdrawing.")


class PayoutAccountRefused(DomainError):
    code = "payout_account_refused"
    default_message = _("This payout account cannot be added.")


# --- reseller grades -----------------------------------------------------------------------


class GradeConditionForbidden(DomainError):
    """A promotion condition on recruiting or on a team's results (DESIGN §5 rule 13)."""

    code = "grade_condition_forbidden"
    default_message = GRADE_CONDITION_FORBIDDEN


class GradeReasonRequired(DomainError):
    code = "reason_required"
    default_message = _("Say why the grade is set by hand.")


class GradeUnknown(DomainError):
    code = "grade_unknown"
    default_message = _("No such grade in use.")
