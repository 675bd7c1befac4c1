"""For the resellers that existed before the tree kept more than inviter
links: their bounded path (inviter_2, inviter_3) and their team totals,
counted children-first (no sales were reported yet)."""

from django.db import migrations


def backfill(apps, schema_editor):
    Reseller = apps.get_model("distribution", "Reseller")
    ResellerTotals = apps.get_model("distribution", "ResellerTotals")
    parents = dict(Reseller.objects.values_list("id", "inviter_id"))
    for node, parent in parents.items():
        grandparent = parents.get(parent) if parent else None
        Reseller.objects.filter(pk=node).update(
            inviter_2=grandparent, inviter_3=parents.get(grandparent) if grandparent else None
        )
    children = {}
    for node, parent in parents.items():
        children.setdefault(parent, []).append(node)
    # an order where every child comes before its parent
    order, stack = [], list(children.get(None, []))
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(children.get(node, []))
    totals = {node: [0, 0, 0, 0] for node in parents}  # team, level 1, 2, 3
    for node in reversed(order):
        parent = parents[node]
        if parent is None:
            continue
        mine, theirs = totals[node], totals[parent]
        theirs[0] += 1 + mine[0]
        theirs[1] += 1
        theirs[2] += mine[1]
        theirs[3] += mine[2]
    ResellerTotals.objects.bulk_create(
        [
            ResellerTotals(reseller_id=node, team_size=t[0], level_1_size=t[1], level_2_size=t[2], level_3_size=t[3])
            for node, t in totals.items()
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("distribution", "0002_tree_totals_bindings_audit")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
