"""An admission's states and who moves them (the transition kernel's table)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from socialshop.states import SYSTEM

BUYER = "buyer"


class AdmissionStatus(models.TextChoices):
    ADMITTED = "admitted", _("admitted, not ordered yet")
    ORDERED = "ordered", _("ordered")
    RELEASED = "released", _("released (back to the gate)")


# an admission holds a unit of the flash stock while admitted or ordered
ACTIVE_ADMISSIONS = (AdmissionStatus.ADMITTED, AdmissionStatus.ORDERED)

ADMISSION_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (AdmissionStatus.ADMITTED, AdmissionStatus.ORDERED): frozenset({BUYER}),
    # not ordered in time, or the slot ended
    (AdmissionStatus.ADMITTED, AdmissionStatus.RELEASED): frozenset({SYSTEM}),
    # the order was not paid in time, or was cancelled
    (AdmissionStatus.ORDERED, AdmissionStatus.RELEASED): frozenset({SYSTEM}),
}


class CommissionMode(models.TextChoices):
    """What a flash line earns resellers (DESIGN §3, issue 17)."""

    FULL = "full", _("full commission")
    REDUCED = "reduced", _("a lower rate")
    NONE = "none", _("no commission")
