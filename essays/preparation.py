"""Preparing an entry: the checks and computations that need no database.

``submission_context`` reads plain data (settings, genres, the author's
details to hide from judges); ``prepare_entry`` does the pure work on it:
pledge, title, genre, text extraction, counting, identity search.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

from core.errors import UserError
from core.i18n_markers import N_
from essays import anonymise, manuscripts, wordcount
from essays.models import Competition


@dataclass
class Upload:
    filename: str
    data: bytes
    content_type: str = "application/octet-stream"


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise UserError(N_("Please enter a title."))
    if len(title) > 200:
        raise UserError(N_("The title is longer than %(limit)s characters."), limit=200)
    return title


def identity_needles(author, unit=None) -> list[str]:
    needles = [
        author.display_name,
        author.unit_name,
        author.workplace,
        author.phone,
        author.email,
        getattr(unit, "name", None),
        getattr(getattr(author, "unit", None), "short_name", None),
    ]
    return [n for n in needles if n and len(n.strip()) >= 2]


@dataclass
class Identity:
    spans: list[dict]
    judge_title: str
    judge_text: str
    flagged: bool


def _find_identity(title: str, text: str, needles: list[str]) -> Identity:
    spans = anonymise.find_identity(text, needles)
    title_spans = anonymise.find_identity(title, needles)
    return Identity(
        spans=[{"start": s, "end": e, "text": text[s:e], "redacted": True} for s, e in spans],
        judge_title=anonymise.redact(title, title_spans),
        judge_text=anonymise.redact(text, spans),
        flagged=bool(spans or title_spans),
    )


@dataclass(frozen=True)
class GenreRule:
    id: int
    name: str
    min_length: int | None
    max_length: int | None
    count_rule: str


@dataclass(frozen=True)
class SubmissionContext:
    competition_id: int
    accepted_formats: tuple[str, ...]
    max_file_mb: int
    genres: tuple[GenreRule, ...]
    group_ids: tuple[int, ...]
    needles: tuple[str, ...]


def submission_context(competition: Competition, author, recommending_unit=None) -> SubmissionContext:
    """What preparing an entry needs, as plain data (usable after the session ends)."""
    return SubmissionContext(
        competition_id=competition.id,
        accepted_formats=tuple(competition.accepted_formats or ()),
        max_file_mb=competition.max_file_mb,
        genres=tuple(GenreRule(g.id, g.name, g.min_length, g.max_length, g.count_rule) for g in competition.genres),
        group_ids=tuple(g.id for g in competition.groups),
        needles=tuple(identity_needles(author, recommending_unit)),
    )


@dataclass
class PreparedEntry:
    title: str
    genre: GenreRule
    group_id: int | None
    manuscript: manuscripts.Manuscript
    count: int  # by the genre's rule, for the audit entry
    word_count: int
    han_count: int
    identity: Identity


def prepare_entry(
    context: SubmissionContext,
    *,
    title: str,
    genre_id: int | None,
    group_id: int | None,
    body_text: str | None = None,
    upload: Upload | None = None,
    pledge: bool = False,
    manuscript: manuscripts.Manuscript | None = None,
) -> PreparedEntry:
    """Check and compute everything about an entry that needs no database."""
    if not pledge:
        raise UserError(N_("Please confirm the originality pledge."))
    title = _clean_title(title)
    genre = next((g for g in context.genres if g.id == genre_id), None)
    if genre is None:
        raise UserError(N_("Please choose a genre."))
    if context.group_ids and group_id not in context.group_ids:
        raise UserError(N_("Please choose a group."))
    if not context.group_ids:
        group_id = None
    if manuscript is None:
        settings = SimpleNamespace(accepted_formats=list(context.accepted_formats), max_file_mb=context.max_file_mb)
        manuscript = manuscripts.prepare(settings, body_text=body_text, upload=upload)
    count = wordcount.check_length(manuscript.text, genre.min_length, genre.max_length, genre.count_rule)
    word_count = count if genre.count_rule == "word" else wordcount.count_words(manuscript.text)
    han_count = count if genre.count_rule == "han" else wordcount.count_han(manuscript.text)
    return PreparedEntry(
        title=title,
        genre=genre,
        group_id=group_id,
        manuscript=manuscript,
        count=count,
        word_count=word_count,
        han_count=han_count,
        identity=_find_identity(title, manuscript.text, list(context.needles)),
    )
