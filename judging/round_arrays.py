"""A round's scores as arrays: each entry's regular scores, and the common verdicts vectorised.

Pure numpy, no database. ``judging.results`` feeds it the score rows of a round;
the entries this module cannot settle on arrays (a third judge's or the leader's
score, scores that disagree) go through ``arbitration.verdict`` one by one, so
every result is the one the per-entry code gives, to the last bit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from judging.scoring import TOLERANCE

# Rule codes of common_verdicts: the round's method, two agreeing scores, none at all.
METHOD, AGREED, NO_SCORES, BY_ENTRY = 0, 1, 2, -1


@dataclass(frozen=True)
class EntryScores:
    """Regular scores per entry: ``padded[i, :counts[i]]`` are entry i's scores in the order given."""

    counts: np.ndarray
    padded: np.ndarray

    def scores(self, i: int) -> list[float]:
        return self.padded[i, : self.counts[i]].tolist()

    def sums(self) -> np.ndarray:
        """Each entry's sum added left to right, as Python's ``sum`` of its scores does (0.0 for none)."""
        total = np.zeros(self.counts.size)
        for col in range(self.padded.shape[1]):
            total += np.where(col < self.counts, self.padded[:, col], 0.0)
        return total

    def spreads(self) -> np.ndarray:
        """max - min of entries with at least two scores, NaN for the others."""
        present = np.arange(self.padded.shape[1])[None, :] < self.counts[:, None]
        high = np.where(present, self.padded, -np.inf).max(axis=1, initial=-np.inf)
        low = np.where(present, self.padded, np.inf).min(axis=1, initial=np.inf)
        return np.where(self.counts >= 2, high - low, np.nan)

    def rows(self, positions: np.ndarray) -> np.ndarray:
        """The padded rows of ``positions``, as wide as the longest of them (at least one column),
        the shape ``scoring.padded_rows`` gives those entries."""
        width = max(1, int(self.counts[positions].max(initial=0)))
        return self.padded[positions, :width]


def entry_scores(entry_ids: np.ndarray, score_entries: np.ndarray, values: np.ndarray) -> EntryScores:
    """Scores (``score_entries[j]`` scored ``values[j]``) per entry of the sorted ``entry_ids``,
    in the order given. Scores of entries not in ``entry_ids`` are left out."""
    entry_ids = np.asarray(entry_ids)
    score_entries = np.asarray(score_entries, dtype=entry_ids.dtype if entry_ids.size else None)
    values = np.asarray(values, dtype=float)
    n = entry_ids.size
    at = np.searchsorted(entry_ids, score_entries) if n else np.zeros(score_entries.size, dtype=np.intp)
    known = at < n
    known[known] = entry_ids[at[known]] == score_entries[known]
    at, values = at[known], values[known]
    counts = np.bincount(at, minlength=n)
    order = np.argsort(at, kind="stable")
    rows = at[order]
    starts = np.cumsum(counts) - counts
    padded = np.full((n, max(1, int(counts.max(initial=0)))), np.nan)
    padded[rows, np.arange(rows.size) - starts[rows]] = values[order]
    return EntryScores(counts, padded)


def common_verdicts(
    scores: EntryScores, *, arbitration: str, threshold: float, method_values: np.ndarray, by_entry: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Final score (NaN: none) and rule code of every entry, as ``arbitration.verdict`` decides them.

    Settled here: two scores that agree under a third-judge round (their mean, ``AGREED``), scores
    within the threshold or a round without arbitration (the method's value, ``METHOD``), no
    scores (``NO_SCORES``). ``BY_ENTRY`` marks what is left to ``verdict``: the entries flagged
    in ``by_entry`` (a third judge's or the leader's score), and scores that disagree.
    """
    counts = scores.counts
    n = counts.size
    code = np.full(n, METHOD)
    final = np.asarray(method_values, dtype=float).copy()
    limit = threshold + TOLERANCE
    if arbitration == "third_judge":
        pair = counts == 2
        first, second = scores.padded[:, 0], scores.padded[:, min(1, scores.padded.shape[1] - 1)]
        agreed = pair & (np.abs(first - second) <= limit) & (threshold >= 0)
        code[agreed] = AGREED
        final[agreed] = ((first + second) / 2)[agreed]
        code[pair & ~agreed] = BY_ENTRY
        others = ~pair
    else:
        others = np.ones(n, dtype=bool)
    if arbitration != "none":
        code[others & (counts >= 2) & ~(scores.spreads() <= limit)] = BY_ENTRY
    empty = others & (counts == 0)
    code[empty] = NO_SCORES
    final[empty] = np.nan
    code[np.asarray(by_entry, dtype=bool)] = BY_ENTRY
    final[code == BY_ENTRY] = np.nan
    return final, code
