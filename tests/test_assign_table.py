"""Assignment problems as columns: the vectorised helpers, and a table solving exactly as the lists do."""

from __future__ import annotations

import random

import numpy as np
import pytest

from core.errors import UserError
from judging.assign import AssignmentProblem, Entry, Judge, assign
from judging.assign_table import NO_CAP, ProblemTable, component_count, first_repeat, isin_sorted, pair_order


@pytest.mark.parametrize(
    ("ids", "expected"),
    [
        ([], None),
        ([5], None),
        ([1, 2, 3], None),
        ([1, 2, 1], 2),
        ([3, 3], 1),
        ([4, 9, 9, 4], 2),  # 9 repeats before 4 does
        ([7, 1, 2, 1, 7], 3),
        ([2, 1, 0, -1, 0], 4),
    ],
)
def test_first_repeat_is_the_position_where_an_id_comes_back_first(ids, expected):
    assert first_repeat(np.array(ids, dtype=np.int64)) == expected


@pytest.mark.parametrize(
    ("sorted_ids", "ids", "expected"),
    [
        ([], [1, 2], [False, False]),
        ([1, 3, 5], [], []),
        ([1, 3, 5], [0, 1, 2, 3, 5, 6], [False, True, False, True, True, False]),
        ([10], [10, 11, 9], [True, False, False]),
        ([-1, 4], [-1, 4, 5], [True, True, False]),
    ],
)
def test_isin_sorted_tells_which_ids_are_among_the_sorted_ones(sorted_ids, ids, expected):
    got = isin_sorted(np.array(sorted_ids, dtype=np.int64), np.array(ids, dtype=np.int64))
    assert got.tolist() == expected


@pytest.mark.parametrize(
    ("pairs", "groups"),
    [
        ([], 0),
        ([(1, 10)], 1),
        ([(1, 10), (2, 20)], 2),  # no shared entry
        ([(1, 10), (2, 10)], 1),
        ([(1, 10), (2, 10), (3, 20), (4, 20)], 2),
        ([(1, 10), (2, 10), (2, 20), (3, 20), (3, 30), (4, 30)], 1),  # a chain
        ([(4, 1), (3, 1), (3, 2), (2, 2), (2, 3), (1, 3), (9, 7)], 2),  # a chain against id order, and a loner
        ([(5, 1), (5, 2), (5, 3)], 1),  # one judge, several entries
        ([(1, 1), (2, 2), (3, 3), (1, 4), (3, 4), (2, 5), (3, 5)], 1),  # linked only through judge 3
    ],
)
def test_component_count_counts_judges_linked_through_shared_entries(pairs, groups):
    judges = np.array([j for j, _ in pairs], dtype=np.int64)
    entries = np.array([e for _, e in pairs], dtype=np.int64)
    assert component_count(judges, entries) == groups


def _union_find_groups(pairs: list[tuple[int, int]]) -> int:
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    by_entry: dict[int, int] = {}
    for judge, entry in pairs:
        root(judge)
        if entry in by_entry:
            parent[root(judge)] = root(by_entry[entry])
        by_entry[entry] = judge
    return len({root(j) for j in parent})


@pytest.mark.parametrize("seed", range(30))
def test_component_count_equals_a_plain_union_find(seed):
    rnd = random.Random(seed)
    pairs = [(rnd.randrange(40), rnd.randrange(rnd.choice([5, 30, 200]))) for _ in range(rnd.randrange(0, 120))]
    judges = np.array([j for j, _ in pairs], dtype=np.int64)
    entries = np.array([e for _, e in pairs], dtype=np.int64)
    assert component_count(judges, entries) == _union_find_groups(pairs)


def _problem(seed: int) -> AssignmentProblem:
    rnd = random.Random(seed)
    judges = [
        Judge(100 + j, None if rnd.random() < 0.2 else rnd.randrange(5), rnd.choice([None, None, 2, 6]))
        for j in range(rnd.randrange(3, 15))
    ]
    entries = [
        Entry(1 + i, frozenset(rnd.sample(range(7), rnd.choice([0, 1, 1, 2])))) for i in range(rnd.randrange(1, 40))
    ]
    conflicts = {(rnd.choice(judges).id, rnd.choice(entries).id) for _ in range(rnd.randrange(6))}
    existing = {(rnd.choice(judges).id, rnd.choice(entries).id) for _ in range(rnd.randrange(6))}
    return AssignmentProblem(entries, judges, rnd.randint(1, 3), conflicts, existing, seed=seed)


def _columns(problem: AssignmentProblem) -> ProblemTable:
    """The table the database side would build: entries and judges in any order, units as pairs."""
    rnd = random.Random(problem.seed)
    entries = rnd.sample(problem.entries, len(problem.entries))
    judges = rnd.sample(problem.judges, len(problem.judges))
    return ProblemTable(
        entry_ids=np.array([e.id for e in entries], dtype=np.int64),
        entry_units=np.array([(e.id, u) for e in entries for u in sorted(e.unit_ids)], dtype=np.int64).reshape(-1, 2),
        judge_ids=np.array([j.id for j in judges], dtype=np.int64),
        judge_units=np.array([-1 if j.unit_id is None else j.unit_id for j in judges], dtype=np.int64),
        judge_unitless=np.array([j.unit_id is None for j in judges]),
        judge_capacity=np.array([NO_CAP if j.capacity is None else j.capacity for j in judges], dtype=np.int64),
        k=problem.k,
        conflicts=np.array(sorted(problem.conflicts) * 2, dtype=np.int64).reshape(-1, 2),  # repeats are harmless
        existing=np.array(sorted(problem.existing), dtype=np.int64).reshape(-1, 2),
        seed=problem.seed,
    )


@pytest.mark.parametrize("seed", range(40))
def test_a_table_assigns_exactly_as_the_same_problem_in_lists(seed):
    problem = _problem(seed)
    assert assign(_columns(problem)) == assign(problem)


def test_a_results_pairs_array_is_its_new_list():
    result = assign(_problem(3))
    assert result.new and [tuple(p) for p in result.pairs.tolist()] == result.new


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: {"k": 0}, "Each entry needs at least one judge"),
        (lambda t: {"judge_ids": np.array([1, 2, 1])}, "Judge 1 appears twice"),
        (lambda t: {"judge_capacity": np.array([5, -1, 5])}, "Judge 2 has a negative maximum load"),
        (lambda t: {"entry_ids": np.array([7, 8, 7])}, "Entry 7 appears twice"),
        (lambda t: {"existing": np.array([[9, 7]])}, "names judge 9"),
        (lambda t: {"existing": np.array([[1, 9]])}, "names entry 9"),
        (lambda t: {"existing": np.array([[3, 99], [1, 98]])}, "names entry 98"),  # the first pair by (judge, entry)
    ],
)
def test_a_table_is_checked_as_the_lists_are(change, message):
    base = {
        "entry_ids": np.array([7, 8]),
        "entry_units": np.zeros((0, 2), dtype=np.int64),
        "judge_ids": np.array([1, 2, 3]),
        "judge_units": np.array([10, 20, 30]),
        "judge_unitless": np.zeros(3, dtype=bool),
        "judge_capacity": np.full(3, NO_CAP),
        "k": 1,
        "conflicts": np.zeros((0, 2), dtype=np.int64),
        "existing": np.zeros((0, 2), dtype=np.int64),
    }
    with pytest.raises(UserError) as raised:
        assign(ProblemTable(**{**base, **change(base)}))
    assert message in str(raised.value)


def test_a_recorded_seed_replays_the_assignment_it_gave_before_the_columns():
    """The digest was recorded with the list-based preparation (before ``ProblemTable``), with
    existing pairs and a judge without a unit: the same seed still gives the same panels and loads
    (with the same OR-tools version)."""
    import hashlib

    from bench.assignment_core import make_problem

    problem = make_problem(300, 12, 5, 3, 11)
    problem.existing = set(sorted(assign(make_problem(300, 12, 5, 3, 99)).new)[::7])
    problem.judges[0] = Judge(problem.judges[0].id, None, 20)
    result = assign(problem)
    digest = hashlib.sha256(repr((result.new, sorted(result.loads.items()), result.components)).encode())
    assert (len(result.new), digest.hexdigest()[:16]) == (771, "c173612040585609")


@pytest.mark.parametrize(
    "first, second",
    [
        ([], []),
        ([3, 1, 3, 2], [5, 9, 1, 9]),
        ([1, 1, 1], [30, 10, 20]),
        ([-1, 5, -1], [2, 1, 1]),  # negative ids: the plain lexsort
        ([2**31, 1], [1, 2**40]),  # ids too large for the combined key
    ],
)
def test_pair_order_sorts_by_first_then_second_as_lexsort_does(first, second):
    a, b = np.array(first, dtype=np.int64), np.array(second, dtype=np.int64)
    assert pair_order(a, b).tolist() == np.lexsort((b, a)).tolist()
