"""A naive recount of the invite tree, to check the totals the services keep
against: every member is walked up to every ancestor, nothing clever."""

from collections import defaultdict

from django.db.models import Sum

from distribution.models import Reseller, ResellerSale, ResellerTotals


def tree_parents() -> dict[int, int | None]:
    return dict(Reseller.objects.values_list("id", "inviter_id"))


# A reseller and its ancestors, nearest first, walked up the inviter links (not the bounded path the
# commission upline reads): what reseller_uplines must agree with. Params: [reseller id, tiers].
_UPLINE_WALK_SQL = f"""
    WITH RECURSIVE upline AS (
        SELECT id, inviter_id, status, 1 AS tier FROM {Reseller._meta.db_table} WHERE id = %s
        UNION ALL
        SELECT r.id, r.inviter_id, r.status, u.tier + 1
        FROM {Reseller._meta.db_table} r JOIN upline u ON r.id = u.inviter_id
        WHERE u.tier < %s
    )
    SELECT id, inviter_id, status, tier FROM upline ORDER BY tier
"""  # noqa: S608 - the table name comes from the model


def upline_walk(*, reseller_id: int, tiers: int) -> list[Reseller]:
    """``reseller_id`` and its ancestors, tier 1 first, at most ``tiers``,
    walked up the inviter links in SQL."""
    return list(Reseller.objects.raw(_UPLINE_WALK_SQL, [reseller_id, tiers]))


def tree_bounded_path_errors() -> list[int]:
    """Resellers whose inviter_2 / inviter_3 are not the walk up the inviter links."""
    rows = {row[0]: row[1:] for row in Reseller.objects.values_list("id", "inviter_id", "inviter_2_id", "inviter_3_id")}
    wrong = []
    for node, (inviter, inviter_2, inviter_3) in rows.items():
        expected_2 = rows[inviter][0] if inviter else None
        expected_3 = rows[expected_2][0] if expected_2 else None
        if (inviter_2, inviter_3) != (expected_2, expected_3):
            wrong.append(node)
    return wrong


def tree_cycles(parents: dict[int, int | None]) -> list[int]:
    """Resellers whose walk up never reaches a root."""
    stuck = []
    for node in parents:
        seen = set()
        current = node
        while current is not None:
            if current in seen:
                stuck.append(node)
                break
            seen.add(current)
            current = parents[current]
    return stuck


def tree_recount() -> dict[int, dict[str, int]]:
    """Per reseller, what its totals must say: team size, members per level
    1..3, team sales and own sales (folded sales only)."""
    parents = tree_parents()
    own = defaultdict(int)
    for reseller_id, amount in (
        ResellerSale.objects.filter(rolled_up_at__isnull=False)
        .values("reseller_id")
        .annotate(total=Sum("amount"))
        .values_list("reseller_id", "total")
    ):
        own[reseller_id] = amount
    expected = {
        node: {"team_size": 0, "level_1_size": 0, "level_2_size": 0, "level_3_size": 0, "team_sales_amount": 0}
        for node in parents
    }
    for node in parents:
        expected[node]["own_sales_amount"] = own[node]
        ancestor, distance = parents[node], 1
        while ancestor is not None:
            expected[ancestor]["team_size"] += 1
            expected[ancestor]["team_sales_amount"] += own[node]
            if distance <= 3:
                expected[ancestor][f"level_{distance}_size"] += 1
            ancestor, distance = parents[ancestor], distance + 1
    return expected


def tree_totals() -> dict[int, dict[str, int]]:
    fields = ["team_size", "level_1_size", "level_2_size", "level_3_size", "team_sales_amount", "own_sales_amount"]
    return {row.pop("reseller_id"): row for row in ResellerTotals.objects.values("reseller_id", *fields)}
