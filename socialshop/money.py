"""Money: integer minor units (fen) everywhere, yuan only at the edges.

The one rounding rule of the platform lives here (``share_of``): a share of an
amount is rounded *down* to the fen, so the remainder of any split stays with
the platform and the parts never add up to more than the whole.
"""

from decimal import Decimal, InvalidOperation

FEN_PER_YUAN = 100
BASIS_POINTS = 10_000  # 100% expressed in basis points (1 bp = 0.01%)
MAX_AMOUNT = 10**15  # far above any real order; keeps inputs bounded


class InvalidAmount(ValueError):
    """An amount that is not a finite, non-negative number with at most two decimals."""


def yuan_to_fen(value: str | int | Decimal) -> int:
    """Parse yuan ("12.3", "12.30", 12) into fen. Refuses floats, more than two
    decimals, negatives, NaN and infinities rather than guessing."""
    if isinstance(value, float) or isinstance(value, bool):
        raise InvalidAmount("amounts must be given as strings or integers, not floats")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as error:
        raise InvalidAmount(f"not a number: {value!r}") from error
    if not number.is_finite():
        raise InvalidAmount(f"not a finite number: {value!r}")
    if number < 0:
        raise InvalidAmount("must not be negative")
    if number.adjusted() > 15:  # checked before any arithmetic: "1e999999" would overflow it
        raise InvalidAmount("too large")
    if number * FEN_PER_YUAN > MAX_AMOUNT:
        raise InvalidAmount("too large")
    fen = number * FEN_PER_YUAN
    if fen != fen.to_integral_value():
        raise InvalidAmount("at most two decimals")
    return int(fen)


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
