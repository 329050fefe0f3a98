"""Synthetic judge-assignment problems and a bare OR-tools solve to compare with.

``bare_solve`` times only SimpleMinCostFlow on the very arc arrays ``assign``
builds, so ``assign`` time / bare time shows what the Python around it costs.
Run from the repo root: ``python -m bench.assignment_core``.
"""

from __future__ import annotations

import random
import time

from ortools.graph.python import min_cost_flow

from judging.assign import AssignmentProblem, Entry, Judge, assign, build_graph
from judging.assign_table import ProblemTable


def make_problem(n_entries: int, n_judges: int, n_units: int, k: int, seed: int) -> AssignmentProblem:
    """Judges spread over units; entries from random units, 1% with a second
    (recommending) unit, and about one declared conflict per hundred entries."""
    rnd = random.Random(seed)
    judges = [Judge(id=1000 + j, unit_id=j % n_units) for j in range(n_judges)]
    entries = []
    for i in range(n_entries):
        units = {rnd.randrange(n_units)}
        if rnd.random() < 0.01:
            units.add(rnd.randrange(n_units))
        entries.append(Entry(id=i + 1, unit_ids=frozenset(units)))
    conflicts = {(rnd.choice(judges).id, rnd.randrange(n_entries) + 1) for _ in range(max(n_entries // 100, 1))}
    return AssignmentProblem(entries=entries, judges=judges, k=k, conflicts=conflicts, existing=set(), seed=seed)


def bare_solve(problem: AssignmentProblem | ProblemTable) -> float:
    """Seconds OR-tools needs to load and solve the graph ``assign`` builds."""
    return bare_solve_times(problem)[0]


def bare_solve_times(problem: AssignmentProblem | ProblemTable) -> tuple[float, float]:
    """(wall, CPU) seconds of ``bare_solve``."""
    graph = build_graph(problem)
    start, cpu = time.perf_counter(), time.process_time()
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(graph.tails, graph.heads, graph.capacities, graph.costs)
    flow.set_node_supply(graph.source, graph.supply)
    flow.set_node_supply(graph.sink, -graph.supply)
    status = flow.solve()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    if status != flow.OPTIMAL:
        raise RuntimeError(f"bare solve ended with status {status}")
    return elapsed, cpu


def time_assign(problem: AssignmentProblem) -> float:
    start = time.perf_counter()
    assign(problem)
    return time.perf_counter() - start


def main(
    n_entries: int = 10_000, n_judges: int = 100, n_units: int = 20, k: int = 3, seed: int = 1, repeats: int = 3
) -> None:
    problem = make_problem(n_entries, n_judges, n_units, k, seed)
    graph = build_graph(problem)
    bare = min(bare_solve(problem) for _ in range(repeats))
    full = min(time_assign(problem) for _ in range(repeats))
    print(f"{n_entries} entries x {n_judges} judges ({n_units} units), k={k}: {len(graph.tails):,} arcs")
    print(f"bare OR-tools solve {bare:.3f} s, assign() end to end {full:.3f} s, ratio {full / bare:.2f}")


if __name__ == "__main__":
    main()
