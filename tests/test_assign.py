"""Judge assignment: the rules a competition organiser relies on."""

from __future__ import annotations

import itertools
import random
from collections import defaultdict

import pytest

from core.errors import UserError
from judging.assign import (
    CAPACITY,
    CONFLICT,
    NO_ELIGIBLE_JUDGES,
    POOL_TOO_SMALL,
    REASON_MESSAGES,
    SAME_UNIT,
    AssignmentProblem,
    Entry,
    Judge,
    assign,
    eligible,
    ineligibility_reason,
)


def unit_key(judge: Judge) -> object:
    return judge.unit_id if judge.unit_id is not None else ("own", judge.id)


def random_problem(
    seed: int,
    n_entries: int,
    n_judges: int,
    n_units: int,
    k: int,
    *,
    n_conflicts: int = 0,
    unitless: int = 0,
    capacity: int | None = None,
    extra_entry_units: int = 0,
) -> AssignmentProblem:
    """Judges spread over units (plus some with no unit); entries from random units,
    a few with a second (recommending) unit; random declared conflicts."""
    rnd = random.Random(seed)
    judges = [Judge(id=100 + j, unit_id=j % n_units, capacity=capacity) for j in range(n_judges)]
    judges += [Judge(id=900 + j, unit_id=None, capacity=capacity) for j in range(unitless)]
    entries = []
    for i in range(n_entries):
        units = {rnd.randrange(n_units + extra_entry_units)}
        if rnd.random() < 0.1:
            units.add(rnd.randrange(n_units))
        entries.append(Entry(id=i + 1, unit_ids=frozenset(units)))
    conflicts = {(rnd.choice(judges).id, rnd.choice(entries).id) for _ in range(n_conflicts)}
    return AssignmentProblem(entries=entries, judges=judges, k=k, conflicts=conflicts, existing=set(), seed=seed)


def judges_per_entry(problem: AssignmentProblem, result) -> dict[int, list[int]]:
    panel: dict[int, list[int]] = defaultdict(list)
    for judge_id, entry_id in sorted(problem.existing) + result.new:
        panel[entry_id].append(judge_id)
    return panel


def check_rules(problem: AssignmentProblem, result) -> None:
    """Everything a correct assignment must satisfy, checked from scratch."""
    judges = {j.id: j for j in problem.judges}
    entries = {e.id: e for e in problem.entries}
    assert not set(result.new) & problem.existing, "existing pairs are not re-added"
    assert len(result.new) == len(set(result.new))
    for judge_id, entry_id in result.new:
        judge, entry = judges[judge_id], entries[entry_id]
        assert judge.unit_id is None or judge.unit_id not in entry.unit_ids
        assert (judge_id, entry_id) not in problem.conflicts
    panel = judges_per_entry(problem, result)
    for entry_id, panel_judges in panel.items():
        assert len(panel_judges) == len(set(panel_judges))
        units = [unit_key(judges[j]) for j in panel_judges]
        if len(panel_judges) > len([p for p in problem.existing if p[1] == entry_id]):
            assert len(units) == len(set(units)), "at most one judge per unit per entry"
    for entry in problem.entries:
        have = len(panel.get(entry.id, []))
        if entry.id in result.unfilled:
            assert result.unfilled[entry.id].missing == problem.k - have > 0
        else:
            assert have >= problem.k
    load = defaultdict(int)
    for judge_id, _ in sorted(problem.existing) + result.new:
        load[judge_id] += 1
    assert result.loads == {j.id: load[j.id] for j in problem.judges}
    for judge in problem.judges:
        if judge.capacity is not None:
            existing = sum(1 for j, _ in problem.existing if j == judge.id)
            assert load[judge.id] <= max(judge.capacity, existing)


def spread(loads: dict[int, int]) -> int:
    return max(loads.values()) - min(loads.values())


def brute_force(problem: AssignmentProblem) -> tuple[int, int, int]:
    """(most new assignments possible, least sum of squared loads among those,
    least max-min load among those), by trying every valid completion."""
    judges = sorted(problem.judges, key=lambda j: j.id)
    position = {j.id: i for i, j in enumerate(judges)}
    start = [0] * len(judges)
    for judge_id, _ in problem.existing:
        start[position[judge_id]] += 1
    room = [float("inf") if j.capacity is None else j.capacity - start[i] for i, j in enumerate(judges)]
    options = []
    for entry in problem.entries:
        panel = [position[j] for j, e in problem.existing if e == entry.id]
        taken = {unit_key(judges[i]) for i in panel}
        free = [
            i
            for i, j in enumerate(judges)
            if i not in panel and unit_key(j) not in taken and eligible(j, entry, problem.conflicts)
        ]
        need = max(problem.k - len(panel), 0)
        options.append(
            [
                combo
                for size in range(need + 1)
                for combo in itertools.combinations(free, size)
                if len({unit_key(judges[i]) for i in combo}) == size
            ]
        )
    best = (-1, 0, 0)
    for choice in itertools.product(*options):
        load = list(start)
        for combo in choice:
            for i in combo:
                load[i] += 1
        if any(load[i] - start[i] > room[i] for i in range(len(judges))):
            continue
        total = sum(map(len, choice))
        squares = sum(x * x for x in load)
        gap = max(load) - min(load)
        if total > best[0]:
            best = (total, squares, gap)
        elif total == best[0]:
            best = (total, min(best[1], squares), min(best[2], gap))
    return best


@pytest.mark.parametrize(
    "judge, entry, conflicts, reason",
    [
        (Judge(1, 10), Entry(5, frozenset({20})), set(), None),
        (Judge(1, 10), Entry(5, frozenset({10})), set(), SAME_UNIT),
        (Judge(1, 10), Entry(5, frozenset({20, 10})), set(), SAME_UNIT),  # recommending unit
        (Judge(1, 10), Entry(5, frozenset({20})), {(1, 5)}, CONFLICT),
        (Judge(1, 10), Entry(5, frozenset({20})), {(1, 6), (2, 5)}, None),
        (Judge(1, None), Entry(5, frozenset({20})), set(), None),
        (Judge(1, None), Entry(5, frozenset()), {(1, 5)}, CONFLICT),
    ],
)
def test_single_pair_eligibility(judge, entry, conflicts, reason):
    assert ineligibility_reason(judge, entry, conflicts) == reason
    assert eligible(judge, entry, conflicts) is (reason is None)
    assert reason is None or reason in REASON_MESSAGES


@pytest.mark.parametrize(
    "seed, n_entries, n_judges, n_units, k, n_conflicts, unitless",
    [
        (1, 40, 10, 5, 2, 0, 0),
        (2, 120, 15, 6, 3, 10, 0),
        (3, 200, 24, 8, 3, 30, 2),
        (4, 75, 7, 7, 3, 5, 0),
        (5, 300, 40, 10, 5, 50, 3),
        (6, 33, 9, 3, 1, 4, 1),
    ],
)
def test_random_instances_follow_rules_and_balance(seed, n_entries, n_judges, n_units, k, n_conflicts, unitless):
    problem = random_problem(
        seed, n_entries, n_judges, n_units, k, n_conflicts=n_conflicts, unitless=unitless, extra_entry_units=3
    )
    result = assign(problem)
    check_rules(problem, result)
    assert result.unfilled == {}
    assert len(result.new) == n_entries * k
    assert spread(result.loads) <= 1


@pytest.mark.parametrize("seed", range(10))
def test_small_instances_are_optimally_balanced(seed):
    rnd = random.Random(seed)
    problem = random_problem(
        seed,
        n_entries=rnd.randint(3, 4),
        n_judges=rnd.randint(3, 5),
        n_units=rnd.randint(2, 4),
        k=rnd.randint(1, 2),
        n_conflicts=rnd.randint(0, 3),
        unitless=rnd.randint(0, 1),
    )
    if seed % 3 == 0:  # some capped judges
        problem.judges = [Judge(j.id, j.unit_id, rnd.choice([None, 1, 2])) for j in problem.judges]
    if seed % 2 == 0:  # keep one earlier assignment that is still valid
        first = assign(
            AssignmentProblem(problem.entries, problem.judges, problem.k, problem.conflicts, set(), seed + 100)
        )
        problem.existing = set(first.new[:1])
    result = assign(problem)
    check_rules(problem, result)
    most, least_squares, least_gap = brute_force(problem)
    assert len(result.new) == most
    assert sum(x * x for x in result.loads.values()) == least_squares
    assert spread(result.loads) == least_gap


def test_existing_load_counts_toward_balance():
    judges = [Judge(1, 10), Judge(2, 20)]
    entries = [Entry(i, frozenset({30})) for i in range(1, 11)]
    existing = {(1, 1), (1, 2), (1, 3), (1, 4)}
    result = assign(AssignmentProblem(entries, judges, 1, set(), existing, seed=3))
    assert result.loads == {1: 5, 2: 5}
    assert {e for _, e in result.new} == set(range(5, 11))


def test_same_seed_same_result_and_order_does_not_matter():
    problem = random_problem(7, 150, 20, 5, 3, n_conflicts=20)
    first = assign(problem)
    shuffled = AssignmentProblem(
        list(reversed(problem.entries)), list(reversed(problem.judges)), 3, set(problem.conflicts), set(), seed=7
    )
    assert assign(problem) == first
    assert assign(shuffled) == first


@pytest.mark.parametrize("seed_a, seed_b", [(1, 2), (3, 4), (10, 11)])
def test_different_seeds_give_different_but_balanced_results(seed_a, seed_b):
    problem = random_problem(5, 150, 20, 5, 3, n_conflicts=20)
    problem.seed = seed_a
    a = assign(problem)
    problem.seed = seed_b
    b = assign(problem)
    assert a.new != b.new
    assert spread(a.loads) <= 1 and spread(b.loads) <= 1


@pytest.mark.parametrize("keep_fraction", [0.0, 0.3, 0.9, 1.0])
def test_rerun_keeps_existing_and_fills_only_the_gaps(keep_fraction):
    problem = random_problem(11, 80, 12, 6, 3, n_conflicts=10)
    first = assign(problem)
    rnd = random.Random(1)
    kept = {pair for pair in first.new if rnd.random() < keep_fraction}
    problem.existing = kept
    problem.seed = 99
    again = assign(problem)
    check_rules(problem, again)
    assert again.unfilled == {}
    assert len(again.new) == len(first.new) - len(kept)
    full = {e for e, panel in judges_per_entry(problem, again).items() if sum(1 for _, x in kept if x == e) == 3}
    assert not {e for _, e in again.new} & full


@pytest.mark.parametrize("pick", [0, 17, 101])
def test_recusal_refills_exactly_that_slot(pick):
    problem = random_problem(12, 60, 12, 6, 3, n_conflicts=5)
    first = assign(problem)
    judge_id, entry_id = first.new[pick]
    problem.existing = set(first.new) - {(judge_id, entry_id)}
    problem.conflicts = problem.conflicts | {(judge_id, entry_id)}
    again = assign(problem)
    check_rules(problem, again)
    assert len(again.new) == 1
    ((new_judge, new_entry),) = again.new
    assert new_entry == entry_id and new_judge != judge_id


def entries_from(*units_per_entry: tuple[int, ...]) -> list[Entry]:
    return [Entry(i + 1, frozenset(units)) for i, units in enumerate(units_per_entry)]


# Judges 1-2 in unit 10, 3 in unit 20, 4 in unit 30.
POOL = [Judge(1, 10), Judge(2, 10), Judge(3, 20), Judge(4, 30)]


@pytest.mark.parametrize(
    "judges, entries, k, conflicts, existing, expected",
    [
        # Only unit 10 is left after same-unit and recommending-unit exclusion: one judge.
        (POOL, entries_from((20, 30)), 2, set(), set(), {1: (1, (POOL_TOO_SMALL,))}),
        # Every judge excluded: own unit, recommending unit, conflicts.
        (POOL, entries_from((10, 20)), 1, {(4, 1)}, set(), {1: (1, (NO_ELIGIBLE_JUDGES,))}),
        # k larger than the number of units: everyone gets what three units can give.
        (POOL, entries_from((40,), (40,)), 4, set(), set(), {1: (1, (POOL_TOO_SMALL,)), 2: (1, (POOL_TOO_SMALL,))}),
        # An existing judge from unit 10 blocks the other unit-10 judge.
        (POOL, entries_from((20, 30)), 2, set(), {(1, 1)}, {1: (1, (NO_ELIGIBLE_JUDGES,))}),
        # The only eligible judge is already full with entry 1.
        (
            [Judge(1, 10, capacity=1), Judge(2, 20)],
            entries_from((20,), (20,)),
            1,
            set(),
            {(1, 1)},
            {2: (1, (CAPACITY,))},
        ),
        # Pool too small and the one eligible judge full as well.
        (
            [Judge(1, 10, capacity=0), Judge(2, 20)],
            entries_from((20,)),
            2,
            set(),
            set(),
            {1: (2, (POOL_TOO_SMALL, CAPACITY))},
        ),
        # Feasible: nothing to report.
        (POOL, entries_from((40,), (50, 60)), 3, set(), set(), {}),
    ],
)
def test_infeasible_entries_are_reported_with_reasons(judges, entries, k, conflicts, existing, expected):
    problem = AssignmentProblem(entries, judges, k, conflicts, existing, seed=1)
    result = assign(problem)
    check_rules(problem, result)
    got = {e: (s.missing, s.reasons) for e, s in result.unfilled.items()}
    assert got == expected
    assert all(r in REASON_MESSAGES for s in result.unfilled.values() for r in s.reasons)


def test_capacity_shortage_assigns_as_much_as_possible():
    judges = [Judge(j, j, capacity=3) for j in range(1, 6)]  # 15 slots, 5 units
    entries = [Entry(i, frozenset({99})) for i in range(1, 11)]  # 20 needed
    problem = AssignmentProblem(entries, judges, 2, set(), set(), seed=4)
    result = assign(problem)
    check_rules(problem, result)
    assert len(result.new) == 15
    assert all(load == 3 for load in result.loads.values())
    assert sum(s.missing for s in result.unfilled.values()) == 5
    assert all(s.reasons == (CAPACITY,) for s in result.unfilled.values())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_capacities_are_respected_and_rest_balanced(seed):
    problem = random_problem(seed, 60, 12, 6, 2, n_conflicts=5)
    problem.judges = [Judge(j.id, j.unit_id, 4 if j.id % 4 == 0 else None) for j in problem.judges]
    result = assign(problem)
    check_rules(problem, result)
    assert result.unfilled == {}
    uncapped = {j.id: result.loads[j.id] for j in problem.judges if j.capacity is None}
    assert spread(uncapped) <= 1


def test_unitless_judges_may_share_an_entry():
    judges = [Judge(1, None), Judge(2, None), Judge(3, 5)]
    result = assign(AssignmentProblem(entries_from((5,)), judges, 2, set(), set(), seed=0))
    assert result.new == [(1, 1), (2, 1)]


def test_rules_force_one_judge_far_above_the_mean():
    # Only judge 1 may take the twenty unit-20 entries; the rest share unit 10's.
    judges = [Judge(1, 10)] + [Judge(j, 20) for j in range(2, 6)]
    entries = entries_from(*[(20,)] * 20, *[(10,)] * 10)
    problem = AssignmentProblem(entries, judges, 1, set(), set(), seed=2)
    result = assign(problem)
    check_rules(problem, result)
    assert result.loads[1] == 20
    assert sorted(result.loads[j] for j in range(2, 6)) == [2, 2, 3, 3]


def count_components(problem: AssignmentProblem, result) -> int:
    """Judges with any load, linked when they share an entry (plain search)."""
    panel = judges_per_entry(problem, result)
    links = defaultdict(set)
    for panel_judges in panel.values():
        for a in panel_judges:
            links[a].update(panel_judges)
    seen, groups = set(), 0
    for start in links:
        if start not in seen:
            groups += 1
            stack = [start]
            while stack:
                node = stack.pop()
                if node not in seen:
                    seen.add(node)
                    stack.extend(links[node] - seen)
    return groups


def test_disjoint_judge_groups_are_not_connected():
    # Judges 1-2 may only take entries 1-3 and judges 3-4 only entries 4-6.
    judges = [Judge(1, 10), Judge(2, 20), Judge(3, 30), Judge(4, 40)]
    entries = [Entry(i, frozenset({99})) for i in range(1, 7)]
    conflicts = {(j, e) for j in (1, 2) for e in (4, 5, 6)}
    conflicts |= {(j, e) for j in (3, 4) for e in (1, 2, 3)}
    problem = AssignmentProblem(entries, judges, 2, conflicts, set(), seed=5)
    result = assign(problem)
    check_rules(problem, result)
    assert (result.connected, result.components) == (False, 2)


@pytest.mark.parametrize("seed, k", [(1, 1), (2, 2), (3, 3), (4, 2)])
def test_components_match_a_plain_search(seed, k):
    problem = random_problem(seed, 30, 10, 5, k, n_conflicts=5)
    result = assign(problem)
    assert result.components == count_components(problem, result)
    assert result.connected == (result.components <= 1)


def test_big_random_panel_is_connected():
    result = assign(random_problem(8, 200, 12, 6, 2))
    assert (result.connected, result.components) == (True, 1)


@pytest.mark.parametrize(
    "problem",
    [
        AssignmentProblem(entries_from((1,)), POOL, 0, set(), set()),
        AssignmentProblem(entries_from((1,)), POOL + [Judge(1, 50)], 1, set(), set()),
        AssignmentProblem(entries_from((1,), (2,)) + entries_from((3,)), POOL, 1, set(), set()),
        AssignmentProblem(entries_from((1,)), [Judge(1, 10, capacity=-1)], 1, set(), set()),
        AssignmentProblem(entries_from((1,)), POOL, 1, set(), {(77, 1)}),
        AssignmentProblem(entries_from((1,)), POOL, 1, set(), {(1, 77)}),
    ],
)
def test_bad_input_is_refused(problem):
    with pytest.raises(UserError):
        assign(problem)


def test_empty_problems():
    assert assign(AssignmentProblem([], POOL, 3, set(), set())).new == []
    result = assign(AssignmentProblem(entries_from((1,)), [], 2, set(), set()))
    assert result.unfilled[1].missing == 2
    assert result.unfilled[1].reasons == (NO_ELIGIBLE_JUDGES,)


def textbook_optimum(problem: AssignmentProblem) -> tuple[int, int]:
    """(most new assignments, least sum over judges of 1 + 2 + ... + load beyond the
    existing) from the plain network: judge → (entry, judge unit) → entry, built
    pair by pair with no pooling."""
    from ortools.graph.python import min_cost_flow

    flow = min_cost_flow.SimpleMinCostFlow()
    nodes: dict[object, int] = {}

    def node(key: object) -> int:
        return nodes.setdefault(key, len(nodes))

    source, sink = node("source"), node("sink")
    by_id = {j.id: j for j in problem.judges}
    start = {j.id: 0 for j in problem.judges}
    panel: dict[int, set[int]] = {e.id: set() for e in problem.entries}
    for judge_id, entry_id in problem.existing:
        start[judge_id] += 1
        panel[entry_id].add(judge_id)
    total = 0
    for entry in problem.entries:
        need = max(problem.k - len(panel[entry.id]), 0)
        taken = {unit_key(by_id[j]) for j in panel[entry.id]}
        if not need:
            continue
        total += need
        flow.add_arc_with_capacity_and_unit_cost(node(("entry", entry.id)), sink, need, 0)
        for judge in problem.judges:
            if eligible(judge, entry, problem.conflicts) and unit_key(judge) not in taken:
                group = ("group", entry.id, unit_key(judge))
                if group not in nodes:
                    flow.add_arc_with_capacity_and_unit_cost(node(group), node(("entry", entry.id)), 1, 0)
                flow.add_arc_with_capacity_and_unit_cost(node(("judge", judge.id)), node(group), 1, 0)
    for judge in problem.judges:
        room = len(problem.entries) if judge.capacity is None else judge.capacity - start[judge.id]
        for level in range(start[judge.id] + 1, start[judge.id] + room + 1):
            flow.add_arc_with_capacity_and_unit_cost(source, node(("judge", judge.id)), 1, level)
    if total == 0:
        return 0, 0
    flow.set_node_supply(source, total)
    flow.set_node_supply(sink, -total)
    assert flow.solve_max_flow_with_min_cost() == flow.OPTIMAL
    return flow.maximum_flow(), flow.optimal_cost()


@pytest.mark.parametrize("seed", range(25))
def test_matches_the_plain_network_on_medium_instances(seed):
    rnd = random.Random(seed)
    problem = random_problem(
        seed,
        n_entries=rnd.randint(5, 60),
        n_judges=rnd.randint(2, 15),
        n_units=rnd.randint(1, 6),
        k=rnd.randint(1, 4),
        n_conflicts=rnd.randint(0, 40),
        unitless=rnd.randint(0, 3),
    )
    problem.judges = [Judge(j.id, j.unit_id, rnd.choice([None, None, None, 0, 2, 5, 10])) for j in problem.judges]
    earlier = assign(
        AssignmentProblem(problem.entries, problem.judges, problem.k, problem.conflicts, set(), seed + 100)
    )
    problem.existing = set(rnd.sample(earlier.new, min(len(earlier.new), rnd.randint(0, 30))))
    result = assign(problem)
    check_rules(problem, result)
    start = defaultdict(int)
    for judge_id, _ in problem.existing:
        start[judge_id] += 1
    level_cost = sum((load * (load + 1) - start[j] * (start[j] + 1)) // 2 for j, load in result.loads.items())
    assert (len(result.new), level_cost) == textbook_optimum(problem)
