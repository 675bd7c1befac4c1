"""A bargain's states and who moves them, as data for the project's
transition kernel (``socialshop/states.py``). docs/bargaining.md."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from socialshop.states import SYSTEM

BUYER = "buyer"


class BargainStatus(models.TextChoices):
    ACTIVE = "active", _("Bargaining in progress")
    ORDERED = "ordered", _("Ordered, awaiting payment")
    BOUGHT = "bought", _("Bought")
    EXPIRED = "expired", _("Expired")


BARGAIN_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    # the starter buys at the current price: the order is placed, no more helps
    (BargainStatus.ACTIVE, BargainStatus.ORDERED): frozenset({BUYER}),
    # the order's payment committed
    (BargainStatus.ORDERED, BargainStatus.BOUGHT): frozenset({SYSTEM}),
    # the order was cancelled unpaid while time is left: the bargain reopens, helps kept
    (BargainStatus.ORDERED, BargainStatus.ACTIVE): frozenset({SYSTEM}),
    # the order was cancelled unpaid after the time ran out
    (BargainStatus.ORDERED, BargainStatus.EXPIRED): frozenset({SYSTEM}),
    # the time ran out (beat's sweep)
    (BargainStatus.ACTIVE, BargainStatus.EXPIRED): frozenset({SYSTEM}),
}

HELPS_MIN, HELPS_MAX = 1, 100
