"""The flash app's domain errors, each with a stable ``code`` clients may
rely on (docs/flash-sales.md lists them)."""

from django.utils.translation import gettext_lazy as _

from socialshop.errors import Conflict, DomainError


class FlashSoldOut(Conflict):
    code = "flash_sold_out"
    default_message = _("Sold out.")


class FlashLimitReached(Conflict):
    code = "flash_limit_reached"
    default_message = _("You already have as many as one person may buy.")


class FlashNotStarted(Conflict):
    code = "flash_not_started"
    default_message = _("The flash sale has not started yet.")


class FlashEnded(Conflict):
    code = "flash_ended"
    default_message = _("The flash sale has ended.")


class AdmissionExpired(Conflict):
    code = "flash_admission_expired"
    default_message = _("Your place was not used in time and went back to others. Try again.")


class FlashUnavailable(DomainError):
    """The gate cannot answer now (Redis down, or rebuilding for too long)."""

    code = "flash_unavailable"
    http_status = 503
    default_message = _("Too many people are trying right now. Try again in a moment.")
