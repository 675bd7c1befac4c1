"""Measures the candidate representations of the invite tree on PostgreSQL,
before choosing one (the figures and the choice are in docs/invite-tree.md).

    .venv/bin/python bench/tree_candidates.py [--size 1000000] [--chain 10000]

Each candidate gets its own tables in a scratch database (created and dropped
here; ``BENCH_DATABASE_URL`` points at the server, default
postgres://postgres@127.0.0.1:5432/socialshop_bench_tree_candidates) loaded
with COPY from the same seeded shape (bench/treeshape.py), and answers the
same questions: the 3 ancestors a commission needs, a page of a hub's direct
downline, team size and team sales of the root / a hub / the chain's head,
and moving the chain's head (a 10,000-node subtree). Every figure is the
median of several runs, printed beside a primary-key lookup on the same table.
It takes a while (the closure table has ~59 million rows); it is the evidence
for a decision, not a regression bench (that is bench/tree.py).
"""

import argparse
import io
import os
import sys
import time

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scratch import median_ms, scratch_database_create, scratch_database_drop  # noqa: E402
from treeshape import tree_shape_build  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/socialshop_bench_tree_candidates"


class LinesFile(io.RawIOBase):
    """A file object over an iterator of text lines, for COPY FROM STDIN."""

    def __init__(self, lines):
        self._lines = lines
        self._buffer = b""

    def readable(self):
        return True

    def readinto(self, target):
        while len(self._buffer) < len(target):
            chunk = "".join(line for _, line in zip(range(2000), self._lines, strict=False))
            if not chunk:
                break
            self._buffer += chunk.encode()
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size


def copy(cursor, table: str, lines) -> None:
    cursor.copy_expert(f"COPY {table} FROM STDIN", io.BufferedReader(LinesFile(iter(lines)), 1 << 20))


def sql_ms(cursor, sql: str, params, repeat: int = 15) -> float:
    """Median time of one statement and the fetch of its rows."""

    def run():
        cursor.execute(sql, params)
        cursor.fetchall()

    return median_ms(run, repeat)


def report(name: str, figure_ms: float, baseline_ms: float) -> None:
    print(f"  {name:<52} {figure_ms:>10.2f} ms   ({figure_ms / baseline_ms:>9.1f} x pk lookup {baseline_ms:.3f} ms)")
    sys.stdout.flush()


def base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if number == 0:
            return out


def load_nodes(cursor, shape) -> None:
    cursor.execute("CREATE TABLE node (id bigint PRIMARY KEY, parent_id bigint, own_sales bigint NOT NULL)")
    null = "\\N"
    copy(
        cursor,
        "node",
        (
            f"{node}\t{null if shape.parents[node] is None else shape.parents[node]}\t{shape.own_sales[node]}\n"
            for node in shape.ids()
        ),
    )
    cursor.execute("CREATE INDEX node_parent ON node (parent_id, id)")
    cursor.execute("VACUUM ANALYZE node")


def baseline(cursor, shape) -> float:
    probes = list(range(10_000, shape.size, 997))

    def lookup(index):
        cursor.execute("SELECT id, parent_id FROM node WHERE id = %s", [probes[index % len(probes)]])
        cursor.fetchall()

    return median_ms(lookup, 50, indexed=True)


def adjacency(cursor, shape, base: float) -> None:
    print("adjacency list + recursive CTE (nothing derived stored)")
    hub = shape.hub_ids[0]
    ancestors = (
        "SELECT p1.id, p2.id, p3.id FROM node n LEFT JOIN node p1 ON p1.id = n.parent_id "
        "LEFT JOIN node p2 ON p2.id = p1.parent_id LEFT JOIN node p3 ON p3.id = p2.parent_id WHERE n.id = %s"
    )
    report(f"ancestors, 3 tiers, of the {shape.chain:,}-deep node", sql_ms(cursor, ancestors, [shape.chain_tail]), base)
    downline = "SELECT id FROM node WHERE parent_id = %s ORDER BY id LIMIT 20"
    report("direct downline of a hub, page 1 (20)", sql_ms(cursor, downline, [hub]), base)
    team = (
        "WITH RECURSIVE team(id) AS (SELECT id FROM node WHERE parent_id = %s "
        "UNION ALL SELECT n.id FROM node n JOIN team ON n.parent_id = team.id) "
    )
    for label, node, repeat in [("hub", hub, 5), ("chain head", shape.chain_head, 5), ("root", shape.root, 3)]:
        report(f"team size of the {label}", sql_ms(cursor, team + "SELECT count(*) FROM team", [node], repeat), base)
    sales = team + "SELECT sum(n.own_sales) FROM team JOIN node n ON n.id = team.id"
    report("team sales of the hub", sql_ms(cursor, sales, [hub], 5), base)
    targets = iter([shape.size, shape.root] * 20)

    def move():
        target = next(targets)
        cursor.execute("BEGIN")
        cursor.execute(
            "WITH RECURSIVE up(id) AS (SELECT %s::bigint UNION SELECT n.parent_id FROM node n JOIN up ON n.id = up.id "
            "WHERE n.parent_id IS NOT NULL) SELECT EXISTS (SELECT 1 FROM up WHERE id = %s)",
            [target, shape.chain_head],
        )
        assert not cursor.fetchone()[0]
        cursor.execute("UPDATE node SET parent_id = %s WHERE id = %s", [target, shape.chain_head])
        cursor.execute("COMMIT")

    report(f"move the chain's head ({shape.chain:,}-node subtree)", median_ms(move, 6), base)


def closure(cursor, shape, base: float) -> None:
    print("closure table (ancestor, descendant, depth), self rows included")
    started = time.perf_counter()

    def rows():
        # ancestors (root first) of every node; the chain's list grows as we go,
        # the others are short and kept per node
        chain_path = []
        short = {}
        for node in shape.ids():
            parent = shape.parents[node]
            if parent is None:
                ancestors = []
            elif node <= shape.chain_tail:
                ancestors = chain_path
            else:
                ancestors = short[parent]
            for depth, ancestor in enumerate(reversed(ancestors), start=1):
                yield f"{ancestor}\t{node}\t{depth}\n"
            yield f"{node}\t{node}\t0\n"
            if node <= shape.chain_tail:
                chain_path = chain_path + [node] if node > 1 else [node]
                if node == 1:
                    short[1] = [1]
            else:
                short[node] = [*ancestors, node]

    cursor.execute("CREATE TABLE closure (ancestor bigint NOT NULL, descendant bigint NOT NULL, depth int NOT NULL)")
    copy(cursor, "closure", rows())
    loaded = time.perf_counter()
    cursor.execute("ALTER TABLE closure ADD PRIMARY KEY (ancestor, depth, descendant)")
    cursor.execute("CREATE INDEX closure_up ON closure (descendant, depth)")
    cursor.execute("VACUUM ANALYZE closure")
    cursor.execute("SELECT count(*), pg_size_pretty(pg_total_relation_size('closure')) FROM closure")
    count, size = cursor.fetchone()
    print(
        f"  {count:,} rows, {size} with indexes; "
        f"COPY {loaded - started:.0f} s, indexes {time.perf_counter() - loaded:.0f} s"
    )
    hub = shape.hub_ids[0]
    ancestors = "SELECT ancestor FROM closure WHERE descendant = %s AND depth BETWEEN 1 AND 3"
    report(f"ancestors, 3 tiers, of the {shape.chain:,}-deep node", sql_ms(cursor, ancestors, [shape.chain_tail]), base)
    downline = "SELECT descendant FROM closure WHERE ancestor = %s AND depth = 1 ORDER BY descendant LIMIT 20"
    report("direct downline of a hub, page 1 (20)", sql_ms(cursor, downline, [hub]), base)
    team_size = "SELECT count(*) FROM closure WHERE ancestor = %s AND depth > 0"
    for label, node, repeat in [("hub", hub, 9), ("chain head", shape.chain_head, 9), ("root", shape.root, 5)]:
        report(f"team size of the {label}", sql_ms(cursor, team_size, [node], repeat), base)
    sales = (
        "SELECT sum(n.own_sales) FROM closure c JOIN node n ON n.id = c.descendant "
        "WHERE c.ancestor = %s AND c.depth > 0"
    )
    report("team sales of the hub", sql_ms(cursor, sales, [hub], 5), base)

    def move_to(head, target):
        cursor.execute("BEGIN")
        cursor.execute("SELECT EXISTS (SELECT 1 FROM closure WHERE ancestor = %s AND descendant = %s)", [head, target])
        assert not cursor.fetchone()[0]
        cursor.execute(
            "DELETE FROM closure c USING closure sub, closure sup WHERE sub.ancestor = %s AND c.descendant = "
            "sub.descendant AND sup.descendant = %s AND sup.depth > 0 AND c.ancestor = sup.ancestor",
            [head, head],
        )
        cursor.execute(
            "INSERT INTO closure SELECT sup.ancestor, sub.descendant, sup.depth + sub.depth + 1 FROM closure sup, "
            "closure sub WHERE sup.descendant = %s AND sub.ancestor = %s",
            [target, head],
        )
        cursor.execute("UPDATE node SET parent_id = %s WHERE id = %s", [target, head])
        cursor.execute("COMMIT")

    targets = iter([shape.size, shape.root] * 20)
    report(
        f"move the chain's head ({shape.chain:,}-node subtree)",
        median_ms(lambda: move_to(shape.chain_head, next(targets)), 6),
        base,
    )
    deep = shape.chain_tail - 99  # a 100-node subtree hanging near the chain's end
    deep_parent = shape.parents[deep]
    targets = iter([shape.size, deep_parent] * 5)
    report(
        f"move a 100-node subtree from {shape.depths[deep]:,} levels deep",
        median_ms(lambda: move_to(deep, next(targets)), 2),
        base,
    )
    cursor.execute("DROP TABLE closure")


def paths(shape, label, separator):
    """(id, path) with path = the labels of the root .. the node."""
    chain_path = ""
    short = {}
    for node in shape.ids():
        parent = shape.parents[node]
        if parent is None:
            path = label(node)
        elif node <= shape.chain_tail:
            path = chain_path + separator + label(node)
        else:
            path = (short[parent] if parent in short else label(1)) + separator + label(node)
        if node <= shape.chain_tail:
            chain_path = path
            if node == 1:
                short[1] = path
        else:
            short[node] = path
        yield node, path


def try_index(cursor, statement: str) -> bool:
    try:
        cursor.execute(statement)
    except psycopg2.Error as error:
        print(f"  refused: {statement}\n    -> {str(error).strip().splitlines()[0]}")
        return False
    print(f"  built: {statement}")
    return True


def ltree(cursor, shape, base: float) -> None:
    print("PostgreSQL ltree (labels are base-36 ids)")
    cursor.execute("CREATE EXTENSION IF NOT EXISTS ltree")
    cursor.execute("CREATE TABLE lnode (id bigint PRIMARY KEY, path ltree NOT NULL, own_sales bigint NOT NULL)")
    started = time.perf_counter()
    copy(cursor, "lnode", (f"{node}\t{path}\t{shape.own_sales[node]}\n" for node, path in paths(shape, base36, ".")))
    print(f"  COPY {time.perf_counter() - started:.0f} s")
    cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('lnode'))")
    print(f"  table size {cursor.fetchone()[0]}")
    indexed = try_index(cursor, "CREATE INDEX lnode_path_gist ON lnode USING gist (path)")
    try_index(cursor, "CREATE INDEX lnode_path_btree ON lnode USING btree (path)")
    cursor.execute("VACUUM ANALYZE lnode")
    hub = shape.hub_ids[0]
    ancestors = (
        "SELECT subpath(path, greatest(nlevel(path) - 4, 0), least(nlevel(path) - 1, 3)) FROM lnode WHERE id = %s"
    )
    report(f"ancestors, 3 tiers, of the {shape.chain:,}-deep node", sql_ms(cursor, ancestors, [shape.chain_tail]), base)
    team = "SELECT {what} FROM lnode t, lnode me WHERE me.id = %s AND t.path <@ me.path AND t.id <> me.id"
    scan = "" if indexed else " (no index: full scan)"
    report(f"team size of the hub{scan}", sql_ms(cursor, team.format(what="count(*)"), [hub], 3), base)
    report("team sales of the hub", sql_ms(cursor, team.format(what="sum(t.own_sales)"), [hub], 3), base)
    targets = iter([shape.size, shape.root] * 5)

    def move():
        target = next(targets)
        cursor.execute("BEGIN")
        cursor.execute(
            "UPDATE lnode SET path = (SELECT path FROM lnode WHERE id = %s) || subpath(path, "
            "nlevel((SELECT path FROM lnode WHERE id = %s)) - 1) WHERE path <@ (SELECT path FROM lnode WHERE id = %s)",
            [target, shape.chain_head, shape.chain_head],
        )
        cursor.execute("COMMIT")

    report(f"move the chain's head ({shape.chain:,}-node subtree)", median_ms(move, 2), base)
    cursor.execute("DROP TABLE lnode")


def materialised_path(cursor, shape) -> None:
    print("materialised path, django-treebeard's MP_Node layout (4 base-36 characters per level)")
    cursor.execute("CREATE TABLE mpnode (id bigint PRIMARY KEY, path text NOT NULL, own_sales bigint NOT NULL)")
    copy(
        cursor,
        "mpnode",
        (
            f"{node}\t{path}\t{shape.own_sales[node]}\n"
            for node, path in paths(shape, lambda node: base36(node).rjust(4, "0"), "")
        ),
    )
    cursor.execute("SELECT max(length(path)), count(*) FILTER (WHERE length(path) > 255) FROM mpnode")
    longest, over = cursor.fetchone()
    print(f"  longest path {longest:,} characters; {over:,} paths longer than treebeard's default varchar(255)")
    try_index(cursor, "CREATE UNIQUE INDEX mpnode_path ON mpnode (path)")
    try_index(cursor, "CREATE INDEX mpnode_path_pattern ON mpnode (path text_pattern_ops)")
    cursor.execute("DROP TABLE mpnode")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--chain", type=int, default=10_000)
    parser.add_argument("--only", nargs="*", default=["adjacency", "closure", "ltree", "mp"])
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    shape = tree_shape_build(size=args.size, chain=args.chain)
    print(f"tree: {shape.size:,} nodes, chain {shape.chain:,} deep, hub {shape.hub_ids[0]}; PostgreSQL at {url}")
    scratch_database_create(url)
    connection = psycopg2.connect(url)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            print(cursor.fetchone()[0])
            load_nodes(cursor, shape)
            base = baseline(cursor, shape)
            if "adjacency" in args.only:
                adjacency(cursor, shape, base)
            if "closure" in args.only:
                closure(cursor, shape, base)
            if "ltree" in args.only:
                ltree(cursor, shape, base)
            if "mp" in args.only:
                materialised_path(cursor, shape)
    finally:
        connection.close()
        if not args.keep:
            scratch_database_drop(url)


if __name__ == "__main__":
    main()
