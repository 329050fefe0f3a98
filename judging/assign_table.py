"""Judge assignment problems as columns, and the vectorised checks on them.

``judging.assign`` turns an ``AssignmentProblem`` (lists of judges and entries)
into a ``ProblemTable`` before preparing the flow network; the database side
(``judging.assign_services``) builds the table straight from query rows, so a
round of 30,000 entries costs no object per entry. No Flask or SQLAlchemy here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.errors import UserError
from core.i18n_markers import N_

NO_CAP = np.iinfo(np.int64).max  # judge_capacity of a judge without a maximum load


@dataclass(frozen=True, eq=False)  # arrays: compare the assignments instead
class ProblemTable:
    """An assignment problem as columns, without an object per entry or judge
    (what ``judging.assign_services`` reads from the database)."""

    entry_ids: np.ndarray  # int64
    entry_units: np.ndarray  # int64 [n, 2]: (entry id, unit id), the author's and the recommending unit
    judge_ids: np.ndarray  # int64
    judge_units: np.ndarray  # int64, ignored where judge_unitless
    judge_unitless: np.ndarray  # bool: a unit of their own
    judge_capacity: np.ndarray  # int64 maximum total load; NO_CAP = no cap
    k: int
    conflicts: np.ndarray  # int64 [n, 2]: (judge id, entry id)
    existing: np.ndarray  # int64 [n, 2]: (judge id, entry id), unique pairs; kept
    seed: int = 0

    def table(self) -> ProblemTable:
        return self

    @property
    def n_entries(self) -> int:
        return len(self.entry_ids)


def as_ints(values) -> np.ndarray:
    return np.asarray(values, dtype=np.int64).reshape(-1)


def as_pairs(values) -> np.ndarray:
    return np.array(list(values), dtype=np.int64).reshape(-1, 2)


def isin_sorted(sorted_ids: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Which of ``ids`` occur in the sorted array ``sorted_ids``."""
    pos = np.minimum(np.searchsorted(sorted_ids, ids), max(len(sorted_ids) - 1, 0))
    return sorted_ids[pos] == ids if len(sorted_ids) else np.zeros(len(ids), dtype=bool)


def pair_order(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """``np.lexsort((second, first))`` for distinct (first, second) pairs: one sort of a combined
    key when both are non-negative ids below 2**31 (ten times faster at 6,000 pairs)."""
    if not len(first):
        return np.zeros(0, dtype=np.intp)
    if min(first.min(), second.min()) < 0 or max(first.max(), second.max()) >= 2**31:
        return np.lexsort((second, first))
    return np.argsort((first.astype(np.int64) << 31) | second)


def first_repeat(ids: np.ndarray) -> int | None:
    """Position of the first id that already appeared earlier in ``ids``, or None."""
    order = np.argsort(ids, kind="stable")
    later = order[np.flatnonzero(ids[order][1:] == ids[order][:-1]) + 1]
    return int(later.min()) if len(later) else None


def validate(t: ProblemTable) -> None:
    if t.k < 1:
        raise UserError(N_("Each entry needs at least one judge (k = %(k)s)."), k=t.k)
    twice = first_repeat(t.judge_ids)
    negative = np.flatnonzero(t.judge_capacity < 0)
    if negative.size and (twice is None or negative[0] < twice):
        raise UserError(N_("Judge %(judge)s has a negative maximum load."), judge=int(t.judge_ids[negative[0]]))
    if twice is not None:
        raise UserError(N_("Judge %(judge)s appears twice in the judge pool."), judge=int(t.judge_ids[twice]))
    twice = first_repeat(t.entry_ids)
    if twice is not None:
        raise UserError(N_("Entry %(entry)s appears twice."), entry=int(t.entry_ids[twice]))
    pairs = t.existing[np.lexsort((t.existing[:, 1], t.existing[:, 0]))]
    judge_ok, entry_ok = isin_sorted(np.sort(t.judge_ids), pairs[:, 0]), isin_sorted(np.sort(t.entry_ids), pairs[:, 1])
    bad = np.flatnonzero(~(judge_ok & entry_ok))
    if bad.size and not judge_ok[bad[0]]:
        # A retired judge's assignments still count: pass them with capacity 0.
        raise UserError(
            N_("An existing assignment names judge %(judge)s, who is not in the judge pool."),
            judge=int(pairs[bad[0], 0]),
        )
    if bad.size:
        raise UserError(
            N_("An existing assignment names entry %(entry)s, which is not among the entries."),
            entry=int(pairs[bad[0], 1]),
        )


def component_count(judge_idx: np.ndarray, entry_idx: np.ndarray) -> int:
    """How many groups the judges in the (judge, entry) pairs form, two judges
    being linked when they share an entry (minimum-label propagation)."""
    judges, j = np.unique(np.asarray(judge_idx, dtype=np.int64), return_inverse=True)
    e = np.asarray(entry_idx, dtype=np.int64)
    order = np.lexsort((j, e))
    j, e = j[order], e[order]
    same = np.flatnonzero(e[1:] == e[:-1])
    a, b = j[same], j[same + 1]
    label = np.arange(len(judges))  # always a judge of the same group
    while True:
        low = np.minimum(label[a], label[b])
        np.minimum.at(label, a, low)
        np.minimum.at(label, b, low)
        while not np.array_equal(label[label], label):
            label = label[label]
        if np.array_equal(label[a], label[b]):
            return len(np.unique(label))
