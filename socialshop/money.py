"""Money: integer minor units (fen) everywhere, yuan only at the edges.

The one rounding rule of the platform lives here (``share_of``): a share of an
amount is rounded *down* to the fen, so the remainder of any split stays with
the platform and the parts never add up to more than the whole.
"""

import re
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

FEN_PER_YUAN = 100
BASIS_POINTS = 10_000  # 100% expressed in basis points (1 bp = 0.01%)
MAX_AMOUNT = 10**15  # far above any real order; keeps inputs bounded

# The one grammar of an amount typed or sent in yuan: ASCII digits, then at
# most two decimals after a point; a minus sign only where a field allows
# negatives. No "+", exponent, full-width digits, thousands separators,
# currency sign, surrounding spaces or point without decimals ("10.").
AMOUNT_PATTERN = r"^[0-9]+(\.[0-9]{1,2})?$"
SIGNED_AMOUNT_PATTERN = r"^-?[0-9]+(\.[0-9]{1,2})?$"
# what is refused is told apart by one wider shape: a plain decimal number
_DECIMAL_SHAPE = re.compile(r"(?P<sign>-?)(?P<whole>[0-9]+)(?:\.(?P<fraction>[0-9]+))?", re.ASCII)

AMOUNT_ERRORS = {
    "amount_not_text": _('Give the amount as text in yuan, e.g. "12.50".'),
    "amount_malformed": _('Enter an amount in yuan in half-width digits with at most two decimals, e.g. "12.50".'),
    "amount_too_precise": _("At most two decimals: amounts are exact to the fen."),
    "amount_negative": _("The amount must not be negative."),
    "amount_too_large": _("The amount is too large."),
    "amount_not_positive": _("The amount must be more than 0."),
}


class InvalidAmount(ValueError):
    """An amount outside the grammar or the field's range; ``code`` (a key of
    ``AMOUNT_ERRORS``) is stable for programs, ``message`` is for people."""

    def __init__(self, code: str):
        self.code = code
        self.message = AMOUNT_ERRORS[code]
        super().__init__(code)


def amount_pattern(*, signed: bool = False) -> str:
    """The grammar as a regular expression (what the API schema promises)."""
    return SIGNED_AMOUNT_PATTERN if signed else AMOUNT_PATTERN


def yuan_to_fen(text: str, *, signed: bool = False, positive: bool = False) -> int:
    """Parse yuan typed or sent as text (``"12"``, ``"12.5"``, ``"12.50"``)
    into integer fen: the platform's only parser of money input, behind the
    API's ``MoneyField`` and the pages' ``YuanField``. ``signed`` lets a
    leading ``-`` through; ``positive`` refuses 0. Never rounds, never
    guesses: anything else raises InvalidAmount with its code."""
    if not isinstance(text, str):
        raise InvalidAmount("amount_not_text")
    shape = _DECIMAL_SHAPE.fullmatch(text)
    if shape is None:
        raise InvalidAmount("amount_malformed")
    if shape["sign"] and not signed:
        raise InvalidAmount("amount_negative")
    fraction = shape["fraction"] or ""
    if len(fraction) > 2:
        raise InvalidAmount("amount_too_precise")
    whole = shape["whole"].lstrip("0")
    if len(whole) > len(str(MAX_AMOUNT // FEN_PER_YUAN)):  # before int(): "9" * 10**6 is no number to build
        raise InvalidAmount("amount_too_large")
    fen = int(whole or "0") * FEN_PER_YUAN + int(fraction.ljust(2, "0"))
    if fen > MAX_AMOUNT:
        raise InvalidAmount("amount_too_large")
    amount = -fen if shape["sign"] else fen
    if positive and amount <= 0:
        raise InvalidAmount("amount_not_positive")
    return amount


def fen_to_yuan(amount: int) -> Decimal:
    """Fen as a Decimal of yuan with exactly two places."""
    return (Decimal(amount) / FEN_PER_YUAN).quantize(Decimal("0.01"))


def format_yuan(amount: int) -> str:
    """What a page shows: ``¥1,234.50``; negative amounts keep their sign."""
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{fen_to_yuan(abs(amount)):,}"


def share_of(amount: int, basis_points: int) -> int:
    """``basis_points``/10000 of ``amount``, rounded down to the fen.

    The platform's only rounding rule: every split (tier commissions, refund
    proportions) goes through it, and what rounding leaves over stays with the
    platform.
    """
    if basis_points < 0 or amount < 0:
        raise ValueError("shares are taken of non-negative amounts at non-negative rates")
    return amount * basis_points // BASIS_POINTS


def proportion_of(amount: int, numerator: int, denominator: int) -> int:
    """``amount`` × numerator / denominator, rounded down (same rule as ``share_of``)."""
    if denominator <= 0 or numerator < 0 or amount < 0:
        raise ValueError("proportions are of non-negative amounts over a positive whole")
    return amount * numerator // denominator


def split_in_proportion(amount: int, weights: list[int], *, limits: list[int] | None = None) -> list[int]:
    """``amount`` split across parts in proportion to ``weights`` (an order's
    discount across its lines): each part rounded down with ``proportion_of``,
    and the fen rounding leaves go to the largest part (the first of equals),
    so the parts add up to exactly ``amount``. With ``limits`` no part takes
    more than its limit: what the largest cannot take goes to the next
    largest. ``amount`` must fit: at most the weights' (or limits') sum."""
    if amount < 0 or any(weight < 0 for weight in weights):
        raise ValueError("splits are of non-negative amounts by non-negative weights")
    limits = list(weights) if limits is None else list(limits)
    whole = sum(weights)
    if amount == 0:
        return [0] * len(weights)
    if whole <= 0 or amount > sum(limits):
        raise ValueError("the amount does not fit the parts")
    parts = [min(proportion_of(amount, weight, whole), limit) for weight, limit in zip(weights, limits, strict=True)]
    left = amount - sum(parts)
    for index in sorted(range(len(weights)), key=lambda at: (-weights[at], at)):
        if left <= 0:
            break
        more = min(left, limits[index] - parts[index])
        parts[index] += more
        left -= more
    return parts
