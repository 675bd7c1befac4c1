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


# --- withholding income tax on withdrawals (预扣个税) -------------------------------------


class WithholdingRule:
    """How tax is withheld from a withdrawal (``WITHHOLDING_RULE``)."""

    OFF = "off"
    FLAT = "flat"  # a flat share of every withdrawal (WITHHOLDING_FLAT_RATE_BPS)
    LABOUR = "labour"  # 劳务报酬所得's prepayment table, over a calendar month's withdrawals

    ALL = (OFF, FLAT, LABOUR)


# 劳务报酬所得 预扣预缴 (国家税务总局公告2018年第61号): the income of a payment (for
# continuous income, of a month) less a deduction (¥800 up to ¥4,000, else 20 %) is
# taxed at 20 % up to ¥20,000, 30 % − ¥2,000 up to ¥50,000, 40 % − ¥7,000 above. In fen.
LABOUR_DEDUCTION_FLAT_UP_TO = 400_000  # income up to ¥4,000 deducts ¥800
LABOUR_DEDUCTION_FLAT = 80_000
LABOUR_DEDUCTION_SHARE_BPS = 2_000  # above: 20 % of the income
# (taxable income up to, rate in basis points, quick deduction), in fen; the last bracket has no top
LABOUR_BRACKETS: tuple[tuple[int | None, int, int], ...] = (
    (2_000_000, 2_000, 0),
    (5_000_000, 3_000, 200_000),
    (None, 4_000, 700_000),
)


def labour_month_tax(*, income_amount: int) -> int:
    """The tax a month's ``income_amount`` (fen) owes by the 劳务报酬 prepayment
    table, rounded down to the fen. Continuous and non-decreasing in the income
    (the table's brackets and deductions meet at their edges), and its slope is
    at most 32 %, so a month's tax never passes the income."""
    if income_amount <= 0:
        return 0
    if income_amount <= LABOUR_DEDUCTION_FLAT_UP_TO:
        taxable_x10000 = max(income_amount - LABOUR_DEDUCTION_FLAT, 0) * BASIS_POINTS
    else:
        taxable_x10000 = income_amount * (BASIS_POINTS - LABOUR_DEDUCTION_SHARE_BPS)
    # in 1/10000 fen, so that nothing is rounded until the end
    for top, rate_bps, quick_deduction in LABOUR_BRACKETS:
        if top is None or taxable_x10000 <= top * BASIS_POINTS:
            tax_x10000_x10000 = taxable_x10000 * rate_bps - quick_deduction * BASIS_POINTS * BASIS_POINTS
            return max(tax_x10000_x10000 // (BASIS_POINTS * BASIS_POINTS), 0)
    raise AssertionError("the last bracket has no top")  # pragma: no cover


@dataclass(frozen=True)
class Withholding:
    tax_amount: int  # withheld from this withdrawal
    net_amount: int  # what is left of it: amount − tax


def withholding_tax(
    *, rule: str, amount: int, flat_rate_bps: int = 0, month_amount_before: int = 0, month_tax_before: int = 0
) -> Withholding:
    """The income tax withheld from a withdrawal of ``amount`` fen.

    - ``off``: nothing.
    - ``flat``: ``flat_rate_bps`` of the amount, rounded down.
    - ``labour``: the month's tax on everything withdrawn in the calendar month
      so far including this amount (``month_amount_before`` + ``amount``), by
      ``labour_month_tax``, less what the month's earlier withdrawals withheld
      (``month_tax_before``); never below zero (an earlier withdrawal returned
      out of order can leave the month over-withheld by a little: the yearly
      汇算清缴 settles it).

    Rounding: down to the fen, on the month's total (so a month split into
    many withdrawals withholds what one withdrawal of the total would).
    Always 0 ≤ tax ≤ amount, net + tax = amount, and the tax never falls
    when the amount grows."""
    if amount < 0 or month_amount_before < 0 or month_tax_before < 0:
        raise ValueError("amounts are never negative")
    if rule == WithholdingRule.OFF:
        tax = 0
    elif rule == WithholdingRule.FLAT:
        if not 0 <= flat_rate_bps <= BASIS_POINTS:
            raise ValueError("a rate is 0–100%")
        tax = share_of(amount, flat_rate_bps)
    elif rule == WithholdingRule.LABOUR:
        owed = labour_month_tax(income_amount=month_amount_before + amount)
        tax = max(owed - month_tax_before, 0)
    else:
        raise ValueError(f"unknown withholding rule {rule!r}")
    tax = min(tax, amount)
    return Withholding(tax_amount=tax, net_amount=amount - tax)


# --- reseller grades (分销等级) ----------------------------------------------------------------


def tier_shares_graded(*, plan_shares: list[int], grade_shares: list[int | None]) -> list[int]:
    """The tier shares one line pays when its earners have grades: tier *i*
    earns its own grade's rate for tier *i* (``grade_shares[i]``; None: it has
    no grade, or its grade keeps the plan's rate for that tier), else the
    plan's. Grades are checked when saved so that no mix passes 100 %
    (``grade_shares_worst_case``); should a plan published later make one, the
    furthest tiers are cut to keep the sum at 100 %, as ``line_split`` cuts
    to the margin. Never more tiers than the plan pays."""
    shares = [
        plan_share if index >= len(grade_shares) or grade_shares[index] is None else grade_shares[index]
        for index, plan_share in enumerate(plan_shares)
    ]
    excess = sum(shares) - BASIS_POINTS
    for index in reversed(range(len(shares))):
        if excess <= 0:
            break
        cut = min(shares[index], excess)
        shares[index] -= cut
        excess -= cut
    return shares


def grade_shares_worst_case(*, plan_shares: list[int], grades: list[list[int | None]]) -> int:
    """The most the tier shares of one line can add up to (bp) when any
    earner may hold any of ``grades`` (each a list of per-tier rates, None:
    the plan's): for each tier the plan pays, the highest rate any grade or
    the plan gives it. A set of grades is valid when this is at most 100 %."""
    total = 0
    for index, plan_share in enumerate(plan_shares):
        rates = [plan_share] + [rates[index] for rates in grades if index < len(rates) and rates[index] is not None]
        total += max(rates)
    return total


@dataclass(frozen=True)
class GradeRule:
    """One grade as the promotion rule reads it. ``conditions``: (kind,
    threshold, window in days); all must hold. A grade without conditions is
    everyone's (the entry grade)."""

    grade_id: int
    rank: int
    hold_days: int
    conditions: tuple[tuple[str, int, int], ...]


GradeFigures = dict[int, dict[str, int]]  # window (days) → condition kind → the reseller's figure


def grade_qualifies(*, rule: GradeRule, figures: GradeFigures) -> bool:
    return all(figures.get(window, {}).get(kind, 0) >= threshold for kind, threshold, window in rule.conditions)


@dataclass(frozen=True)
class GradeDecision:
    grade_id: int | None  # the grade the reseller should hold now
    changed: bool
    promoted: bool  # to a higher rank than before (False: lower, or no change)
    held: bool  # a lower grade qualifies, but the hold period keeps the current one


def grade_decide(
    *,
    rules: list[GradeRule],
    figures: GradeFigures,
    current_grade_id: int | None,
    held_until,
    now,
) -> GradeDecision:
    """The grade a reseller holds after an evaluation, from its own figures:

    - the highest-ranked grade whose conditions all hold (none: no grade);
    - a higher grade applies at once; a lower one only once the current
      grade's hold period (``held_until``) has passed."""
    ranks = {rule.grade_id: rule.rank for rule in rules}

    def rank(grade_id):
        return ranks.get(grade_id, -1) if grade_id is not None else -1

    qualified = [rule for rule in rules if grade_qualifies(rule=rule, figures=figures)]
    target = max(qualified, key=lambda rule: (rule.rank, rule.grade_id)).grade_id if qualified else None
    if target == current_grade_id:
        return GradeDecision(grade_id=current_grade_id, changed=False, promoted=False, held=False)
    if rank(target) > rank(current_grade_id):
        return GradeDecision(grade_id=target, changed=True, promoted=True, held=False)
    if held_until is not None and now < held_until:
        return GradeDecision(grade_id=current_grade_id, changed=False, promoted=False, held=True)
    return GradeDecision(grade_id=target, changed=True, promoted=False, held=False)


@dataclass(frozen=True)
class ConditionProgress:
    kind: str
    threshold: int
    window_days: int
    figure: int

    @property
    def met(self) -> bool:
        return self.figure >= self.threshold

    @property
    def percent(self) -> int:
        """How far along, 0–100 (a bar's width)."""
        if self.threshold <= 0:
            return 100
        return min(100, self.figure * 100 // self.threshold)
