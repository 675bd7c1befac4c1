"""The invite tree's storage, used only by ``services`` (writes) and
``selectors`` (reads). docs/invite-tree.md says why it looks like this.

The tree is an adjacency list (``Reseller.inviter``) plus one row of team
totals per reseller (``ResellerTotals``): team size, the size of each of the
first three levels below, team sales and own sales. A change below a
reseller is added to the totals of all its ancestors in one set-based
statement that walks up the inviter links (a recursive CTE); so a team of a
million answers from one row, a subtree of any size moves by changing one
inviter, and the price is paid by writers, in proportion to depth.

Every writer of the tree's shape or totals first takes ``tree_lock``: one
PostgreSQL advisory lock, held until commit. Two moves that would each be
fine alone but close a cycle together, or a join racing a move of its
inviter's ancestor, are therefore serialised; the statements after the lock
read the tree as committed (READ COMMITTED takes a snapshot per statement).
"""

from dataclasses import dataclass

from django.db import connection

from .models import Reseller, ResellerTotals

# pg_advisory_xact_lock key: "invite tree" (any constant unique in this database)
TREE_LOCK_KEY = 0x7472_6565
# A walk up the tree stops here even if the tree were corrupt (it cannot be:
# moves refuse cycles); far above any real depth, and the bench's 10,000.
WALK_LIMIT = 10_000_000

RESELLER = Reseller._meta.db_table
TOTALS = ResellerTotals._meta.db_table

# The ancestors of the reseller ``start`` is the inviter of, nearest first:
# (id, distance) with the inviter at distance 1. Plain SQL that PostgreSQL and
# SQLite both run.
UPLINE_CTE = f"""
    upline(id, inviter_id, distance) AS (
        SELECT id, inviter_id, 1 FROM {RESELLER} WHERE id = %(start)s
        UNION ALL
        SELECT r.id, r.inviter_id, u.distance + 1
        FROM {RESELLER} r JOIN upline u ON r.id = u.inviter_id
        WHERE u.distance < {WALK_LIMIT}
    )
"""


def tree_lock() -> None:
    """Serialise writers of the tree until the current transaction ends.
    SQLite (the embedded default) serialises all writers anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [TREE_LOCK_KEY])


def is_in_subtree(*, node_id: int, root_id: int) -> bool:
    """Whether ``node_id`` is ``root_id`` or lies below it: one walk up from
    ``node_id``."""
    if node_id == root_id:
        return True
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH RECURSIVE {UPLINE_CTE} SELECT 1 FROM upline WHERE id = %(root)s LIMIT 1",
            {"start": node_id, "root": root_id},
        )
        return cursor.fetchone() is not None


def bounded_path(inviter: Reseller | None) -> dict:
    """The upline fields of a reseller whose inviter is ``inviter``."""
    if inviter is None:
        return {"inviter_id": None, "inviter_2_id": None, "inviter_3_id": None}
    return {"inviter_id": inviter.pk, "inviter_2_id": inviter.inviter_id, "inviter_3_id": inviter.inviter_2_id}


def bounded_path_rewrite(*, head_id: int, inviter: Reseller | None) -> None:
    """``head_id`` now hangs under ``inviter``: rewrite the links that name
    its new upline, i.e. its own three and those of its first two levels
    (three UPDATEs; rows touched: 1 + its level 1 + its level 2)."""
    path = bounded_path(inviter)
    Reseller.objects.filter(pk=head_id).update(**path)
    Reseller.objects.filter(inviter_id=head_id).update(
        inviter_2_id=path["inviter_id"], inviter_3_id=path["inviter_2_id"]
    )
    Reseller.objects.filter(inviter_2_id=head_id).update(inviter_3_id=path["inviter_id"])


@dataclass(frozen=True)
class Branch:
    """What a subtree (a reseller with its team) weighs in its ancestors'
    totals: its members, their sales, and its members per level below its
    head (level 0 is the head itself)."""

    size: int
    sales_amount: int
    level_1_size: int
    level_2_size: int

    @classmethod
    def of(cls, totals: ResellerTotals) -> "Branch":
        return cls(
            size=1 + totals.team_size,
            sales_amount=totals.own_sales_amount + totals.team_sales_amount,
            level_1_size=totals.level_1_size,
            level_2_size=totals.level_2_size,
        )


NEW_MEMBER = Branch(size=1, sales_amount=0, level_1_size=0, level_2_size=0)


def totals_shift(*, inviter_id: int, branch: Branch, sign: int) -> None:
    """Add (sign +1) or remove (-1) ``branch`` from the totals of the
    reseller ``inviter_id`` and all its ancestors: one statement, whatever the
    depth. For the ancestor at distance d, the branch's head is at level d and
    its level-k members at level d + k."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH RECURSIVE {UPLINE_CTE}
            UPDATE {TOTALS} SET
                team_size = team_size + %(size)s,
                team_sales_amount = team_sales_amount + %(sales)s,
                level_1_size = level_1_size + CASE WHEN u.distance = 1 THEN %(one)s ELSE 0 END,
                level_2_size = level_2_size + CASE u.distance WHEN 1 THEN %(l1)s WHEN 2 THEN %(one)s ELSE 0 END,
                level_3_size = level_3_size
                    + CASE u.distance WHEN 1 THEN %(l2)s WHEN 2 THEN %(l1)s WHEN 3 THEN %(one)s ELSE 0 END
            FROM upline u
            WHERE {TOTALS}.reseller_id = u.id
            """,
            {
                "start": inviter_id,
                "size": sign * branch.size,
                "sales": sign * branch.sales_amount,
                "one": sign,
                "l1": sign * branch.level_1_size,
                "l2": sign * branch.level_2_size,
            },
        )


def sales_fold(*, sale_ids: list[int], sales_table: str) -> None:
    """Fold the sales rows ``sale_ids`` into the totals: each amount into its
    reseller's own sales and into the team sales of all its ancestors, in two
    set-based statements (the second walks up from every seller at once and
    adds the sums per ancestor)."""
    ids = {f"id_{index}": sale_id for index, sale_id in enumerate(sale_ids)}
    id_list = ", ".join(f"%({name})s" for name in ids)
    pending = f"""
        pending(reseller_id, amount) AS (
            SELECT reseller_id, SUM(amount) FROM {sales_table} WHERE id IN ({id_list}) GROUP BY reseller_id
        )
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH {pending}
            UPDATE {TOTALS} SET own_sales_amount = own_sales_amount + p.amount
            FROM pending p WHERE {TOTALS}.reseller_id = p.reseller_id
            """,
            ids,
        )
        cursor.execute(
            f"""
            WITH RECURSIVE {pending},
            carried(id, amount, distance) AS (
                SELECT r.inviter_id, p.amount, 1
                FROM pending p JOIN {RESELLER} r ON r.id = p.reseller_id
                WHERE r.inviter_id IS NOT NULL
                UNION ALL
                SELECT r.inviter_id, c.amount, c.distance + 1
                FROM carried c JOIN {RESELLER} r ON r.id = c.id
                WHERE r.inviter_id IS NOT NULL AND c.distance < {WALK_LIMIT}
            ),
            summed(id, amount) AS (SELECT id, SUM(amount) FROM carried GROUP BY id)
            UPDATE {TOTALS} SET team_sales_amount = team_sales_amount + s.amount
            FROM summed s WHERE {TOTALS}.reseller_id = s.id
            """,
            ids,
        )
