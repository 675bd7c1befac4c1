"""The synthetic invite tree both tree benchmarks build: deterministic (seeded),
made of plain Python lists so that any representation can be loaded from it.

Shape (ids 1..size, every parent id smaller than its child's):

- id 1 is the root;
- ids 2 .. chain+1 are one chain under the root: ``chain + 1`` is ``chain``
  levels deep and the chain's head (id 2) carries a subtree of exactly
  ``chain`` nodes, the one the move benchmark moves;
- the first ``hubs`` ids after the chain are "super recruiters" under the
  root; each later node joins one of them with probability ``hub_share``
  (about 10,000 direct invitees each), otherwise a uniformly random earlier
  node outside the chain (a random recursive tree: depth about ln(size)).

Every node gets synthetic own sales (fen), for the team-sales figures.
"""

import random
from dataclasses import dataclass


@dataclass
class TreeShape:
    size: int
    chain: int
    parents: list  # parents[id] (index 0 unused); None for the root
    depths: list  # depths[id]; the root is 0
    own_sales: list  # own_sales[id] in fen
    hub_ids: list

    @property
    def root(self) -> int:
        return 1

    @property
    def chain_head(self) -> int:
        return 2

    @property
    def chain_tail(self) -> int:
        return self.chain + 1

    def ids(self):
        return range(1, self.size + 1)

    def subtree_totals(self) -> tuple[list, list, list, list, list]:
        """Per id: team size, team sales and level 1..3 sizes (the whole
        subtree below, self excluded), computed children-first."""
        team_size = [0] * (self.size + 1)
        team_sales = [0] * (self.size + 1)
        levels = [[0] * (self.size + 1) for _ in range(3)]
        for node in range(self.size, 1, -1):
            parent = self.parents[node]
            team_size[parent] += 1 + team_size[node]
            team_sales[parent] += self.own_sales[node] + team_sales[node]
            levels[0][parent] += 1
            levels[1][parent] += levels[0][node]
            levels[2][parent] += levels[1][node]
        return team_size, team_sales, levels[0], levels[1], levels[2]


def tree_shape_build(*, size: int, chain: int, hubs: int = 10, hub_share: float = 0.1, seed: int = 2024) -> TreeShape:
    assert size > chain + hubs + 1
    rng = random.Random(seed)
    parents: list = [None] * (size + 1)
    depths = [0] * (size + 1)
    for node in range(2, chain + 2):
        parents[node] = node - 1
        depths[node] = depths[node - 1] + 1
    first_random = chain + 2
    hub_ids = list(range(first_random, first_random + hubs))
    for node in hub_ids:
        parents[node] = 1
        depths[node] = 1
    for node in range(first_random + hubs, size + 1):
        if rng.random() < hub_share:
            parent = rng.choice(hub_ids)
        else:
            pick = rng.randrange(first_random - 1, node)  # the root or an earlier non-chain node
            parent = 1 if pick == first_random - 1 else pick
        parents[node] = parent
        depths[node] = depths[parent] + 1
    own_sales = [0] + [rng.randrange(0, 100_000) for _ in range(size)]
    return TreeShape(size=size, chain=chain, parents=parents, depths=depths, own_sales=own_sales, hub_ids=hub_ids)
