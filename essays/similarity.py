"""Duplicate and near-duplicate detection between entries.

Texts are normalised (NFKC, case-folded, only letters and digits kept, so
white space, punctuation and symbols cannot hide a copy) and cut into
character 5-grams ("shingles"). Two measures are reported for each pair:

* Jaccard |A∩B| / |A∪B|, the overall overlap;
* containment |A∩B| / min(|A|, |B|), which catches an essay that copies half
  of another one and pads it: Jaccard stays low, containment is high.

``find_pairs`` compares every pair exactly, but only verifies pairs that a
prefix filter says could reach the review threshold: shingles are ordered by
how many documents contain them (rare first), and if the smaller document
of a pair shares at least ``review·|S|`` shingles, one of those must be among
its first ``|S| - ceil(review·|S|) + 1`` shingles in that order. Common
phrases every essay uses therefore never generate candidate pairs.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable, Mapping
from dataclasses import dataclass

import numpy as np

SHINGLE_SIZE = 5
REVIEW_CONTAINMENT = 0.5
COPY_CONTAINMENT = 0.8

_NOT_LETTER_OR_DIGIT = re.compile(r"[\W_]+")


def _common_punctuation() -> re.Pattern[str]:
    """White space and punctuation that NFKC + the letter filter drop anyway."""
    dropped = []
    ranges = [(0xA0, 0xBF), (0x2000, 0x206F), (0x3000, 0x303F), (0xFE10, 0xFE6F), (0xFF00, 0xFFEF)]
    for low, high in ranges:
        for code in range(low, high + 1):
            char = chr(code)
            folded = unicodedata.normalize("NFKC", char).casefold()
            if unicodedata.category(char)[0] != "M" and not _NOT_LETTER_OR_DIGIT.sub("", folded):
                dropped.append(re.escape(char))
    return re.compile(r"[\s%s]+" % "".join(dropped))


_COMMON_PUNCTUATION = _common_punctuation()


@dataclass(frozen=True)
class Pair:
    """Two entries whose containment reached the review threshold.

    ``a`` is a key of ``docs``; ``b`` is a later key of ``docs`` or, when
    ``against_earlier`` is true, a key of the earlier-competition texts.
    """

    a: Hashable
    b: Hashable
    jaccard: float
    containment: float
    level: str  # "review" or "copy"
    against_earlier: bool = False


def normalise(text: str) -> str:
    """NFKC, case-fold, keep only letters and digits.

    Same result as the per-cluster version used for highlighting (which can
    map back to the original), only faster. They can differ only for odd
    sequences such as a combining accent placed on a punctuation mark or
    conjoining Hangul jamo, which do not occur in these essays.
    """
    # Dropping full-width punctuation first lets NFKC take its fast path
    # (the text is then usually already normalised): 4x faster on essays.
    text = _COMMON_PUNCTUATION.sub("", text)
    return _NOT_LETTER_OR_DIGIT.sub("", unicodedata.normalize("NFKC", text).casefold())


def shingles(text: str, n: int = SHINGLE_SIZE) -> set[str]:
    """Character n-grams of the normalised text.

    A non-empty text shorter than ``n`` is one shingle of itself, so that two
    very short identical entries still match.
    """
    return set(_shingle_strings(normalise(text), n))


def compare(a: str, b: str, n: int = SHINGLE_SIZE) -> tuple[float, float]:
    """(Jaccard, containment) of two texts; (0.0, 0.0) if either is empty."""
    return _measures(shingles(a, n), shingles(b, n))


def shared_spans(a: str, b: str, n: int = SHINGLE_SIZE) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Spans (start, end) of the original ``a`` and ``b`` covered by shared n-grams.

    Spans are maximal: punctuation and white space between two covered
    characters is inside the span, so ``a[start:end]`` is the passage to
    highlight. Each span starts and ends on a letter or digit.
    """
    chars_a, origin_a = _normalised_chars(a)
    chars_b, origin_b = _normalised_chars(b)
    norm_a, norm_b = "".join(chars_a), "".join(chars_b)
    common = set(_shingle_strings(norm_a, n)) & set(_shingle_strings(norm_b, n))
    return (
        _covered_spans(norm_a, origin_a, common, n),
        _covered_spans(norm_b, origin_b, common, n),
    )


def find_pairs(
    docs: Mapping[Hashable, str],
    review: float = REVIEW_CONTAINMENT,
    copy: float = COPY_CONTAINMENT,
    against: Mapping[Hashable, str] | None = None,
    n: int = SHINGLE_SIZE,
) -> list[Pair]:
    """All pairs with containment ≥ ``review``, within ``docs`` and against ``against``.

    ``against`` holds entries of earlier competitions: each doc is compared
    with them, they are not compared with each other. Level is "copy" at
    containment ≥ ``copy``, else "review". Pairs come sorted by containment,
    then Jaccard, highest first. Shingles are compared as 64-bit hashes.
    """
    if not 0 < review <= copy <= 1:
        raise ValueError("thresholds must satisfy 0 < review <= copy <= 1")
    keys = list(docs)
    earlier_keys = list(against or {})
    hashed = [_shingle_hashes(normalise(text), n) for text in docs.values()]
    hashed += [_shingle_hashes(normalise(text), n) for text in (against or {}).values()]
    found = []
    for first, second in _candidate_pairs(hashed, review, len(keys)):
        shared = np.intersect1d(hashed[first], hashed[second], assume_unique=True).size
        size_a, size_b = hashed[first].size, hashed[second].size
        containment = shared / min(size_a, size_b)
        if containment < review:
            continue
        earlier = second >= len(keys)
        found.append(
            Pair(
                a=keys[first],
                b=earlier_keys[second - len(keys)] if earlier else keys[second],
                jaccard=shared / (size_a + size_b - shared),
                containment=containment,
                level="copy" if containment >= copy else "review",
                against_earlier=earlier,
            )
        )
    found.sort(key=lambda pair: (-pair.containment, -pair.jaccard))
    return found


# --- normalisation with a map back to the original text -------------------


def _normalised_chars(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    """Normalised characters and, for each, the span of ``text`` it came from.

    NFKC and case folding run per cluster (a character and its combining
    marks) so every output character can be traced back for highlighting.
    """
    chars: list[str] = []
    origin: list[tuple[int, int]] = []
    start = 0
    length = len(text)
    while start < length:
        end = start + 1
        while end < length and unicodedata.combining(text[end]):
            end += 1
        folded = unicodedata.normalize("NFKC", text[start:end]).casefold()
        for char in _NOT_LETTER_OR_DIGIT.sub("", folded):
            chars.append(char)
            origin.append((start, end))
        start = end
    return chars, origin


def _shingle_strings(norm: str, n: int) -> list[str]:
    if not norm:
        return []
    if len(norm) < n:
        return [norm]
    return [norm[i : i + n] for i in range(len(norm) - n + 1)]


def _covered_spans(norm: str, origin: list[tuple[int, int]], common: set[str], n: int) -> list[tuple[int, int]]:
    covered = [False] * len(norm)
    for start, shingle in enumerate(_shingle_strings(norm, n)):
        if shingle in common:
            for index in range(start, min(start + n, len(norm))):
                covered[index] = True
    spans: list[tuple[int, int]] = []
    index = 0
    while index < len(norm):
        if not covered[index]:
            index += 1
            continue
        first = index
        while index + 1 < len(norm) and covered[index + 1]:
            index += 1
        span = (origin[first][0], origin[index][1])
        if spans and span[0] <= spans[-1][1]:  # one source cluster, several chars
            spans[-1] = (spans[-1][0], max(spans[-1][1], span[1]))
        else:
            spans.append(span)
        index += 1
    return spans


def _measures(a: set, b: set) -> tuple[float, float]:
    if not a or not b:
        return 0.0, 0.0
    shared = len(a & b)
    return shared / len(a | b), shared / min(len(a), len(b))


# --- fast all-pairs -----------------------------------------------------------

_MULTIPLIER = np.uint64(0x100000001B3)  # FNV-64 prime: odd, spreads the bits


def _shingle_hashes(norm: str, n: int) -> np.ndarray:
    """Sorted unique 64-bit hashes of the n-grams of ``norm`` (vectorised)."""
    if not norm:
        return np.empty(0, dtype=np.uint64)
    codes = np.frombuffer(norm.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    width = min(n, codes.size)
    count = codes.size - width + 1
    hashes = np.full(count, np.uint64(width))
    for offset in range(width):
        hashes = hashes * _MULTIPLIER + codes[offset : offset + count]
    hashes ^= hashes >> np.uint64(29)
    hashes *= np.uint64(0xBF58476D1CE4E5B9)
    hashes ^= hashes >> np.uint64(32)
    return np.unique(hashes)


def _candidate_pairs(hashed: list[np.ndarray], review: float, doc_count: int) -> list[tuple[int, int]]:
    """Index pairs (i, j) that may reach ``review`` containment.

    i < j for two docs; for a doc against an earlier text, i is the doc.
    Pairs of two earlier texts are never produced.
    """
    sizes = np.array([h.size for h in hashed], dtype=np.int64)
    if sizes.sum() == 0:
        return []
    _, element, frequency = np.unique(np.concatenate(hashed), return_inverse=True, return_counts=True)
    owner = np.repeat(np.arange(len(hashed), dtype=np.int64), sizes)
    # Shingles found in one document only come first in the rare-first order
    # and can never pair two documents: drop them, shortening the prefixes.
    shared = frequency[element] > 1
    owner, element = owner[shared], element[shared].astype(np.int64)
    del shared
    if owner.size == 0:
        return []
    shared_sizes = np.bincount(owner, minlength=len(hashed))
    needed = np.ceil(review * sizes - 1e-9).astype(np.int64)
    prefix = np.maximum(sizes - needed + 1 - (sizes - shared_sizes), 0)

    # Each document's shared shingles rare-first; keep its filter prefix.
    owner_sorted, _, element_sorted = _sort_by(owner, frequency[element], element)
    rank = np.arange(owner_sorted.size) - np.repeat(np.cumsum(shared_sizes) - shared_sizes, shared_sizes)
    keep = rank < np.repeat(prefix, shared_sizes)
    probe_doc, probe_element = owner_sorted[keep], element_sorted[keep]
    del owner_sorted, element_sorted, rank, keep

    # Join the probes with the posting list (documents) of the same shingle.
    _, posting_doc = _sort_by(element, owner)
    del element, owner
    listed = np.where(frequency > 1, frequency, 0)
    posting_start = np.cumsum(listed) - listed
    repeat = frequency[probe_element]
    probe_doc = np.repeat(probe_doc, repeat)
    within = np.arange(repeat.sum()) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    other_doc = posting_doc[np.repeat(posting_start[probe_element], repeat) + within]

    # The probing document must be the smaller one (ties: both probe).
    keep = (other_doc != probe_doc) & (sizes[other_doc] >= sizes[probe_doc])
    keep &= (probe_doc < doc_count) | (other_doc < doc_count)
    first = np.minimum(probe_doc[keep], other_doc[keep])
    second = np.maximum(probe_doc[keep], other_doc[keep])
    pairs = np.unique(first * len(hashed) + second)
    return [(int(p // len(hashed)), int(p % len(hashed))) for p in pairs]


def _sort_by(*columns: np.ndarray) -> tuple[np.ndarray, ...]:
    """Sort non-negative int64 columns together, first column most significant.

    Packing them into one int64 key sorts several times faster than lexsort;
    lexsort remains for corpora too large to pack.
    """
    bits = [max(int(column.max()).bit_length(), 1) for column in columns]
    if sum(bits) > 63:
        order = np.lexsort(columns[::-1])
        return tuple(column[order] for column in columns)
    key = np.zeros(columns[0].size, dtype=np.int64)
    for column, width in zip(columns, bits):
        key <<= width
        key |= column
    key.sort()
    unpacked = []
    for width in reversed(bits):
        unpacked.append(key & ((1 << width) - 1))
        key >>= width
    return tuple(reversed(unpacked))
