"""What a judge-copy builder reports, and the identity check every builder runs on what it keeps."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from essays import anonymise


@dataclass(frozen=True)
class JudgeCopy:
    """``data`` is the file for judges, or None: judges keep the redacted text.

    ``found`` lists identity found in what the copy would have kept (for the
    organiser); it is empty when the copy could not be built at all.
    """

    data: bytes | None
    found: tuple[str, ...] = ()


def identity_in(texts: Iterable[str], needles: Iterable[str]) -> tuple[str, ...]:
    """The distinct identity strings ``find_identity`` sees in ``texts``."""
    needles = list(needles)
    found: list[str] = []
    for text in texts:
        if not text:
            continue
        for start, end in anonymise.find_identity(text, needles):
            piece = text[start:end]
            if piece not in found:
                found.append(piece)
    return tuple(found)
