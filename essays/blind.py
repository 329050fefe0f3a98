"""The one place that projects an entry for judges.

Judge-facing code only ever receives a ``BlindEntry``: the anonymous code,
genre, group, the redacted title and text, counts, and the entry fields the
organiser made judge-visible (``entry_fields.judge_visible_fields``). Never the
author, unit, receipt number, timestamps, original file or original file name,
nor any private entry field.
``blind_entry`` is its only constructor: ``project`` builds one from a
loaded submission, the judge's queue from the columns it selected.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.storage import read_file
from essays.entry_fields import judge_visible_fields


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
    # (label, value) of the judge-visible entry fields (年级 in a youth group …); private ones never.
    fields: tuple[tuple[str, str], ...] = ()


def blind_entry(
    *,
    code: str | None,
    competition_title: str,
    genre: str | None,
    group: str | None,
    title: str | None,
    word_count: int | None,
    han_count: int | None,
    judge_file_id: int | None,
    text: str | None = "",
    version: int | None = 1,
    entry_fields: list | None = None,
    field_values: dict | None = None,
) -> BlindEntry:
    """The judge's view of an entry from the judge-facing fields of a submission.

    ``entry_fields`` (the competition's definitions) and ``field_values`` (the
    entry's) may be passed whole: only the judge-visible fields are kept.
    """
    return BlindEntry(
        code=code or "",
        competition_title=competition_title,
        genre=genre or "",
        group=group or "",
        title=title or "",
        text=text or "",
        word_count=word_count or 0,
        han_count=han_count or 0,
        has_file=judge_file_id is not None,
        version=version or 1,
        fields=judge_visible_fields(entry_fields, field_values),
    )


def project(submission) -> BlindEntry:
    return blind_entry(
        code=submission.anonymous_code,
        competition_title=submission.competition.title,
        genre=submission.genre.name if submission.genre else None,
        group=submission.group.name if submission.group else None,
        title=submission.judge_title,
        text=submission.judge_text,
        word_count=submission.word_count,
        han_count=submission.han_count,
        judge_file_id=submission.judge_file_id,
        version=submission.version,
        entry_fields=submission.competition.entry_fields,
        field_values=submission.field_values,
    )


def judge_file_bytes(submission) -> bytes | None:
    """The scrubbed judge copy (serve it under a name built from the code only)."""
    if submission.judge_file is None:
        return None
    return read_file(submission.judge_file)


def judge_file_name(submission) -> str:
    suffix = submission.judge_file.key.rsplit(".", 1)[-1] if submission.judge_file else "txt"
    return f"{submission.anonymous_code}.{suffix}"
