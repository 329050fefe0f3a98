"""Pure math of judging: aggregation, double marking, ranking.

Reliability statistics and chart data are in ``judging.reliability``.

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
TOLERANCE = _EPS  # the same tolerance, for the array form of the verdicts (judging.round_arrays)


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


def to_matrix_arrays(entries: np.ndarray, judges: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`to_matrix` of parallel arrays (one score a position): (entry ids, matrix).

    The same matrix, rows and columns in the same order, as ``to_matrix`` of
    ``{entry: {judge: value}}`` built from the arrays in order (a repeated
    (entry, judge) pair keeps its last value), so aggregation gives identical
    results, without a Python loop over the scores.
    """
    entries, judges, values = np.asarray(entries), np.asarray(judges), np.asarray(values, dtype=float)
    if entries.size == 0:
        return entries[:0], np.empty((0, 0))
    entry_ids, first_row, entry_of = np.unique(entries, return_index=True, return_inverse=True)
    row_of_entry = np.empty(entry_ids.size, dtype=np.intp)
    row_of_entry[np.argsort(first_row, kind="stable")] = np.arange(entry_ids.size)
    rows = row_of_entry[entry_of]
    # Judges in order of first appearance when the scores are read entry by entry.
    by_entry = np.argsort(rows, kind="stable")
    judge_ids, first_col, judge_of = np.unique(judges[by_entry], return_index=True, return_inverse=True)
    col_of_judge = np.empty(judge_ids.size, dtype=np.intp)
    col_of_judge[np.argsort(first_col, kind="stable")] = np.arange(judge_ids.size)
    matrix = np.full((entry_ids.size, judge_ids.size), np.nan)
    matrix[rows[by_entry], col_of_judge[judge_of.reshape(-1)]] = values[by_entry]
    return entry_ids[np.argsort(first_row, kind="stable")], matrix


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


def average_ranks(values: np.ndarray) -> np.ndarray:
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
        ranks[present, col] = average_ranks(matrix[present, col])
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


def on_step(value: float, step: float) -> bool:
    """True when ``value`` is a whole multiple of ``step`` (up to floating-point noise)."""
    ratio = value / step
    return abs(ratio - round(ratio)) < 1e-6


def needs_arbitration(scores: Sequence[float], threshold: float) -> bool:
    """True when a panel's spread (max - min) exceeds the threshold."""
    if len(scores) < 2:
        return False
    return max(scores) - min(scores) > threshold + _EPS


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
    lengths = np.array([len(item.scores) for item in results])
    flat = np.fromiter(chain.from_iterable(item.scores for item in results), float, int(lengths.sum()))
    tiebreaks = [item.entry_id if item.tiebreak is None else item.tiebreak for item in results]
    tiebreak_position = np.empty(n, dtype=int)
    tiebreak_position[sorted(range(n), key=tiebreaks.__getitem__)] = np.arange(n)
    ranking = rank_order(
        final, padded_rows(flat, lengths), tiebreak_position, full_marks=full_marks, top_band_share=top_band_share
    )
    # Plain Python values (not numpy scalars) for the callers.
    means, medians, tops, ties = (a.tolist() for a in (ranking.mean, ranking.median, ranking.top, ranking.tied))
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
        for position, i in enumerate(ranking.order.tolist(), start=1)
    ]


def padded_rows(flat: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Consecutive runs of ``flat`` (``lengths`` long) as rows, in order, NaN-padded to the longest
    (at least one column)."""
    n = lengths.size
    padded = np.full((n, max(1, int(lengths.max(initial=0)))), np.nan)
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    padded[np.repeat(np.arange(n), lengths), np.arange(flat.size) - starts] = flat
    return padded


@dataclass(frozen=True)
class Ranking:
    """:func:`rank_order` of n entries: ``order`` best first (positions into the inputs), ``tied``
    per place (all four merits equal to the place above), merits per input."""

    order: np.ndarray
    tied: np.ndarray
    mean: np.ndarray
    median: np.ndarray
    top: np.ndarray


def rank_order(
    final: np.ndarray,
    padded: np.ndarray,
    tiebreak_position: np.ndarray,
    *,
    full_marks: float = 100.0,
    top_band_share: float = DEFAULT_TOP_BAND_SHARE,
) -> Ranking:
    """:func:`rank_entries` on arrays: final scores, the scores behind them as rows of a NaN-padded
    matrix (:func:`padded_rows`; the same width gives the same means to the last bit) and each
    entry's position in tie-break order."""
    n = final.size
    if np.isnan(final).any():
        raise ValueError("every entry needs a final score")
    has_scores = ~np.isnan(padded[:, 0])
    rows = np.where(has_scores[:, None], padded, 0.0)  # no all-NaN row: no warnings
    mean = np.where(has_scores, np.round(np.nanmean(rows, axis=1), ROUND_DIGITS), np.nan)
    median = np.where(has_scores, np.round(np.nanmedian(rows, axis=1), ROUND_DIGITS), np.nan)
    top = np.sum(padded >= top_band_share * full_marks - _EPS, axis=1)

    # Entries without scores sort last on mean and median (-inf, negated below).
    merit = np.column_stack([final, np.nan_to_num(mean, nan=-np.inf), np.nan_to_num(median, nan=-np.inf), top])
    order = np.lexsort((tiebreak_position, -merit[:, 3], -merit[:, 2], -merit[:, 1], -merit[:, 0]))
    ordered = merit[order]
    tied = np.zeros(n, dtype=bool)
    tied[1:] = np.all(ordered[1:] == ordered[:-1], axis=1)
    return Ranking(order, tied, mean, median, top)
