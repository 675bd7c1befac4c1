"""Commission arithmetic: pure functions over integer fen, no database.

Per order line (DESIGN §3):

- *paid*    = unit price × quantity − discount (what the buyer paid for it)
- *margin*  = paid − supplier cost
- *markup*  = (shop price − list price) × quantity, the shop owner's own
  profit, never more than the margin
- *base*    = what tier shares are taken of: by default the margin without
  the markup (what the line earns at list price); or, with the ``paid``
  base, the amount paid without the markup
- *tier i*  = share_of(base, tier i's basis points), rounded down

and, whatever the plan says, **markup + Σ tiers ≤ margin**: if the shares of
a ``paid`` base would exceed what is left of the margin, the tiers are cut,
the furthest tier first. What rounding and cuts leave stays with the
platform. All rounding goes through ``socialshop.money`` (round down).
"""

from dataclasses import dataclass

from socialshop.money import BASIS_POINTS, proportion_of, share_of

MAX_TIERS = 3


class CommissionBase:
    MARGIN = "margin"
    PAID = "paid"


@dataclass(frozen=True)
class LineMoney:
    quantity: int
    unit_price_amount: int  # the shop's price per unit, as paid
    list_price_amount: int  # the catalogue's list price per unit
    cost_amount: int  # the supplier's cost per unit
    discount_amount: int = 0  # off the whole line

    @property
    def paid_amount(self) -> int:
        return max(self.unit_price_amount * self.quantity - self.discount_amount, 0)

    @property
    def margin_amount(self) -> int:
        return max(self.paid_amount - self.cost_amount * self.quantity, 0)


@dataclass(frozen=True)
class LineSplit:
    margin_amount: int
    markup_amount: int
    base_amount: int
    tier_amounts: tuple[int, ...]  # tier 1 first

    @property
    def paid_out_amount(self) -> int:
        return self.markup_amount + sum(self.tier_amounts)

    @property
    def platform_keeps_amount(self) -> int:
        return self.margin_amount - self.paid_out_amount


def line_split(*, line: LineMoney, tier_basis_points: list[int], base: str = CommissionBase.MARGIN) -> LineSplit:
    """Who gets what of one line's margin. ``tier_basis_points`` holds one
    share per tier that earns (1 to 3 of them), each 0–10000, their sum at
    most 10000."""
    if not 1 <= len(tier_basis_points) <= MAX_TIERS:
        raise ValueError("one to three tiers")
    if any(bps < 0 for bps in tier_basis_points) or sum(tier_basis_points) > BASIS_POINTS:
        raise ValueError("tier shares are 0–100% each and at most 100% together")
    margin = line.margin_amount
    markup = min(max(line.unit_price_amount - line.list_price_amount, 0) * line.quantity, margin)
    left = margin - markup
    base_amount = left if base == CommissionBase.MARGIN else max(line.paid_amount - markup, 0)
    tiers = [share_of(base_amount, bps) for bps in tier_basis_points]
    # the guarantee: never pay out more than the margin (cut the furthest tiers first)
    excess = sum(tiers) - left
    for index in reversed(range(len(tiers))):
        if excess <= 0:
            break
        cut = min(tiers[index], excess)
        tiers[index] -= cut
        excess -= cut
    return LineSplit(margin_amount=margin, markup_amount=markup, base_amount=base_amount, tier_amounts=tuple(tiers))


# --- flash sales (秒杀) ----------------------------------------------------------------------------


def flash_tier_shares(*, shares: list[int], commission_share_bps: int) -> list[int]:
    """The tier shares of a flash-sale line: ``commission_share_bps`` of
    each share the plan gives (10000 keeps them, 0 pays nobody), rounded
    down like every split."""
    return [share_of(share, commission_share_bps) for share in shares]


# --- end flash sales -------------------------------------------------------------------------------


def amount_after_refund(*, amount: int, paid_amount: int, refunded_amount: int) -> int:
    """What a commission on a line is worth once ``refunded_amount`` of its
    ``paid_amount`` has been refunded: shrunk in proportion, rounded down,
    computed from the total refunded (not step by step) so repeated partial
    refunds never drift."""
    if paid_amount <= 0 or refunded_amount >= paid_amount:
        return 0
    return proportion_of(amount, paid_amount - max(refunded_amount, 0), paid_amount)


def withdrawal_fee(*, amount: int, fixed_amount: int, basis_points: int) -> int:
    """The fee kept from a withdrawal of ``amount``: fixed + share, never more than the amount."""
    return min(fixed_amount + share_of(amount, basis_points), amount)
