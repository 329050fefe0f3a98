"""A round's scores on arrays give what the per-entry code gives, to the last bit."""

from __future__ import annotations

import random

import numpy as np
import pytest

from judging.arbitration import VerdictRules, verdict
from judging.models import Arbitration
from judging.round_arrays import AGREED, BY_ENTRY, METHOD, NO_SCORES, common_verdicts, entry_scores
from judging.scoring import RankInput, padded_rows, rank_entries, rank_order, to_matrix, to_matrix_arrays


@pytest.mark.parametrize(
    "rows, note",
    [
        ([], "no scores"),
        ([(1, 10, 80.0)], "one score"),
        ([(2, 11, 70.0), (1, 10, 80.0), (2, 10, 75.0), (1, 12, 90.0)], "entries and judges by first appearance"),
        ([(5, 3, 1.0), (4, 2, 2.0), (5, 1, 3.0), (4, 3, 4.0), (6, 1, 5.0)], "judges read entry by entry"),
        ([(1, 10, 80.0), (1, 10, 85.0)], "a repeated pair keeps its last value"),
    ],
)
def test_to_matrix_arrays_is_to_matrix(rows, note):
    scores: dict[int, dict[int, float]] = {}
    for entry, judge, value in rows:
        scores.setdefault(entry, {})[judge] = value
    expected_entries, _, expected = to_matrix(scores)
    entries, matrix = to_matrix_arrays(
        np.array([r[0] for r in rows], dtype=np.int64),
        np.array([r[1] for r in rows], dtype=np.int64),
        np.array([r[2] for r in rows], dtype=float),
    )
    assert entries.tolist() == expected_entries, note
    assert np.array_equal(matrix, expected, equal_nan=True), note


@pytest.mark.parametrize(
    "entry_ids, rows, expected",
    [
        ([1, 2, 3], [(2, 70.0), (1, 80.0), (2, 60.0)], {1: [80.0], 2: [70.0, 60.0], 3: []}),
        ([1, 3], [(2, 70.0), (3, 50.0), (9, 1.0)], {1: [], 3: [50.0]}),  # scores of other entries left out
        ([4], [], {4: []}),
        ([], [(1, 80.0)], {}),
    ],
)
def test_entry_scores_keep_each_entrys_scores_in_order(entry_ids, rows, expected):
    scores = entry_scores(
        np.array(entry_ids, dtype=np.int64), np.array([r[0] for r in rows], dtype=np.int64), [r[1] for r in rows]
    )
    assert {sid: scores.scores(i) for i, sid in enumerate(entry_ids)} == expected


@pytest.mark.parametrize(
    "panels",
    [
        [[0.1, 0.2, 0.3], [0.3, 0.2, 0.1], [], [7.3]],  # float sums depend on the order
        [[1e16, 1.0, -1e16], [88.5, 90.0, 70.0, 81.0, 95.0, 60.1, 77.7, 66.6, 99.9, 12.3]],  # more than 8 scores
    ],
)
def test_sums_and_spreads_are_pythons(panels):
    scores = entry_scores(
        np.arange(len(panels)),
        np.array([i for i, p in enumerate(panels) for _ in p], dtype=np.int64),
        [v for p in panels for v in p],
    )
    assert scores.sums().tolist() == [sum(p) for p in panels]
    expected = [max(p) - min(p) if len(p) >= 2 else None for p in panels]
    assert [None if s != s else s for s in scores.spreads().tolist()] == expected


def _method_value(panel):
    return round(sum(panel) / len(panel), 9) if panel else float("nan")


VERDICT_CASES = [
    # (arbitration, threshold, regular scores, third, arbiter, code expected on arrays)
    ("none", 10.0, [60.0, 95.0], None, None, METHOD),
    ("none", 10.0, [], None, None, NO_SCORES),
    ("third_judge", 10.0, [80.0, 90.0], None, None, AGREED),
    ("third_judge", 7.0, [7.3, 0.3], None, None, AGREED),  # within T despite binary floating point
    ("third_judge", 10.0, [80.0, 95.0], None, None, BY_ENTRY),  # needs a third judge
    ("third_judge", 10.0, [80.0, 95.0], 90.0, None, BY_ENTRY),
    ("third_judge", 10.0, [80.0, 90.0], 85.0, None, BY_ENTRY),  # a third score: per entry
    ("third_judge", 10.0, [80.0], None, None, METHOD),
    ("third_judge", 10.0, [70.0, 80.0, 95.0], None, None, BY_ENTRY),  # three scores too far apart
    ("third_judge", 10.0, [80.0, 85.0, 88.0], None, None, METHOD),
    ("third_judge", -1.0, [80.0, 80.0], None, None, BY_ENTRY),  # a bad threshold: double_mark refuses it
    ("third_judge", 10.0, [], None, None, NO_SCORES),
    ("leader", 10.0, [80.0, 95.0], None, None, BY_ENTRY),
    ("leader", 10.0, [80.0, 95.0], None, 88.0, BY_ENTRY),
    ("leader", 15.0, [80.0, 95.0], None, None, METHOD),  # spread equal to T
    ("leader", 10.0, [80.0, 90.0, 85.0], None, None, METHOD),
    ("leader", 10.0, [], None, None, NO_SCORES),
]


def test_common_verdicts_are_the_per_entry_verdicts():
    panels = [case[2] for case in VERDICT_CASES]
    scores = entry_scores(
        np.arange(len(panels)),
        np.array([i for i, p in enumerate(panels) for _ in p], dtype=np.int64),
        [v for p in panels for v in p],
    )
    for arbitration in ("none", "third_judge", "leader"):
        for threshold in (-1.0, 7.0, 10.0, 15.0):
            cases = [(i, c) for i, c in enumerate(VERDICT_CASES) if (c[0], c[1]) == (arbitration, threshold)]
            if not cases:
                continue
            final, code = common_verdicts(
                scores,
                arbitration=arbitration,
                threshold=threshold,
                method_values=np.array([_method_value(p) for p in panels]),
                by_entry=np.array([c[3] is not None or c[4] is not None for c in VERDICT_CASES]),
            )
            rules = VerdictRules(threshold, Arbitration(arbitration), "mean")
            for i, (_, _, regular, third, arbiter, expected_code) in cases:
                assert code[i] == expected_code, VERDICT_CASES[i]
                if expected_code == BY_ENTRY:
                    assert np.isnan(final[i])
                    continue
                found = verdict(rules, regular, third, arbiter, _method_value(regular) if regular else None)
                rule = {METHOD: "mean", AGREED: "agreed", NO_SCORES: "no_scores"}[expected_code]
                assert (None if np.isnan(final[i]) else final[i], rule) == (found.final, found.rule), VERDICT_CASES[i]


def test_rank_order_on_padded_rows_is_rank_entries():
    rnd = random.Random(14)
    items = [
        RankInput(i, rnd.choice([70.0, 80.5, 90.0]), [rnd.choice([60.0, 80.5, 95.0]) for _ in range(rnd.randrange(4))])
        for i in range(60)
    ]
    items = [RankInput(r.entry_id, r.final, r.scores, tiebreak=f"K{rnd.randrange(9)}") for r in items]
    expected = rank_entries(items)
    lengths = np.array([len(r.scores) for r in items])
    flat = np.array([s for r in items for s in r.scores], dtype=float)
    keys = [r.tiebreak for r in items]
    position = np.empty(len(items), dtype=int)
    position[sorted(range(len(items)), key=keys.__getitem__)] = np.arange(len(items))
    got = rank_order(np.array([r.final for r in items]), padded_rows(flat, lengths), position)
    assert [items[i].entry_id for i in got.order.tolist()] == [r.entry_id for r in expected]
    assert got.tied.tolist() == [r.tied_with_previous for r in expected]
