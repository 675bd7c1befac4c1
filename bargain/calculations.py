"""The cuts of a bargain (砍价), pure integer fen arithmetic, no database.

A bargain's K cuts are drawn once from its seed (``random.Random(seed)``,
whose integer draws are the same on every Python since 3.2) with the
"double mean" rule of WeChat's lucky red packets: with ``R`` fen still to
cut and ``L`` helps left, the next cut is uniform in
``[1, min(2R // L, R - (L - 1))]``, and the last help cuts whatever is left.

Proof sketch (docs/bargaining.md): start with ``R = start − floor ≥ K = L``
(the campaign's CHECK). While ``L ≥ 2``, ``2R // L ≥ 2`` and
``R − (L − 1) ≥ 1``, so the range is non-empty, the cut is ≥ 1 fen, and
``R' = R − cut ≥ L − 1 = L'``: the invariant ``R ≥ L`` holds. The last help
cuts ``R ≥ 1``. So every cut is ≥ 1 fen, the cuts sum to ``start − floor``
exactly (the K-th lands on the floor), and no running price is ever below
the floor (``R ≥ 0`` throughout). Same seed, same cuts.
"""

import random


def bargain_cuts(*, seed: int, helps_needed: int, start_amount: int, floor_amount: int) -> list[int]:
    """The K cuts, in fen, in the order the helps land. ValueError when the
    span cannot give every help at least one fen."""
    span = start_amount - floor_amount
    if helps_needed < 1 or span < helps_needed:
        raise ValueError("start − floor must be at least one fen per help")
    draw = random.Random(seed)  # noqa: S311 (a game's fairness, not a secret: the seed is stored)
    cuts: list[int] = []
    left = span
    for helps_left in range(helps_needed, 1, -1):
        cut = draw.randint(1, min(2 * left // helps_left, left - (helps_left - 1)))
        cuts.append(cut)
        left -= cut
    cuts.append(left)
    return cuts


def bargain_cut(*, seed: int, helps_needed: int, start_amount: int, floor_amount: int, help_number: int) -> int:
    """The cut of help number ``help_number`` (1 … K)."""
    cuts = bargain_cuts(seed=seed, helps_needed=helps_needed, start_amount=start_amount, floor_amount=floor_amount)
    return cuts[help_number - 1]
