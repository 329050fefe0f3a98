"""Pure math of judging: aggregation, double marking, reliability, ranking.

Plain data in and out; numpy inside. Scores arrive as
``{entry_id: {judge_id: score}}`` and are turned once into a dense
entries x judges matrix with NaN for "not scored", so every method is a few
vectorised numpy calls (10,000 entries x 5 judges in milliseconds).

Aggregated scores are rounded to ``ROUND_DIGITS`` decimals. That is far below
any real difference between scores (entered with at most a few decimals) but
removes floating-point noise, so two entries whose true scores are equal
compare equal and the tie-break rules, not summation order, decide between them.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np

from core.errors import UserError
from core.i18n_markers import N_

EntryId = Hashable
JudgeId = Hashable
Scores = Mapping[EntryId, Mapping[JudgeId, float]]

METHODS = ("mean", "trimmed_mean", "median", "standardised", "mean_rank")
ROUND_DIGITS = 9
DEFAULT_MIN_PER_JUDGE = 8
# Published double-marking thresholds (7 and 10 on a 60-point essay) are about
# 10-17 % of full marks; 15 % is the shipped default.
DEFAULT_THRESHOLD_SHARE = 0.15
DEFAULT_TOP_BAND_SHARE = 0.9
# Tolerance for "within T" and "equally close": scores like 7.3 - 0.3 must not
# fail a threshold because of binary floating point.
_EPS = 1e-9

BAND_LABELS = {
    "reliable": N_("Reliable"),
    "tentative": N_("Tentative"),
    "unreliable": N_("Unreliable"),
    "poor": N_("Poor"),
    "moderate": N_("Moderate"),
    "good": N_("Good"),
    "excellent": N_("Excellent"),
    "undefined": N_("Cannot be computed"),
}


# --------------------------------------------------------------------------
# Aggregation
# --------------------------------------------------------------------------


def to_matrix(scores: Scores) -> tuple[list[EntryId], list[JudgeId], np.ndarray]:
    """Dense entries x judges float matrix, NaN where a judge gave no score.

    Entries without any score are left out; entries and judges keep the order
    in which they first appear.
    """
    entry_ids = [entry_id for entry_id, by_judge in scores.items() if by_judge]
    rows: list[int] = []
    judges: list[JudgeId] = []
    values: list[float] = []
    for row, entry_id in enumerate(entry_ids):
        by_judge = scores[entry_id]
        rows.extend([row] * len(by_judge))
        judges.extend(by_judge)
        values.extend(by_judge.values())
    judge_index = {judge: col for col, judge in enumerate(dict.fromkeys(judges))}
    cols = [judge_index[judge] for judge in judges]
    matrix = np.full((len(entry_ids), len(judge_index)), np.nan)
    if values:
        matrix[rows, cols] = np.asarray(values, dtype=float)
    return entry_ids, list(judge_index), matrix


def aggregate(
    scores: Scores,
    method: str,
    *,
    scale: tuple[float, float] | None = None,
    min_per_judge: int = DEFAULT_MIN_PER_JUDGE,
) -> dict[EntryId, float]:
    """Final score per entry by ``method`` (one of ``METHODS``).

    ``mean_rank``: within each judge the lowest score gets rank 1 and ties share
    the average rank, so a *higher* mean rank is *better*, like the scores.
    It is meant for full panels; with incomplete designs a judge who saw more
    entries hands out larger ranks.
    ``scale`` (low, high) clips standardised scores, which can leave the scale.
    """
    entry_ids, _, matrix = to_matrix(scores)
    result = aggregate_matrix(matrix, method, scale=scale, min_per_judge=min_per_judge)
    return dict(zip(entry_ids, result.tolist()))


def aggregate_matrix(
    matrix: np.ndarray,
    method: str,
    *,
    scale: tuple[float, float] | None = None,
    min_per_judge: int = DEFAULT_MIN_PER_JUDGE,
) -> np.ndarray:
    """Same as :func:`aggregate` on a matrix from :func:`to_matrix`.

    Every row must hold at least one score.
    """
    if method not in METHODS:
        raise ValueError(f"unknown aggregation method {method!r}")
    if matrix.shape[0] == 0:
        return np.empty(0)
    if method == "mean":
        result = np.nanmean(matrix, axis=1)
    elif method == "trimmed_mean":
        result = _trimmed_mean(matrix)
    elif method == "median":
        result = np.nanmedian(matrix, axis=1)
    elif method == "standardised":
        result = _standardised(matrix, min_per_judge)
        if scale is not None:
            result = np.clip(result, scale[0], scale[1])
    else:  # mean_rank
        result = np.nanmean(_ranks_per_column(matrix), axis=1)
    return np.round(result, ROUND_DIGITS)


def _trimmed_mean(matrix: np.ndarray) -> np.ndarray:
    # Drop exactly one highest and one lowest. Summing the sorted middle
    # (rather than total - max - min) gives identical results for identical
    # score sets, whatever order the judges come in.
    ordered = np.sort(matrix, axis=1)  # NaN sort last
    counts = np.sum(~np.isnan(matrix), axis=1)
    position = np.arange(matrix.shape[1])[None, :]
    trim = (counts >= 3)[:, None]
    keep = (position < counts[:, None]) & (~trim | ((position >= 1) & (position < counts[:, None] - 1)))
    kept = np.where(keep, ordered, 0.0)
    return kept.sum(axis=1) / keep.sum(axis=1)


def _standardised(matrix: np.ndarray, min_per_judge: int) -> np.ndarray:
    present = ~np.isnan(matrix)
    per_judge = present.sum(axis=0)
    too_few = int(np.sum(per_judge < min_per_judge))
    if too_few:
        raise UserError(
            N_(
                "%(count)s judge(s) scored fewer than %(minimum)s entries; "
                "standardised scores need at least %(minimum)s entries per judge."
            ),
            count=too_few,
            minimum=min_per_judge,
        )
    groups = _judge_components(present)
    if groups > 1:
        raise UserError(
            N_(
                "The judges fall into %(count)s groups that share no entries; "
                "standardised scores need judges linked through shared entries."
            ),
            count=groups,
        )
    mean = np.nanmean(matrix, axis=0)
    sd = np.nanstd(matrix, axis=0)  # population SD
    safe_sd = np.where(sd > 0, sd, 1.0)
    z = np.where(sd > 0, (matrix - mean) / safe_sd, 0.0)
    z = np.where(present, z, np.nan)
    return np.nanmean(matrix) + np.nanstd(matrix) * np.nanmean(z, axis=1)


def _judge_components(present: np.ndarray) -> int:
    """Number of groups of judges connected through entries they both scored."""
    judges = present.shape[1]
    if judges == 0:
        return 0
    as_float = present.astype(float)
    linked = (as_float.T @ as_float) > 0
    seen = np.zeros(judges, dtype=bool)
    components = 0
    for start in range(judges):
        if seen[start]:
            continue
        components += 1
        frontier = np.zeros(judges, dtype=bool)
        frontier[start] = True
        while frontier.any():
            seen |= frontier
            frontier = linked[frontier].any(axis=0) & ~seen
    return components


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks, lowest value = 1, ties share the average rank."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    starts_group = np.r_[True, ordered[1:] != ordered[:-1]]
    starts = np.flatnonzero(starts_group)
    ends = np.r_[starts[1:], values.size]
    # A tie group at sorted positions start..end-1 shares ranks start+1..end.
    average = (starts + ends + 1) / 2.0
    ranks = np.empty(values.size)
    ranks[order] = average[np.cumsum(starts_group) - 1]
    return ranks


def _ranks_per_column(matrix: np.ndarray) -> np.ndarray:
    ranks = np.full(matrix.shape, np.nan)
    for col in range(matrix.shape[1]):
        present = ~np.isnan(matrix[:, col])
        ranks[present, col] = _average_ranks(matrix[present, col])
    return ranks


# --------------------------------------------------------------------------
# Double marking and arbitration
# --------------------------------------------------------------------------


def default_threshold(full_marks: float) -> float:
    """Default double-marking threshold T: 15 % of full marks."""
    return DEFAULT_THRESHOLD_SHARE * full_marks


def double_mark(
    s1: float,
    s2: float,
    threshold: float,
    third: float | None = None,
    arbiter: float | None = None,
) -> tuple[float | None, str]:
    """Final score and the rule that produced it (双评/三评/仲裁).

    Rule codes: "agreed", "needs_third", "third_judge", "needs_arbiter",
    "arbiter". An arbiter's score without a third score is final too (the
    leader steps in when no third judge is eligible). When the third score is equally close to both first scores
    (it then sits at their midpoint) no first score is preferred: the result
    is the average of both pairs' means, which equals the third score.
    """
    if threshold < 0:
        raise ValueError("threshold must not be negative")
    if abs(s1 - s2) <= threshold + _EPS:
        return (s1 + s2) / 2, "agreed"
    if third is None:
        # No third judge could be found (every other judge is barred), so the
        # group leader arbitrated straight away: that score is final.
        if arbiter is not None:
            return arbiter, "arbiter"
        return None, "needs_third"
    gap1, gap2 = abs(third - s1), abs(third - s2)
    if math.isclose(gap1, gap2, abs_tol=_EPS):
        closest_gap, result = gap1, ((third + s1) / 2 + (third + s2) / 2) / 2
    elif gap1 < gap2:
        closest_gap, result = gap1, (third + s1) / 2
    else:
        closest_gap, result = gap2, (third + s2) / 2
    if closest_gap <= threshold + _EPS:
        return result, "third_judge"
    if arbiter is None:
        return None, "needs_arbiter"
    return arbiter, "arbiter"


def needs_arbitration(scores: Sequence[float], threshold: float) -> bool:
    """True when a panel's spread (max - min) exceeds the threshold."""
    if len(scores) < 2:
        return False
    return max(scores) - min(scores) > threshold + _EPS


# --------------------------------------------------------------------------
# Reliability
# --------------------------------------------------------------------------


def krippendorff_alpha(data: Sequence[Sequence[float | None]], level: str = "interval") -> float:
    """Krippendorff's alpha; rows are judges, columns are entries (units).

    ``level`` is "nominal", "interval" or "ratio". Only units with at least two
    values are pairable. alpha = 1 - (n - 1) * sum(o_ck d_ck) / sum(n_c n_k d_ck)
    from the coincidence matrix o; the observed sum is accumulated unit by unit
    over pairs of values, so no value x value matrix of o is built.
    Returns NaN when alpha is undefined (no pairable unit, or no variation).
    """
    if level not in ("nominal", "interval", "ratio"):
        raise ValueError(f"unknown level of measurement {level!r}")
    if not data:
        return math.nan
    matrix = np.array([[np.nan if v is None else float(v) for v in row] for row in data], dtype=float).reshape(
        len(data), -1
    )
    counts = np.sum(~np.isnan(matrix), axis=0)
    if not np.any(counts >= 2):
        return math.nan
    units = np.sort(matrix[:, counts >= 2].T, axis=1)  # values first, NaN last
    m = counts[counts >= 2].astype(float)
    units = units[:, : int(m.max())]
    values = units[~np.isnan(units)]
    n = float(values.size)
    weight = 1.0 / (m - 1.0)

    if level == "interval":
        # Ordered pairs within a unit: sum (x_a - x_b)^2 = 2 m sum (x - mean)^2,
        # so large panels need no loop over pairs of judges.
        centred = units - np.nanmean(units, axis=1)[:, None]
        observed = float(np.sum(weight * 2.0 * m * np.nansum(centred**2, axis=1)))
    else:
        observed = 0.0
        for a in range(units.shape[1]):
            for b in range(a + 1, units.shape[1]):
                both = ~np.isnan(units[:, a]) & ~np.isnan(units[:, b])
                d = _distance(units[both, a], units[both, b], level)
                observed += 2.0 * float(np.sum(weight[both] * d))  # (c,k) and (k,c)

    expected = _expected_disagreement(values, level)
    if expected == 0:
        return math.nan
    return 1.0 - (n - 1.0) * observed / expected


def _distance(c: np.ndarray, k: np.ndarray, level: str) -> np.ndarray:
    if level == "nominal":
        return (c != k).astype(float)
    if level == "interval":
        return (c - k) ** 2
    total = c + k
    safe = np.where(total == 0, 1.0, total)
    return np.where(total == 0, 0.0, ((c - k) / safe) ** 2)


def _expected_disagreement(values: np.ndarray, level: str) -> float:
    """sum over ordered value pairs n_c n_k d_ck for all pairable values."""
    n = values.size
    if level == "interval":
        # sum_{i,j} (x_i - x_j)^2 = 2 (n sum x^2 - (sum x)^2), without n^2 pairs.
        centred = values - values.mean()
        return float(2.0 * n * np.sum(centred**2))
    unique, n_c = np.unique(values, return_counts=True)
    if level == "nominal":
        return float(n * n - np.sum(n_c.astype(float) ** 2))
    total = 0.0
    block = 2048  # bounds memory when scores have many distinct values
    for start in range(0, unique.size, block):
        c = unique[start : start + block, None]
        d = _distance(np.broadcast_to(c, (c.shape[0], unique.size)), unique[None, :], level)
        total += float(n_c[start : start + block] @ d @ n_c)
    return total


def icc(matrix: Sequence[Sequence[float]]) -> dict[str, float]:
    """Shrout & Fleiss (1979) intraclass correlations for targets x judges.

    The matrix must be complete (every judge scored every target). Keys are
    "ICC(1,1)", "ICC(2,1)", "ICC(3,1)" for one judge and "ICC(1,k)",
    "ICC(2,k)", "ICC(3,k)" for the mean of the k judges.
    """
    x = np.asarray([[np.nan if v is None else float(v) for v in row] for row in matrix], dtype=float)
    if x.ndim != 2 or x.shape[0] < 2 or x.shape[1] < 2:
        raise UserError(N_("ICC needs at least 2 entries each scored by the same 2 or more judges."))
    if np.isnan(x).any():
        raise UserError(N_("ICC needs every judge to score every entry; some scores are missing."))
    n, k = x.shape
    grand = x.mean()
    ss_total = float(np.sum((x - grand) ** 2))
    ss_between = k * float(np.sum((x.mean(axis=1) - grand) ** 2))
    ss_judges = n * float(np.sum((x.mean(axis=0) - grand) ** 2))
    bms = ss_between / (n - 1)
    wms = (ss_total - ss_between) / (n * (k - 1))
    jms = ss_judges / (k - 1)
    ems = (ss_total - ss_between - ss_judges) / ((n - 1) * (k - 1))
    return {
        "ICC(1,1)": _ratio(bms - wms, bms + (k - 1) * wms),
        "ICC(2,1)": _ratio(bms - ems, bms + (k - 1) * ems + k * (jms - ems) / n),
        "ICC(3,1)": _ratio(bms - ems, bms + (k - 1) * ems),
        "ICC(1,k)": _ratio(bms - wms, bms),
        "ICC(2,k)": _ratio(bms - ems, bms + (jms - ems) / n),
        "ICC(3,k)": _ratio(bms - ems, bms),
    }


def _ratio(num: float, den: float) -> float:
    return num / den if den != 0 else math.nan


def kendall_w(rankings: Sequence[Sequence[float]]) -> float:
    """Kendall's coefficient of concordance W, corrected for ties.

    Rows are judges, columns are entries; the values may be scores or ranks
    (they are re-ranked within each judge, ties sharing the average rank; the
    direction does not change W). NaN when undefined (every judge ties all).
    """
    x = np.asarray(rankings, dtype=float)
    if x.ndim != 2 or x.shape[0] < 2 or x.shape[1] < 2:
        raise UserError(N_("Kendall's W needs at least 2 judges each ranking the same 2 or more entries."))
    if np.isnan(x).any():
        raise UserError(N_("Kendall's W needs every judge to rank every entry; some scores are missing."))
    m, n = x.shape
    ranks = np.vstack([_average_ranks(row) for row in x])
    totals = ranks.sum(axis=0)
    s = float(np.sum((totals - totals.mean()) ** 2))
    ties = 0.0
    for row in x:
        _, sizes = np.unique(row, return_counts=True)
        ties += float(np.sum(sizes.astype(float) ** 3 - sizes))
    return _ratio(12.0 * s, m * m * (n**3 - n) - m * ties)


def interpret_alpha(alpha: float) -> str:
    """Krippendorff's bands: "reliable" >= .8, "tentative" >= .667, else "unreliable"."""
    if math.isnan(alpha):
        return "undefined"
    if alpha >= 0.8:
        return "reliable"
    if alpha >= 0.667:
        return "tentative"
    return "unreliable"


def interpret_icc(value: float) -> str:
    """Koo & Li (2016) bands: poor < .5 <= moderate < .75 <= good <= .9 < excellent."""
    if math.isnan(value):
        return "undefined"
    if value < 0.5:
        return "poor"
    if value < 0.75:
        return "moderate"
    if value <= 0.9:
        return "good"
    return "excellent"


# --------------------------------------------------------------------------
# Charts
# --------------------------------------------------------------------------


def judge_leniency(scores: Scores) -> dict[JudgeId, tuple[float, float, int]]:
    """Per judge: (mean, population SD, number of scores), for the leniency chart."""
    _, judge_ids, matrix = to_matrix(scores)
    if not judge_ids:
        return {}
    means = np.nanmean(matrix, axis=0)
    sds = np.nanstd(matrix, axis=0)
    counts = np.sum(~np.isnan(matrix), axis=0)
    return {judge: (float(means[j]), float(sds[j]), int(counts[j])) for j, judge in enumerate(judge_ids)}


def histogram(values: Sequence[float], bins: int, lo: float, hi: float) -> list[int]:
    """Counts in ``bins`` equal-width bins over [lo, hi]; the last bin includes hi.

    Values outside [lo, hi] are not counted.
    """
    if bins < 1 or not hi > lo:
        raise ValueError("need bins >= 1 and hi > lo")
    counts, _ = np.histogram(np.asarray(values, dtype=float), bins=bins, range=(lo, hi))
    return [int(c) for c in counts]


# --------------------------------------------------------------------------
# Ranking
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class RankInput:
    """One entry to rank: its final score and the raw scores behind it.

    ``tiebreak`` is the last, stable key (the anonymous code); the entry id is
    used when it is None. It only makes the order total, it is not a merit.
    """

    entry_id: EntryId
    final: float
    scores: Sequence[float]
    tiebreak: str | int | None = None


@dataclass(frozen=True)
class RankedEntry:
    entry_id: EntryId
    rank: int
    final: float
    mean: float | None
    median: float | None
    top_band_count: int
    # All four merit criteria equal to the entry ranked just above: a real tie
    # that the activity's tie policy must settle at an award boundary.
    tied_with_previous: bool


def rank_entries(
    results: Sequence[RankInput],
    *,
    full_marks: float = 100.0,
    top_band_share: float = DEFAULT_TOP_BAND_SHARE,
) -> list[RankedEntry]:
    """Order entries best first and number them 1..n.

    Criteria, in order: final score (full precision) desc, untrimmed mean desc,
    median desc, number of scores in the top band (>= top_band_share x
    full_marks) desc, then ``tiebreak`` ascending so the order is total.
    """
    n = len(results)
    if n == 0:
        return []
    final = np.array([item.final for item in results], dtype=float)
    if np.isnan(final).any():
        raise ValueError("every entry needs a final score")
    # One padded entries x scores matrix, so mean, median and the top band
    # count are vectorised like aggregate().
    lengths = np.array([len(item.scores) for item in results])
    flat = np.fromiter(chain.from_iterable(item.scores for item in results), float, int(lengths.sum()))
    padded = np.full((n, max(1, int(lengths.max()))), np.nan)
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    padded[np.repeat(np.arange(n), lengths), np.arange(flat.size) - starts] = flat
    has_scores = lengths > 0
    rows = np.where(has_scores[:, None], padded, 0.0)  # no all-NaN row: no warnings
    mean = np.where(has_scores, np.round(np.nanmean(rows, axis=1), ROUND_DIGITS), np.nan)
    median = np.where(has_scores, np.round(np.nanmedian(rows, axis=1), ROUND_DIGITS), np.nan)
    top = np.sum(padded >= top_band_share * full_marks - _EPS, axis=1)

    # Entries without scores sort last on mean and median (-inf, negated below).
    merit = np.column_stack([final, np.nan_to_num(mean, nan=-np.inf), np.nan_to_num(median, nan=-np.inf), top])
    tiebreaks = [item.entry_id if item.tiebreak is None else item.tiebreak for item in results]
    tiebreak_position = np.empty(n, dtype=int)
    tiebreak_position[sorted(range(n), key=tiebreaks.__getitem__)] = np.arange(n)
    order = np.lexsort((tiebreak_position, -merit[:, 3], -merit[:, 2], -merit[:, 1], -merit[:, 0]))
    ordered = merit[order]
    tied = np.zeros(n, dtype=bool)
    tied[1:] = np.all(ordered[1:] == ordered[:-1], axis=1)

    # Plain Python values (not numpy scalars) for the callers.
    means, medians, tops, ties = mean.tolist(), median.tolist(), top.tolist(), tied.tolist()
    return [
        RankedEntry(
            entry_id=results[i].entry_id,
            rank=position,
            final=results[i].final,
            mean=None if math.isnan(means[i]) else means[i],
            median=None if math.isnan(medians[i]) else medians[i],
            top_band_count=tops[i],
            tied_with_previous=ties[position - 1],
        )
        for position, i in enumerate(order.tolist(), start=1)
    ]
