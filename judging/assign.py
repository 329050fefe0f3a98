"""Conflict-aware judge assignment as a min-cost flow (OR-tools).

The rules: every entry gets k distinct judges, none from the entry's own or
recommending unit, none with a declared conflict, at most one per unit; loads
as even as those rules allow.

Network: source → judge (one capacity-1 arc per load level, cost rising with
the level, so the cheapest flow balances loads) → ... → entry → sink (capacity
k minus the judges the entry already has). The middle is the textbook
judge → (entry, judge unit) [cap 1] → entry, but pooled: apart from declared
conflicts, whether a judge may take an entry depends only on the judge's unit,
so judges feed a unit node and the unit sends at most one unit of flow to each
entry it may serve. Only (entry, unit) pairs with a conflict keep per-judge
arcs. The flows are equivalent (same loads, same feasibility) while the graph
is ~5x smaller and ~30x faster to solve. A unit's pooled entries are then dealt
out to its judges at random in the amounts the flow chose.

Reproducible: judges and entries are sorted by id, then shuffled, and tie-break
costs drawn, from the PCG64 bit stream of ``problem.seed`` (that raw stream is
stable across numpy releases), so a recorded seed replays the same run with
the same OR-tools version. A problem comes as lists (``AssignmentProblem``) or as
columns (``ProblemTable``, what the database side builds without an object per
entry); both are prepared from the columns, with numpy. No Flask or SQLAlchemy here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow

from core.i18n_markers import N_
from judging.assign_table import (
    NO_CAP,
    ProblemTable,
    as_ints,
    as_pairs,
    component_count,
    isin_sorted,
    pair_order,
    validate,
)

# Why a judge may not take an entry (single pair).
SAME_UNIT = "same_unit"
CONFLICT = "conflict"
# Why an entry did not get all its judges.
NO_ELIGIBLE_JUDGES = "no_eligible_judges"
POOL_TOO_SMALL = "pool_too_small"
CAPACITY = "capacity"

REASON_MESSAGES = {
    SAME_UNIT: N_("The judge belongs to the entry's own or recommending unit."),
    CONFLICT: N_("The judge has declared a conflict with this entry."),
    NO_ELIGIBLE_JUDGES: N_(
        "No judge may take this entry: every judge is from the entry's own or "
        "recommending unit, has declared a conflict, or shares a unit with a "
        "judge already assigned."
    ),
    POOL_TOO_SMALL: N_("Fewer eligible judges from distinct units than judges needed."),
    CAPACITY: N_("Eligible judges exist but have reached their maximum load."),
}

# Tie-break costs lie in [0, 2**TIE_BITS); one load level costs more than all
# tie-breaks together, so randomness never buys imbalance.
TIE_BITS = 4
_SOURCE, _SINK, _FIRST_JUDGE_NODE = 0, 1, 2


@dataclass(frozen=True)
class Judge:
    id: int
    unit_id: int | None  # None: a unit of their own
    capacity: int | None = None  # maximum total load; None = no cap


@dataclass(frozen=True)
class Entry:
    id: int
    unit_ids: frozenset[int]  # the author's unit and the recommending unit


@dataclass
class AssignmentProblem:
    entries: list[Entry]
    judges: list[Judge]
    k: int
    conflicts: set[tuple[int, int]] = field(default_factory=set)  # (judge_id, entry_id)
    existing: set[tuple[int, int]] = field(default_factory=set)  # kept; count toward k and load
    seed: int = 0

    def table(self) -> ProblemTable:
        """The same problem as columns (lists keep their order)."""
        entry_units = [(e.id, u) for e in self.entries for u in e.unit_ids]
        return ProblemTable(
            entry_ids=as_ints([e.id for e in self.entries]),
            entry_units=as_pairs(entry_units),
            judge_ids=as_ints([j.id for j in self.judges]),
            judge_units=as_ints([-1 if j.unit_id is None else j.unit_id for j in self.judges]),
            judge_unitless=np.array([j.unit_id is None for j in self.judges], dtype=bool),
            judge_capacity=as_ints([NO_CAP if j.capacity is None else j.capacity for j in self.judges]),
            k=self.k,
            conflicts=as_pairs(self.conflicts),
            existing=as_pairs(sorted(self.existing)),
            seed=self.seed,
        )


@dataclass(frozen=True)
class Shortfall:
    missing: int  # judges still needed
    reasons: tuple[str, ...]  # codes, keys of REASON_MESSAGES
    eligible_judges: int  # judges allowed on the entry, ignoring capacity
    eligible_units: int  # distinct units among them


@dataclass
class AssignmentResult:
    new: list[tuple[int, int]]  # (judge_id, entry_id) to add, sorted
    loads: dict[int, int]  # judge_id -> total load including existing
    unfilled: dict[int, Shortfall]  # entry_id -> why it has fewer than k judges
    connected: bool  # judges with any load are linked through shared entries
    components: int  # number of such linked groups
    # ``new`` as an int64 [n, 2] array, for bulk stores
    pairs: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), dtype=np.int64), compare=False, repr=False)


@dataclass(frozen=True)
class Graph:
    """Arc arrays ready for ``add_arcs_with_capacity_and_unit_cost``, plus what
    is needed to read assignments back from the flows (indices are positions
    in the prepared, shuffled judge and entry order)."""

    tails: np.ndarray  # int32
    heads: np.ndarray  # int32
    capacities: np.ndarray  # int64
    costs: np.ndarray  # int64
    supply: int  # flow to push if every entry can be filled
    level_top: np.ndarray  # per judge: highest load with its own level arc
    overflow: np.ndarray  # per judge: capacity of the arc priced at level_top + 1
    pool_start: int  # judge → unit arcs, one per judge in pool_judge
    pool_judge: np.ndarray
    pooled_start: int  # unit → entry arcs
    pooled_unit: np.ndarray
    pooled_entry: np.ndarray
    direct_start: int  # judge → (entry, unit) or judge → entry arcs where conflicts are
    direct_judge: np.ndarray
    direct_entry: np.ndarray
    source: int = _SOURCE
    sink: int = _SINK


def ineligibility_reason(judge: Judge, entry: Entry, conflicts: set[tuple[int, int]]) -> str | None:
    """Why ``judge`` may not score ``entry``, or None if they may."""
    if judge.unit_id is not None and judge.unit_id in entry.unit_ids:
        return SAME_UNIT
    if (judge.id, entry.id) in conflicts:
        return CONFLICT
    return None


def eligible(judge: Judge, entry: Entry, conflicts: set[tuple[int, int]]) -> bool:
    return ineligibility_reason(judge, entry, conflicts) is None


@dataclass
class _Prepared:
    judge_ids: np.ndarray  # shuffled, grouped by unit rank; position = judge index
    entry_ids: np.ndarray  # shuffled; position = entry index
    judge_unit: np.ndarray  # unit index per judge, nondecreasing
    unit_first: np.ndarray  # judges of unit u are unit_first[u]:unit_first[u + 1]
    room: np.ndarray  # per judge: new assignments allowed by capacity
    existing_load: np.ndarray  # per judge
    existing_pairs: np.ndarray  # int [n, 2]: (judge index, entry index)
    need: np.ndarray  # per entry: k minus its existing judges, at least 0
    unit_open: np.ndarray  # bool [entry, unit]: unit may add a judge to the entry
    conflicts: dict[int, set[int]]  # entry index -> conflicted judge indices
    rng: np.random.PCG64


def _raw(rng: np.random.PCG64, n: int) -> np.ndarray:
    return rng.random_raw(n) if n else np.zeros(0, dtype=np.uint64)


def _prepare(problem: AssignmentProblem | ProblemTable) -> _Prepared:
    t = problem.table()
    validate(t)
    rng = np.random.PCG64(t.seed % (1 << 128))
    n_e, n_j = len(t.entry_ids), len(t.judge_ids)
    # Sort by id first so the caller's order never changes the outcome.
    entry_sorted = np.sort(t.entry_ids)
    entry_perm = np.argsort(_raw(rng, n_e), kind="stable")
    by_id = np.argsort(t.judge_ids, kind="stable")
    judge_perm = by_id[np.argsort(_raw(rng, n_j), kind="stable")]  # table rows, shuffled
    # Units: the judges' units by id, then each unitless judge as a unit of their own, by judge id.
    real = ~t.judge_unitless
    units, lone = np.unique(t.judge_units[real]), np.sort(t.judge_ids[t.judge_unitless])
    key = np.where(real, np.searchsorted(units, t.judge_units), len(units) + np.searchsorted(lone, t.judge_ids))
    rank = np.argsort(np.argsort(_raw(rng, len(units) + len(lone)), kind="stable"))
    judge_rows = judge_perm[np.argsort(rank[key[judge_perm]], kind="stable")]
    judge_unit = rank[key[judge_rows]]
    n_u = len(rank)
    unit_first = np.searchsorted(judge_unit, np.arange(n_u + 1))

    entry_at = np.empty(n_e, dtype=np.int64)  # position in entry_sorted -> entry index
    entry_at[entry_perm] = np.arange(n_e)
    judge_at = np.empty(n_j, dtype=np.int64)  # table row -> judge index
    judge_at[judge_rows] = np.arange(n_j)
    judge_sorted = t.judge_ids[by_id]

    def entry_index(ids: np.ndarray) -> np.ndarray:
        return entry_at[np.searchsorted(entry_sorted, ids)]

    def judge_index(ids: np.ndarray) -> np.ndarray:
        return judge_at[by_id[np.searchsorted(judge_sorted, ids)]]

    same_unit = np.zeros((n_e, n_u), dtype=bool)
    eu = t.entry_units
    hit = eu[isin_sorted(units, eu[:, 1]) & isin_sorted(entry_sorted, eu[:, 0])]
    same_unit[entry_index(hit[:, 0]), rank[np.searchsorted(units, hit[:, 1])]] = True

    existing_pairs = np.column_stack((judge_index(t.existing[:, 0]), entry_index(t.existing[:, 1])))
    pj, pe = existing_pairs[:, 0], existing_pairs[:, 1]
    existing_load = np.bincount(pj, minlength=n_j)
    need = np.maximum(t.k - np.bincount(pe, minlength=n_e), 0)
    taken = np.zeros((n_e, n_u), dtype=bool)  # also covers the assigned judge itself
    taken[pe, judge_unit[pj]] = True
    unit_open = ~same_unit & ~taken & (need > 0)[:, None]

    conflicts: dict[int, set[int]] = {}
    c = t.conflicts[isin_sorted(judge_sorted, t.conflicts[:, 0]) & isin_sorted(entry_sorted, t.conflicts[:, 1])]
    for row, judge in zip(entry_index(c[:, 1]).tolist(), judge_index(c[:, 0]).tolist()):
        conflicts.setdefault(row, set()).add(judge)  # pairs outside the pool are irrelevant
    room = np.maximum(t.judge_capacity[judge_rows] - existing_load, 0)
    return _Prepared(
        t.judge_ids[judge_rows],
        entry_sorted[entry_perm],
        judge_unit,
        unit_first,
        room,
        existing_load,
        existing_pairs,
        need,
        unit_open,
        conflicts,
        rng,
    )


def _direct_groups(prep: _Prepared) -> list[tuple[int, list[int]]]:
    """(entry, judges) for each open (entry, unit) pair touched by a conflict:
    the unit's judges with room that are not conflicted with the entry."""
    groups = []
    for row in sorted(prep.conflicts):
        barred = prep.conflicts[row]
        for unit in sorted({int(prep.judge_unit[j]) for j in barred}):
            if prep.unit_open[row, unit]:
                members = range(prep.unit_first[unit], prep.unit_first[unit + 1])
                groups.append((row, [j for j in members if j not in barred and prep.room[j] > 0]))
    return groups


def _build(prep: _Prepared, level_target: int | None = None) -> Graph:
    n_e, n_u = prep.unit_open.shape
    n_j = len(prep.judge_ids)
    unit_node0 = _FIRST_JUDGE_NODE + n_j
    entry_node0 = unit_node0 + n_u
    group_node0 = entry_node0 + n_e

    has_room = prep.room > 0
    unit_live = np.bincount(prep.judge_unit[has_room], minlength=n_u) > 0
    pooled = prep.unit_open & unit_live[None, :]
    groups = _direct_groups(prep)
    # An (entry, unit) pair touched by a conflict leaves the pool for per-judge arcs.
    direct_pairs = [(row, int(prep.judge_unit[j])) for row in prep.conflicts for j in prep.conflicts[row]]
    if direct_pairs:
        pooled[tuple(np.array(direct_pairs).T)] = False
    p_entry, p_unit = np.nonzero(pooled)

    # Per-judge arcs for conflict groups; a single judge needs no group node.
    d_judge, d_entry, d_head, g_entry = [], [], [], []
    for row, members in groups:
        shared = len(members) > 1
        if shared:
            g_entry.append(row)
        for j in members:
            d_judge.append(j)
            d_entry.append(row)
            d_head.append(group_node0 + len(g_entry) - 1 if shared else entry_node0 + row)
    d_judge_a = np.array(d_judge, dtype=np.int64)
    d_entry_a = np.array(d_entry, dtype=np.int64)
    g_entry_a = np.array(g_entry, dtype=np.int64)

    served = np.zeros(n_e, dtype=bool)
    served[p_entry] = True
    served[d_entry_a] = True
    sink_entries = np.flatnonzero(served)
    supply = int(prep.need[sink_entries].sum())

    # How many entries each judge could take at most.
    unit_pooled = np.bincount(p_unit, minlength=n_u)
    reach = np.where(has_room, unit_pooled[prep.judge_unit], 0) + np.bincount(d_judge_a, minlength=n_j)
    room = np.minimum(prep.room, reach)
    pool_judge = np.flatnonzero(has_room & (unit_pooled[prep.judge_unit] > 0))

    # Load levels: one arc per level up to one above the balanced load, then one
    # overflow arc priced at the next level. That relaxation is exact as long as
    # no judge goes more than one unit into overflow (checked after solving).
    existing = prep.existing_load
    if level_target is None:
        active = room > 0
        total = int(existing[active].sum()) + supply
        level_target = -(-total // max(int(active.sum()), 1))
    level_top = np.minimum(np.maximum(existing, level_target) + 1, existing + room)
    n_levels = np.maximum(level_top - existing, 0)
    overflow = room - n_levels
    big = ((1 << TIE_BITS) - 1) * supply + 1
    level_judge = np.repeat(np.arange(n_j), n_levels)
    first = np.repeat(np.cumsum(n_levels) - n_levels, n_levels)
    level = existing[level_judge] + 1 + np.arange(len(level_judge)) - first
    over_judge = np.flatnonzero(overflow > 0)

    n_tie = len(p_entry) + len(d_judge_a)
    tie = (_raw(prep.rng, n_tie) >> np.uint64(64 - TIE_BITS)).astype(np.int64)
    parts = [  # (tails, heads, capacities, costs)
        (_SOURCE, _FIRST_JUDGE_NODE + level_judge, 1, level * big),
        (_SOURCE, _FIRST_JUDGE_NODE + over_judge, overflow[over_judge], (level_top[over_judge] + 1) * big),
        (_FIRST_JUDGE_NODE + pool_judge, unit_node0 + prep.judge_unit[pool_judge], room[pool_judge], 0),
        (unit_node0 + p_unit, entry_node0 + p_entry, 1, tie[: len(p_entry)]),
        (_FIRST_JUDGE_NODE + d_judge_a, np.array(d_head, dtype=np.int64), 1, tie[len(p_entry) :]),
        (group_node0 + np.arange(len(g_entry_a)), entry_node0 + g_entry_a, 1, 0),
        (entry_node0 + sink_entries, _SINK, prep.need[sink_entries], 0),
    ]
    sizes = [len(heads) if np.ndim(heads) else len(tails) for tails, heads, _, _ in parts]

    def column(i: int, dtype: type) -> np.ndarray:
        return np.concatenate(
            [np.broadcast_to(np.asarray(part[i], dtype=dtype), (size,)) for part, size in zip(parts, sizes)]
        )

    starts = np.cumsum([0] + sizes)
    return Graph(
        column(0, np.int32),
        column(1, np.int32),
        column(2, np.int64),
        column(3, np.int64),
        supply,
        level_top,
        overflow,
        int(starts[2]),
        pool_judge,
        int(starts[3]),
        p_unit,
        p_entry,
        int(starts[4]),
        d_judge_a,
        d_entry_a,
    )


def build_graph(problem: AssignmentProblem | ProblemTable) -> Graph:
    """The flow network ``assign`` solves first (exposed for benchmarks)."""
    return _build(_prepare(problem))


def solve_graph(graph: Graph) -> np.ndarray:
    """Flow on every arc, pushing as much as possible at least cost."""
    flow = min_cost_flow.SimpleMinCostFlow()
    n_arcs = len(graph.tails)
    if n_arcs == 0 or graph.supply == 0:
        return np.zeros(n_arcs, dtype=np.int64)
    flow.add_arcs_with_capacity_and_unit_cost(graph.tails, graph.heads, graph.capacities, graph.costs)
    flow.set_node_supply(graph.source, graph.supply)
    flow.set_node_supply(graph.sink, -graph.supply)
    status = flow.solve()
    if status == flow.INFEASIBLE:  # some entries cannot be filled: fill what can be
        status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    return np.asarray(flow.flows(np.arange(n_arcs, dtype=np.int32)), dtype=np.int64)


def _read_assignments(prep: _Prepared, graph: Graph, arc_flow: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(judge indices, entry indices) of the new assignments."""

    def flows(start: int, count: int) -> np.ndarray:
        return arc_flow[start : start + count]

    pool_flow = flows(graph.pool_start, len(graph.pool_judge))
    taken = np.flatnonzero(flows(graph.pooled_start, len(graph.pooled_entry)))
    # Deal each unit's entries, in random order, to its judges in the amounts
    # the flow chose; any split is allowed because no judge there is conflicted.
    # lexsort((draws, units)), five times faster: 64-bit draws are distinct (a tie, about
    # n² / 2⁶⁵, is the only case in which the unstable sort could order two entries differently).
    by_draw = np.argsort(_raw(prep.rng, len(taken)))
    units = graph.pooled_unit[taken][by_draw]
    small = units.astype(np.int16) if prep.unit_open.shape[1] <= np.iinfo(np.int16).max else units
    order = by_draw[np.argsort(small, kind="stable")]  # a radix sort for 16-bit keys
    dealt_entry = graph.pooled_entry[taken[order]]
    dealt_judge = np.repeat(graph.pool_judge, pool_flow)  # judges are grouped by unit
    direct = np.flatnonzero(flows(graph.direct_start, len(graph.direct_judge)))
    return (
        np.concatenate([dealt_judge, graph.direct_judge[direct]]),
        np.concatenate([dealt_entry, graph.direct_entry[direct]]),
    )


def _shortfalls(prep: _Prepared, filled: np.ndarray) -> dict[int, Shortfall]:
    unfilled: dict[int, Shortfall] = {}
    for row in np.flatnonzero(filled < prep.need):
        need, got = int(prep.need[row]), int(filled[row])
        pool = prep.unit_open[row, prep.judge_unit]
        pool[list(prep.conflicts.get(int(row), ()))] = False
        n_judges = int(pool.sum())
        n_units = len(np.unique(prep.judge_unit[pool]))
        reasons = []
        if n_judges == 0:
            reasons.append(NO_ELIGIBLE_JUDGES)
        elif n_units < need:
            reasons.append(POOL_TOO_SMALL)
        if got < min(need, n_units):  # without caps the pool would have given more
            reasons.append(CAPACITY)
        unfilled[int(prep.entry_ids[row])] = Shortfall(need - got, tuple(reasons), n_judges, n_units)
    return unfilled


def assign(problem: AssignmentProblem | ProblemTable) -> AssignmentResult:
    """Add judges so every entry has k, loads as even as the rules allow."""
    prep = _prepare(problem)
    n_e, n_j = len(prep.entry_ids), len(prep.judge_ids)
    graph = _build(prep)
    while True:
        new_j, new_e = _read_assignments(prep, graph, solve_graph(graph))
        total_load = prep.existing_load + np.bincount(new_j, minlength=n_j)
        if not np.any((graph.overflow > 0) & (total_load > graph.level_top + 1)):
            break
        # Rare: unit or conflict rules force loads far above the mean.
        graph = _build(prep, level_target=int(total_load.max()))

    judge_ids, entry_ids = prep.judge_ids[new_j], prep.entry_ids[new_e]
    order = pair_order(judge_ids, entry_ids)
    pairs = np.column_stack((judge_ids[order], entry_ids[order]))
    loads = dict(zip(prep.judge_ids.tolist(), total_load.tolist()))
    all_j = np.concatenate([prep.existing_pairs[:, 0], new_j])
    all_e = np.concatenate([prep.existing_pairs[:, 1], new_e])
    components = component_count(all_j, all_e)
    unfilled = _shortfalls(prep, np.bincount(new_e, minlength=n_e))
    new = list(zip(pairs[:, 0].tolist(), pairs[:, 1].tolist()))
    return AssignmentResult(new, loads, unfilled, components <= 1, components, pairs)
