"""Pure statistics of a round's scores: inter-rater reliability and chart data.

Plain data in and out, numpy inside, like ``judging.scoring`` (whose matrix and
ranking helpers these reuse).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from core.errors import UserError
from core.i18n_markers import N_
from judging.scoring import JudgeId, Scores, average_ranks, to_matrix

BAND_LABELS = {
    "reliable": N_("Reliable"),
    "tentative": N_("Tentative"),
    "unreliable": N_("Unreliable"),
    "poor": N_("Poor"),
    "moderate": N_("Moderate"),
    "good": N_("Good"),
    "excellent": N_("Excellent"),
    "undefined": N_("Cannot be computed"),
    "insufficient": N_("Insufficient data"),
}

# Fewer entries scored by two or more judges than this, and a coefficient says
# nothing (with one such entry alpha is 0 whatever the scores): the page shows
# "insufficient data" instead of a number.
MIN_PAIRABLE_ENTRIES = 5


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


def icc_oneway(groups: Sequence[Sequence[float]]) -> dict[str, float]:
    """ICC(1) for a one-way random design with unequal numbers of judges.

    Each group holds the scores one entry received, from whichever judges it
    was assigned to: the design of a round where judges score different
    subsets. Uses the unbalanced one-way ANOVA with the adjusted group size
    k0 = (N - sum k_i^2 / N) / (n - 1) (Shrout & Fleiss's ICC(1) as
    generalised by Donner 1986). Keys "ICC(1,1)" (one judge) and "ICC(1,k)"
    (the mean of k0 judges) and "k0". Groups with fewer than 2 scores are
    left out: they carry no information on agreement.
    """
    xs = [np.asarray([float(v) for v in g if v is not None and not math.isnan(float(v))]) for g in groups]
    xs = [g for g in xs if g.size >= 2]
    n = len(xs)
    total = sum(g.size for g in xs)
    if n < 2:
        raise UserError(N_("ICC needs at least 2 entries each scored by 2 or more judges."))
    grand = float(np.concatenate(xs).mean())
    bms = sum(g.size * (float(g.mean()) - grand) ** 2 for g in xs) / (n - 1)
    wms = sum(float(np.sum((g - g.mean()) ** 2)) for g in xs) / (total - n)
    k0 = (total - sum(g.size**2 for g in xs) / total) / (n - 1)
    return {
        "ICC(1,1)": _ratio(bms - wms, bms + (k0 - 1) * wms),
        "ICC(1,k)": _ratio(bms - wms, bms),
        "k0": k0,
    }


def pairable_entries(data: Sequence[Sequence[float | None]]) -> int:
    """How many entries (columns; rows are judges) have two or more scores."""
    if not data:
        return 0
    matrix = np.array([[np.nan if v is None else float(v) for v in row] for row in data], dtype=float).reshape(
        len(data), -1
    )
    return int(np.sum(np.sum(~np.isnan(matrix), axis=0) >= 2))


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
    ranks = np.vstack([average_ranks(row) for row in x])
    totals = ranks.sum(axis=0)
    s = float(np.sum((totals - totals.mean()) ** 2))
    ties = 0.0
    for row in x:
        _, sizes = np.unique(row, return_counts=True)
        ties += float(np.sum(sizes.astype(float) ** 3 - sizes))
    return _ratio(12.0 * s, m * m * (n**3 - n) - m * ties)


def interpret_alpha(alpha: float, pairable: int | None = None) -> str:
    """Krippendorff's bands: "reliable" >= .8, "tentative" >= .667, else "unreliable".

    With ``pairable`` (entries scored by two or more judges) below
    MIN_PAIRABLE_ENTRIES the band is "insufficient" whatever alpha is.
    """
    if pairable is not None and pairable < MIN_PAIRABLE_ENTRIES:
        return "insufficient"
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
