"""The one place that projects an entry for judges.

Judge-facing code only ever receives a ``BlindEntry``: the anonymous code,
genre, group, the redacted title and text, and counts. Never the author,
unit, receipt number, timestamps, original file or original file name.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BlindEntry:
    code: str
    competition_title: str
    genre: str
    group: str
    title: str
    text: str
    word_count: int
    han_count: int
    has_file: bool
    # The entry's version: the judge's score form sends it back, so a score
    # records the version the judge read.
    version: int = 1


def project(submission) -> BlindEntry:
    return BlindEntry(
        code=submission.anonymous_code or "",
        competition_title=submission.competition.title,
        genre=submission.genre.name if submission.genre else "",
        group=submission.group.name if submission.group else "",
        title=submission.judge_title or "",
        text=submission.judge_text or "",
        word_count=submission.word_count or 0,
        han_count=submission.han_count or 0,
        has_file=submission.judge_file_id is not None,
        version=submission.version or 1,
    )


def judge_file_bytes(submission) -> bytes | None:
    """The scrubbed judge copy (serve it under a name built from the code only)."""
    if submission.judge_file is None:
        return None
    from core.storage import read_file

    return read_file(submission.judge_file)


def judge_file_name(submission) -> str:
    suffix = submission.judge_file.key.rsplit(".", 1)[-1] if submission.judge_file else "txt"
    return f"{submission.anonymous_code}.{suffix}"
