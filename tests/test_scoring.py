"""Pure scoring math: aggregation, double marking, reliability, ranking."""

import math
import statistics

import pytest

from core.errors import UserError
from judging.reliability import (
    BAND_LABELS,
    histogram,
    icc,
    interpret_alpha,
    interpret_icc,
    judge_leniency,
    kendall_w,
    krippendorff_alpha,
)
from judging.scoring import (
    RankInput,
    aggregate,
    default_threshold,
    double_mark,
    needs_arbitration,
    rank_entries,
    to_matrix,
)


def panel(*scores):
    """One entry's scores from judges j0, j1, ... in order."""
    return {f"j{i}": s for i, s in enumerate(scores)}


# --------------------------------------------------------------- aggregation


@pytest.mark.parametrize(
    "method, scores, expected",
    [
        ("mean", panel(80, 90), 85),
        ("mean", panel(70), 70),
        # drop exactly one highest and one lowest
        ("trimmed_mean", panel(70, 80, 85, 90, 100), 85),
        ("trimmed_mean", panel(80, 80, 80, 90, 90), (80 + 80 + 90) / 3),
        ("trimmed_mean", panel(10, 90, 90, 90, 90), 90),
        # with 3 scores it is the median; with fewer it falls back to the mean
        ("trimmed_mean", panel(60, 70, 100), 70),
        ("trimmed_mean", panel(60, 100), 80),
        ("trimmed_mean", panel(75), 75),
        ("median", panel(60, 70, 100), 70),
        ("median", panel(60, 70, 80, 100), 75),
    ],
)
def test_aggregate_single_entry(method, scores, expected):
    assert aggregate({"e1": scores}, method)["e1"] == pytest.approx(expected)


@pytest.mark.parametrize("method", ["mean", "trimmed_mean", "median", "mean_rank"])
def test_entries_without_scores_are_left_out(method):
    result = aggregate({"e1": panel(80, 90, 70), "e2": {}, "e3": panel(60, 50, 40)}, method)
    assert set(result) == {"e1", "e3"}
    assert aggregate({}, method) == {}


@pytest.mark.parametrize("method", ["mean", "trimmed_mean", "median"])
def test_equal_true_scores_compare_equal_whatever_the_judge_order(method):
    # 85.1 + 90.3 and 87.3 + 88.1 differ in binary floating point; a tie must stay a tie.
    scores = {
        "a": {"j1": 85.1, "j2": 90.3, "j3": 87.7, "j4": 70.0, "j5": 99.0},
        "b": {"j1": 87.3, "j2": 88.1, "j3": 87.7, "j4": 99.0, "j5": 70.0},
    }
    result = aggregate(scores, method)
    assert result["a"] == result["b"]


def test_mean_rank_higher_is_better_and_ties_share_average_rank():
    scores = {
        "e1": {"A": 90, "B": 70},
        "e2": {"A": 80, "B": 75},
        "e3": {"A": 80, "B": 60},
    }
    # A: e1 rank 3, e2/e3 share (1 + 2) / 2; B: e1 2, e2 3, e3 1
    assert aggregate(scores, "mean_rank") == pytest.approx({"e1": 2.5, "e2": 2.25, "e3": 1.25})


def eight_entries(judge_scores):
    """{entry: {judge: score}} from {judge: [score for e0..e7]}."""
    return {f"e{i}": {j: s[i] for j, s in judge_scores.items()} for i in range(8)}


def test_standardised_maps_mean_z_back_with_pooled_mean_and_sd():
    harsh = [60, 65, 70, 75, 80, 85, 90, 95]
    flat = [80] * 8  # a judge who gives everyone the same score contributes z = 0
    result = aggregate(eight_entries({"A": harsh, "C": flat}), "standardised")
    pooled = harsh + flat
    mu_a, sd_a = statistics.fmean(harsh), statistics.pstdev(harsh)
    for i, x in enumerate(harsh):
        z = ((x - mu_a) / sd_a + 0) / 2
        assert result[f"e{i}"] == pytest.approx(statistics.fmean(pooled) + statistics.pstdev(pooled) * z)


def test_standardised_removes_a_judges_leniency():
    strict = [60, 62, 70, 71, 75, 80, 88, 90]
    lenient = [x + 15 for x in strict]
    both = aggregate(eight_entries({"A": strict, "B": lenient}), "standardised")
    alone = aggregate(eight_entries({"A": strict, "B": strict}), "standardised")
    order = sorted(both, key=both.get)
    assert order == sorted(alone, key=alone.get) == [f"e{i}" for i in range(8)]


def test_standardised_clips_to_the_scale():
    scores = eight_entries({"A": [0] * 7 + [100], "B": [50] * 7 + [100]})
    assert aggregate(scores, "standardised")["e7"] > 100
    assert aggregate(scores, "standardised", scale=(0, 100))["e7"] == 100


@pytest.mark.parametrize(
    "per_judge, minimum, too_few",
    [
        ({"A": 8, "B": 7, "C": 3}, 8, 2),
        ({"A": 5, "B": 5}, 8, 2),
        ({"A": 5, "B": 4}, 5, 1),
    ],
)
def test_standardised_needs_enough_scores_per_judge(per_judge, minimum, too_few):
    scores = {}
    for judge, n in per_judge.items():
        for i in range(n):
            scores.setdefault(f"e{i}", {})[judge] = 50 + i
    with pytest.raises(UserError) as caught:
        aggregate(scores, "standardised", min_per_judge=minimum)
    assert caught.value.params["count"] == too_few
    assert f"{too_few} judge" in str(caught.value)


def test_standardised_needs_judges_linked_by_shared_entries():
    scores = {f"a{i}": {"A": 50 + i, "B": 60 + i} for i in range(8)}
    scores.update({f"c{i}": {"C": 50 + i, "D": 40 + i} for i in range(8)})
    with pytest.raises(UserError) as caught:
        aggregate(scores, "standardised")
    assert caught.value.params["count"] == 2


def test_unknown_method_is_refused():
    with pytest.raises(ValueError):
        aggregate({"e1": panel(1)}, "mode")


def test_to_matrix_marks_missing_scores():
    entries, judges, matrix = to_matrix({"e1": {"A": 1.0}, "e2": {}, "e3": {"B": 2.0, "A": 3.0}})
    assert entries == ["e1", "e3"] and judges == ["A", "B"]
    assert matrix[0, 0] == 1.0 and math.isnan(matrix[0, 1])
    assert list(matrix[1]) == [3.0, 2.0]


# ----------------------------------------------------------- double marking


@pytest.mark.parametrize(
    "s1, s2, t, third, arbiter, expected",
    [
        (80, 90, 10, None, None, (85, "agreed")),  # exactly T apart still agrees
        (10.3, 3.3, 7, None, None, (6.8, "agreed")),  # no float jitter at the threshold
        (80, 91, 10, None, None, (None, "needs_third")),
        (80, 95, 10, 88, None, (91.5, "third_judge")),  # 95 is closer to 88
        (60, 90, 10, 50, None, (55, "third_judge")),
        (70, 84, 10, 77, None, (77, "third_judge")),  # equally close: neither first score preferred
        (60, 90, 10, 75, None, (None, "needs_arbiter")),
        (60, 90, 10, 75, 72, (72, "arbiter")),
        (40, 58, 9, 20, 45, (45, "arbiter")),
        (30, 85, 15, None, 70, (70, "arbiter")),  # no third judge was eligible: the leader decided
    ],
)
def test_double_mark(s1, s2, t, third, arbiter, expected):
    score, rule = double_mark(s1, s2, t, third, arbiter)
    assert rule == expected[1]
    assert score == (None if expected[0] is None else pytest.approx(expected[0]))


def test_double_mark_refuses_negative_threshold():
    with pytest.raises(ValueError):
        double_mark(1, 2, -1)


@pytest.mark.parametrize(
    "scores, t, expected",
    [
        ([80, 85, 95], 10, True),
        ([80, 85, 90], 10, False),
        ([80], 10, False),
        ([], 10, False),
    ],
)
def test_needs_arbitration(scores, t, expected):
    assert needs_arbitration(scores, t) is expected


def test_default_threshold_is_15_percent_of_full_marks():
    assert default_threshold(60) == pytest.approx(9)


# ------------------------------------------------------------- reliability

N = None
KRIPPENDORFF_2011 = [  # Krippendorff (2011), 4 observers x 12 units with missing data
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]


@pytest.mark.parametrize(
    "level, expected",
    [
        ("nominal", 0.743),
        ("interval", 0.849),
        ("ratio", 0.797),
    ],
)
def test_krippendorff_worked_example(level, expected):
    assert round(krippendorff_alpha(KRIPPENDORFF_2011, level), 3) == expected


@pytest.mark.parametrize(
    "data, level, expected",
    [
        ([[1, 2, 3], [1, 2, 3]], "interval", 1.0),
        ([[1, 2, 3, N], [1, N, 3, 4], [N, 2, 3, 4]], "nominal", 1.0),
        ([[1, 2, 3], [3, 2, 1]], "interval", -2 / 3),  # hand-computed: 1 - 5 * 16 / 48
        # a unit scored by one judge only is not pairable and changes nothing
        ([[1, 2, 3, 9], [3, 2, 1, N]], "interval", -2 / 3),
    ],
)
def test_krippendorff_small_cases(data, level, expected):
    assert krippendorff_alpha(data, level) == pytest.approx(expected)


@pytest.mark.parametrize(
    "data",
    [
        [[5, 5, 5], [5, 5, 5]],  # no variation at all
        [[1, N], [N, 2]],  # nothing pairable
        [],
    ],
)
def test_krippendorff_undefined_is_nan(data):
    assert math.isnan(krippendorff_alpha(data))


SHROUT_FLEISS = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]


@pytest.mark.parametrize(
    "form, expected",
    [
        ("ICC(1,1)", 0.17),
        ("ICC(2,1)", 0.29),
        ("ICC(3,1)", 0.71),
        ("ICC(1,k)", 0.44),
        ("ICC(2,k)", 0.62),
        ("ICC(3,k)", 0.91),
    ],
)
def test_icc_shrout_fleiss_example(form, expected):
    assert round(icc(SHROUT_FLEISS)[form], 2) == expected


@pytest.mark.parametrize(
    "matrix",
    [
        [[1, 2], [3, None]],
        [[1, 2, 3]],
        [[1], [2]],
    ],
)
def test_icc_needs_a_complete_matrix(matrix):
    with pytest.raises(UserError):
        icc(matrix)


@pytest.mark.parametrize(
    "rankings, expected",
    [
        ([[90, 80, 70], [9, 8, 7], [3, 2, 1]], 1.0),  # scores in any scale, same order
        ([[1, 2, 3], [3, 2, 1]], 0.0),
        # hand-computed: R = 4, 6, 8, 12; S = 35; W = 12 * 35 / (9 * 60) = 7/9
        ([[1, 2, 3, 4], [2, 1, 3, 4], [1, 3, 2, 4]], 7 / 9),
        # ties: R = 2.5, 3.5, 6; S = 6.5; T = 2^3 - 2; W = 78 / (4 * 24 - 2 * 6) = 13/14
        ([[1, 2, 3], [1.5, 1.5, 3]], 13 / 14),
        ([[10, 20, 30], [50, 50, 70]], 13 / 14),  # same as scores
    ],
)
def test_kendall_w(rankings, expected):
    assert kendall_w(rankings) == pytest.approx(expected)


def test_kendall_w_needs_every_judge_to_rank_every_entry():
    with pytest.raises(UserError):
        kendall_w([[1, 2, 3], [1, math.nan, 2]])


@pytest.mark.parametrize(
    "alpha, band",
    [
        (0.95, "reliable"),
        (0.8, "reliable"),
        (0.79, "tentative"),
        (0.667, "tentative"),
        (0.66, "unreliable"),
        (-0.2, "unreliable"),
        (math.nan, "undefined"),
    ],
)
def test_interpret_alpha(alpha, band):
    assert interpret_alpha(alpha) == band
    assert band in BAND_LABELS


@pytest.mark.parametrize(
    "value, band",
    [
        (0.3, "poor"),
        (0.5, "moderate"),
        (0.74, "moderate"),
        (0.75, "good"),
        (0.9, "good"),
        (0.91, "excellent"),
        (math.nan, "undefined"),
    ],
)
def test_interpret_icc(value, band):
    assert interpret_icc(value) == band
    assert band in BAND_LABELS


# ----------------------------------------------------------------- charts


def test_judge_leniency():
    scores = {"e1": {"A": 80, "B": 60}, "e2": {"A": 90}, "e3": {}}
    assert judge_leniency(scores) == {"A": (85.0, 5.0, 2), "B": (60.0, 0.0, 1)}


@pytest.mark.parametrize(
    "values, bins, lo, hi, expected",
    [
        ([0, 9.9, 10, 55, 100, 101, -1], 10, 0, 100, [2, 1, 0, 0, 0, 1, 0, 0, 0, 1]),
        ([], 4, 0, 60, [0, 0, 0, 0]),
        ([30, 30], 1, 0, 60, [2]),
    ],
)
def test_histogram(values, bins, lo, hi, expected):
    assert histogram(values, bins, lo, hi) == expected


# ---------------------------------------------------------------- ranking


@pytest.mark.parametrize(
    "inputs, order, note",
    [
        ([RankInput("a", 80, [80]), RankInput("b", 90, [90])], ["b", "a"], "final score"),
        (
            [RankInput("a", 85, [60, 85, 85, 85, 90]), RankInput("b", 85, [80, 85, 85, 85, 90])],
            ["b", "a"],
            "then untrimmed mean",
        ),
        ([RankInput("a", 80, [70, 80, 90]), RankInput("b", 80, [60, 90, 90])], ["b", "a"], "then median"),
        (
            [RankInput("b", 80, [75, 75, 85, 85]), RankInput("a", 80, [70, 80, 80, 90])],
            ["a", "b"],
            "then scores in the top band (>= 90)",
        ),
        (
            [RankInput("a", 80, [80, 80], tiebreak="K-2"), RankInput("b", 80, [80, 80], tiebreak="K-1")],
            ["b", "a"],
            "then the stable key",
        ),
        ([RankInput(2, 80, [80]), RankInput(1, 80, [80])], [1, 2], "entry id without a key"),
    ],
)
def test_rank_entries_tie_break_order(inputs, order, note):
    assert [r.entry_id for r in rank_entries(inputs)] == order, note


def test_rank_entries_numbers_and_flags_real_ties():
    ranked = rank_entries(
        [
            RankInput("c", 70, [70, 70]),
            RankInput("a", 90, [90, 90], tiebreak="X2"),
            RankInput("b", 90, [90, 90], tiebreak="X1"),
            RankInput("d", 90, [85, 95], tiebreak="X0"),  # same final, mean, median; fewer top scores
        ]
    )
    assert [(r.entry_id, r.rank, r.tied_with_previous) for r in ranked] == [
        ("b", 1, False),
        ("a", 2, True),
        ("d", 3, False),
        ("c", 4, False),
    ]


def test_rank_entries_top_band_follows_full_marks():
    a = RankInput("a", 50, [55, 45])  # 55 >= 0.9 * 60
    b = RankInput("b", 50, [52, 48])
    assert [r.entry_id for r in rank_entries([b, a], full_marks=60)] == ["a", "b"]
    # with the band from 48, b has two top scores and a only one
    assert [r.entry_id for r in rank_entries([a, b], full_marks=60, top_band_share=0.8)] == ["b", "a"]
