"""The invite tree at scale: 1,000,000 resellers with one chain 10,000 deep,
built in PostgreSQL with COPY, then timed through the project's own
selectors and services.

    .venv/bin/python bench/tree.py            # about 3-4 minutes on 2 cores

Prints the median time of each operation beside a baseline measured in the
same run (a primary-key lookup on the same table, raw SQL and through the
ORM), then recounts the whole tree's totals from the inviter links and
compares. The scratch database (``BENCH_DATABASE_URL``, default
postgres://postgres@127.0.0.1:5432/socialshop_bench_tree) is created and
dropped here. The shape of the tree is bench/treeshape.py; the reasons for
the design are in docs/invite-tree.md.
"""

import argparse
import io
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

from scratch import bench_django_ready, bench_environment, median_ms, scratch_database_create, scratch_database_drop  # noqa: E402
from treeshape import tree_shape_build  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/socialshop_bench_tree"
TOTALS_COLUMNS = [
    "reseller_id",
    "team_size",
    "level_1_size",
    "level_2_size",
    "level_3_size",
    "team_sales_amount",
    "own_sales_amount",
]
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def invite_code(number: int) -> str:
    """Distinct 6-character codes from the real alphabet (31**6 > 10**8)."""
    out = []
    for _ in range(6):
        number, rest = divmod(number, len(CODE_ALPHABET))
        out.append(CODE_ALPHABET[rest])
    return "".join(reversed(out))


def copy_rows(cursor, table: str, columns: list[str], rows) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(row))
        buffer.write("\n")
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


def load(shape, now: datetime) -> None:
    from django.db import connection

    from accounts.models import User
    from distribution.models import Reseller, ResellerTotals

    started = time.perf_counter()
    year = timedelta(days=365)
    joined = [""] + [(now - year + year * (node / shape.size)).isoformat() for node in shape.ids()]
    team_size, team_sales, level_1, level_2, level_3 = shape.subtree_totals()

    def upline(node):
        first = shape.parents[node]
        second = shape.parents[first] if first else None
        return first, second, shape.parents[second] if second else None

    null = "\\N"
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor  # psycopg2's, for COPY
        copy_rows(
            cursor,
            User._meta.db_table,
            [
                "id",
                "password",
                "is_superuser",
                "email",
                "is_staff",
                "is_active",
                "date_joined",
                "phone",
                "nickname",
                "role",
            ],
            (
                (str(node), "!", "f", "", "f", "t", joined[node], f"137{node:08d}", f"店主{node}", "reseller")
                for node in shape.ids()
            ),
        )
        copy_rows(
            cursor,
            Reseller._meta.db_table,
            ["id", "user_id", "inviter_id", "inviter_2_id", "inviter_3_id", "invite_code", "status", "joined_at"],
            (
                (
                    str(node),
                    str(node),
                    *(null if up is None else str(up) for up in upline(node)),
                    invite_code(node),
                    "active",
                    joined[node],
                )
                for node in shape.ids()
            ),
        )
        copy_rows(
            cursor,
            ResellerTotals._meta.db_table,
            TOTALS_COLUMNS,
            (
                tuple(
                    str(value)
                    for value in (
                        node,
                        team_size[node],
                        level_1[node],
                        level_2[node],
                        level_3[node],
                        team_sales[node],
                        shape.own_sales[node],
                    )
                )
                for node in shape.ids()
            ),
        )
        for table in (User._meta.db_table, Reseller._meta.db_table):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        for table in (User._meta.db_table, Reseller._meta.db_table, ResellerTotals._meta.db_table):
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"loaded {shape.size:,} users, resellers and team totals with COPY in {time.perf_counter() - started:.0f} s")


class Report:
    def __init__(self, baseline_ms: float):
        self.baseline_ms = baseline_ms

    def line(self, name: str, figure_ms: float, note: str = "") -> None:
        ratio = figure_ms / self.baseline_ms
        print(f"  {name:<66} {figure_ms:>9.2f} ms  {ratio:>8.1f} x baseline  {note}")
        sys.stdout.flush()


def measure(shape, repeat: int) -> None:
    from django.core.paginator import Paginator
    from django.db import connection

    from accounts.choices import Role
    from accounts.services import user_create
    from distribution.models import Reseller, ResellerSale, ResellerTotals
    from distribution.selectors import reseller_uplines, team_members, team_summary, tier_count_source_set
    from distribution.services import reseller_join, reseller_move, team_sales_roll_up

    tier_count_source_set(lambda: 3)  # as if the plan paid 3 tiers: the most levels a team page shows
    rng = random.Random(7)
    probes = [rng.randrange(1, shape.size + 1) for _ in range(1000)]

    def raw_pk(index):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, inviter_id, status FROM distribution_reseller WHERE id = %s", [probes[index % len(probes)]]
            )
            cursor.fetchone()

    def orm_pk(index):
        Reseller.objects.get(pk=probes[index % len(probes)])

    baseline = median_ms(raw_pk, repeat * 5, indexed=True)
    orm_baseline = median_ms(orm_pk, repeat * 5, indexed=True)
    print(
        f"\nbaseline: primary-key lookup of a reseller, raw SQL {baseline:.3f} ms, "
        f"through the ORM {orm_baseline:.3f} ms"
    )
    report = Report(baseline)
    root, hub, head, tail = shape.root, shape.hub_ids[0], shape.chain_head, shape.chain_tail
    hub_reseller = Reseller.objects.get(pk=hub)
    root_reseller = Reseller.objects.get(pk=root)
    print(f"(median of {repeat} runs each; ratios are to the raw-SQL baseline)\n")

    report.line(
        f"ancestors (3 tiers) of the {shape.depths[tail]:,}-deep reseller",
        median_ms(lambda: reseller_uplines(reseller_ids={tail}, tiers=3), repeat),
        "1 query",
    )
    report.line(
        "ancestors (3 tiers) of random resellers",
        median_ms(lambda index: reseller_uplines(reseller_ids={probes[index]}, tiers=3), repeat, indexed=True),
        "1 query",
    )
    downline = hub_reseller.totals.level_1_size
    for number in (1, max(1, downline // 40)):
        report.line(
            f"direct downline page {number} (20 of {downline:,})",
            median_ms(
                lambda number=number: list(
                    Paginator(team_members(reseller=hub_reseller, level=1), 20).page(number).object_list
                ),
                repeat,
            ),
            "3 queries",
        )
    for label, node in (("root", root), ("hub", hub), ("chain head", head)):
        totals = ResellerTotals.objects.get(pk=node)
        report.line(
            f"team size of the {label} ({totals.team_size:,} members)",
            median_ms(lambda node=node: ResellerTotals.objects.values_list("team_size").get(pk=node), repeat),
            "1 row",
        )
    report.line(
        f"team sales of the root ({shape.size - 1:,} members' sales)",
        median_ms(lambda: ResellerTotals.objects.values_list("team_sales_amount").get(pk=root), repeat),
        "1 row",
    )
    report.line(
        f"level-3 members of the root, page 1 (20 of {root_reseller.totals.level_3_size:,})",
        median_ms(
            lambda: list(Paginator(team_members(reseller=root_reseller, level=3), 20).page(1).object_list), repeat
        ),
        "3 queries",
    )
    for label, reseller in (("root", root_reseller), ("hub", hub_reseller)):
        report.line(
            f"team page header of the {label} (totals, 3 levels, new this week)",
            median_ms(lambda reseller=reseller: team_summary(reseller=reseller), repeat),
            "<= 6 queries",
        )

    operator = user_create(phone="13800000000", password=None, role=Role.OPERATOR)
    target = max(range(shape.size - 1000, shape.size + 1), key=lambda node: shape.depths[node])

    def move_between(node: int, places: list[int]):
        reseller = Reseller.objects.get(pk=node)

        def move(index):
            reseller_move(
                reseller=reseller,
                new_inviter=Reseller.objects.get(pk=places[index % 2]),
                actor=operator,
                reason="bench",
            )

        return move

    # an even number of runs (warm-up included) leaves the tree as it was
    moves = repeat | 1
    report.line(
        f"move the chain's head with its {shape.chain:,}-node subtree",
        median_ms(move_between(head, [target, root]), moves, indexed=True),
        f"to depth {shape.depths[target] + 1} and back",
    )
    hub_totals = hub_reseller.totals
    report.line(
        f"move a hub ({hub_totals.team_size:,} members, {hub_totals.level_1_size + hub_totals.level_2_size:,} "
        "in levels 1-2)",
        median_ms(move_between(hub, [target, root]), 3, indexed=True),
        "rewrites levels 1-2's links",
    )
    report.line(
        f"move the {shape.depths[tail]:,}-deep chain end under the root",
        median_ms(move_between(tail, [root, shape.parents[tail]]), moves, indexed=True),
        f"walks {shape.depths[tail]:,} ancestors",
    )

    phones = iter(range(10_000_000, 10_001_000))

    def join_under(inviter: int):
        code = Reseller.objects.get(pk=inviter).invite_code

        def join():
            reseller_join(user=user_create(phone=f"135{next(phones):08d}", password=None), invite_code=code)

        return join

    report.line("join under a hub (depth 1)", median_ms(join_under(hub), repeat), "incl. user")
    report.line(
        f"join under the {shape.depths[tail]:,}-deep reseller", median_ms(join_under(tail), repeat), "incl. user"
    )

    def roll_up_batch(index=0):
        sellers = [rng.randrange(1, shape.size + 1) for _ in range(500)]
        ResellerSale.objects.bulk_create(
            [
                ResellerSale(reseller_id=seller, amount=rng.randrange(1, 10_000), key=f"bench-{index}-{n}")
                for n, seller in enumerate(sellers)
            ]
        )
        started = time.perf_counter()
        folded = team_sales_roll_up(batch_size=500)
        assert folded == 500
        return time.perf_counter() - started

    samples = [roll_up_batch(index) * 1000 for index in range(5)]
    report.line("roll up 500 sales of random resellers into team sales", statistics.median(samples), "1 batch")


def verify(shape) -> None:
    """Recount every reseller's totals from the inviter links and own sales."""
    from django.db.models import Sum

    from distribution.models import Reseller, ResellerSale, ResellerTotals

    started = time.perf_counter()
    links = {
        row[0]: row[1:]
        for row in Reseller.objects.values_list("id", "inviter_id", "inviter_2_id", "inviter_3_id").iterator(
            chunk_size=50_000
        )
    }
    parents = {node: link[0] for node, link in links.items()}
    bad_paths = sum(
        1
        for node, (first, second, third) in links.items()
        if second != (parents[first] if first else None) or third != (parents[second] if second else None)
    )
    own = defaultdict(int, {node: shape.own_sales[node] for node in shape.ids()})
    for reseller_id, amount in (
        ResellerSale.objects.values("reseller_id").annotate(s=Sum("amount")).values_list("reseller_id", "s")
    ):
        own[reseller_id] += amount
    children = defaultdict(list)
    for node, parent in parents.items():
        children[parent].append(node)
    order, stack = [], list(children[None])
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(children[node])
    expected = {node: [0, 0, 0, 0, 0] for node in parents}  # size, level 1-3, sales
    for node in reversed(order):
        parent = parents[node]
        if parent is None:
            continue
        mine, theirs = expected[node], expected[parent]
        theirs[0] += 1 + mine[0]
        theirs[1] += 1
        theirs[2] += mine[1]
        theirs[3] += mine[2]
        theirs[4] += own[node] + mine[4]
    wrong = 0
    for row in ResellerTotals.objects.values_list(*TOTALS_COLUMNS).iterator(chunk_size=50_000):
        if list(row[1:6]) != expected[row[0]] or row[6] != own[row[0]]:
            wrong += 1
    print(
        f"\nrecount of all {len(parents):,} resellers' totals and upline links from the tree: "
        f"{'all equal' if wrong + bad_paths == 0 else f'{wrong} totals and {bad_paths} paths DIFFER'} "
        f"({time.perf_counter() - started:.0f} s)"
    )
    if wrong or bad_paths:
        raise SystemExit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--chain", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=15, help="runs per figure (the median is printed)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    bench_environment(url)  # a recorded sale's roll-up runs in process
    started = time.perf_counter()
    scratch_database_create(url)
    try:
        bench_django_ready()
        from django.db import connection

        shape = tree_shape_build(size=args.size, chain=args.chain)
        print(
            f"tree: {shape.size:,} resellers, deepest {max(shape.depths):,} levels (the chain), "
            f"{len(shape.hub_ids)} hubs with ~{shape.size // 100:,} direct invitees each"
        )
        load(shape, datetime.now(UTC))
        measure(shape, args.repeat)
        verify(shape)
        connection.close()
    finally:
        if not args.keep:
            scratch_database_drop(url)
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
