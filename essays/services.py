"""Competition and entry actions. Each flushes and audits; the caller commits.

The rules of each competition state are enforced here, so pages, the CLI and
the benchmark all get them:

* draft: organisers edit everything; authors see nothing;
* open: authors save drafts, submit, edit and withdraw until the deadline
  (closing time plus the published grace period, by the server clock, read
  inside the saving transaction); organisers edit settings and review;
* closed: no more entries; qualification review and export;
* judging, published, archived: entries and qualification are frozen.

Independently of the call's state, an entry that has entered an opened judging
round (or is qualified, when the competition says so) is frozen: its author can
no longer edit, replace the file or withdraw it (``check_not_frozen``).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from types import SimpleNamespace

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core import audit
from core.db import end_read_transaction, utcnow
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_
from essays import anonymise, manuscripts, wordcount
from essays.models import (
    ACTIVE_STATUSES,
    FORMATS,
    Competition,
    CompetitionStatus,
    Genre,
    Group,
    SimilarityFlag,
    Submission,
    SubmissionCounter,
    SubmissionStatus,
)

# Allowed forward moves (and reopening a closed competition for an extension).
TRANSITIONS = {
    CompetitionStatus.DRAFT: {CompetitionStatus.OPEN},
    CompetitionStatus.OPEN: {CompetitionStatus.CLOSED},
    CompetitionStatus.CLOSED: {CompetitionStatus.OPEN, CompetitionStatus.JUDGING},
    CompetitionStatus.JUDGING: {CompetitionStatus.PUBLISHED},
    CompetitionStatus.PUBLISHED: {CompetitionStatus.ARCHIVED},
    CompetitionStatus.ARCHIVED: set(),
}
EDITABLE_STATES = {CompetitionStatus.DRAFT, CompetitionStatus.OPEN, CompetitionStatus.CLOSED}
REVIEW_STATES = {CompetitionStatus.OPEN, CompetitionStatus.CLOSED}

NOTICE_TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "a",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "span",
    "hr",
}


def sanitise_notice(html: str) -> str:
    """Keep simple formatting of a pasted notice; drop scripts, styles and handlers."""
    import nh3

    return nh3.clean(
        html or "",
        tags=NOTICE_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


# Competitions ----------------------------------------------------------------

COMPETITION_FIELDS = (
    "code",
    "title",
    "theme",
    "notice_html",
    "organisers",
    "opens_at",
    "closes_at",
    "grace_minutes",
    "max_entries_per_author",
    "unit_recommendation_enabled",
    "unit_quota",
    "accepted_formats",
    "max_file_mb",
    "pledge_text",
    "review_threshold",
    "copy_threshold",
    "freeze_when_qualified",
)


def _competition_snapshot(comp: Competition) -> dict:
    snap = {k: getattr(comp, k) for k in COMPETITION_FIELDS}
    snap["genres"] = [[g.name, g.min_length, g.max_length, g.count_rule] for g in comp.genres]
    snap["groups"] = [g.name for g in comp.groups]
    snap["status"] = comp.status
    return snap


def _check_competition_fields(fields: dict) -> None:
    opens, closes = fields.get("opens_at"), fields.get("closes_at")
    if opens and closes and closes <= opens:
        raise UserError(N_("The closing time must be later than the opening time."))
    formats = fields.get("accepted_formats")
    if formats is not None:
        if not formats or any(f not in FORMATS for f in formats):
            raise UserError(N_("Choose at least one accepted format."))
    review, copy = fields.get("review_threshold"), fields.get("copy_threshold")
    if review is not None and copy is not None and not 0 < review <= copy <= 1:
        raise UserError(N_("Similarity thresholds must satisfy 0 < review ≤ presumed copy ≤ 1."))


def _apply_genres(comp: Competition, genres: list[dict]) -> None:
    if not genres:
        raise UserError(N_("A competition needs at least one genre."))
    names = [g["name"].strip() for g in genres]
    if len(set(names)) != len(names):
        raise UserError(N_("Genre names must be different."))
    existing = {g.id: g for g in comp.genres}
    keep = []
    for position, data in enumerate(genres):
        lo, hi = data.get("min_length"), data.get("max_length")
        if lo is not None and hi is not None and lo > hi:
            raise UserError(N_("Genre %(name)s: the minimum length is larger than the maximum."), name=data["name"])
        if data.get("count_rule", "word") not in wordcount.RULES:
            raise UserError(N_("Unknown counting rule."))
        genre = existing.pop(data.get("id"), None) if data.get("id") else None
        if genre is None:
            genre = Genre()
            comp.genres.append(genre)
        genre.name, genre.min_length, genre.max_length = data["name"].strip(), lo, hi
        genre.count_rule, genre.position = data.get("count_rule", "word"), position
        keep.append(genre)
    for genre in existing.values():
        if genre.id and _has_entries(Submission.genre_id, genre.id):
            raise UserError(N_("The genre %(name)s already has entries and cannot be removed."), name=genre.name)
        comp.genres.remove(genre)


def _apply_groups(comp: Competition, groups: list[dict]) -> None:
    names = [g["name"].strip() for g in groups]
    if len(set(names)) != len(names):
        raise UserError(N_("Group names must be different."))
    existing = {g.id: g for g in comp.groups}
    for position, data in enumerate(groups):
        group = existing.pop(data.get("id"), None) if data.get("id") else None
        if group is None:
            group = Group()
            comp.groups.append(group)
        group.name, group.position = data["name"].strip(), position
    for group in existing.values():
        if group.id and _has_entries(Submission.group_id, group.id):
            raise UserError(N_("The group %(name)s already has entries and cannot be removed."), name=group.name)
        comp.groups.remove(group)


def _has_entries(column, value) -> bool:
    return db.session.scalar(select(Submission.id).where(column == value).limit(1)) is not None


def create_competition(*, actor, genres: list[dict], groups: list[dict] | None = None, **fields) -> Competition:
    fields["code"] = (fields.get("code") or "").strip().upper()
    if db.session.scalar(select(Competition.id).where(Competition.code == fields["code"])):
        raise UserError(N_("The code %(code)s is already used by another competition."), code=fields["code"])
    _check_competition_fields(fields)
    fields["notice_html"] = sanitise_notice(fields.get("notice_html", ""))
    comp = Competition(
        status=CompetitionStatus.DRAFT,
        created_by_id=getattr(actor, "id", None),
        **{k: v for k, v in fields.items() if k in COMPETITION_FIELDS},
    )
    db.session.add(comp)
    _apply_genres(comp, genres)
    _apply_groups(comp, groups or [])
    db.session.flush()
    db.session.add(SubmissionCounter(competition_id=comp.id, last_serial=0))
    db.session.flush()
    audit.record(
        "competition.create", comp, actor=actor, changes={k: [None, v] for k, v in _competition_snapshot(comp).items()}
    )
    return comp


def update_competition(
    comp: Competition, *, actor, genres: list[dict] | None = None, groups: list[dict] | None = None, **fields
) -> Competition:
    if comp.status not in EDITABLE_STATES:
        raise UserError(N_("A competition in judging or later can no longer be changed."))
    before = _competition_snapshot(comp)
    if "code" in fields:
        fields["code"] = fields["code"].strip().upper()
        if fields["code"] != comp.code and _has_entries(Submission.competition_id, comp.id):
            raise UserError(N_("The code cannot change once entries have receipt numbers."))
        clash = db.session.scalar(
            select(Competition.id).where(Competition.code == fields["code"], Competition.id != comp.id)
        )
        if clash:
            raise UserError(N_("The code %(code)s is already used by another competition."), code=fields["code"])
    merged = {**{k: getattr(comp, k) for k in COMPETITION_FIELDS}, **fields}
    _check_competition_fields(merged)
    if "notice_html" in fields:
        fields["notice_html"] = sanitise_notice(fields["notice_html"])
    for key, value in fields.items():
        if key in COMPETITION_FIELDS:
            setattr(comp, key, value)
    if genres is not None:
        _apply_genres(comp, genres)
    if groups is not None:
        _apply_groups(comp, groups)
    db.session.flush()
    changes = audit.diff(before, _competition_snapshot(comp))
    if changes:
        audit.record("competition.update", comp, actor=actor, changes=changes)
    return comp


def change_status(comp: Competition, new_status: CompetitionStatus | str, *, actor) -> None:
    new_status = CompetitionStatus(new_status)
    if new_status not in TRANSITIONS[comp.status]:
        raise UserError(
            N_("A competition cannot move from %(old)s to %(new)s."), old=comp.status.value, new=new_status.value
        )
    if new_status == CompetitionStatus.OPEN and not comp.genres:
        raise UserError(N_("A competition needs at least one genre."))
    old = comp.status
    comp.status = new_status
    audit.record("competition.status", comp, actor=actor, changes={"status": [old, new_status]})


def visible_competitions_for_authors() -> list[Competition]:
    return list(
        db.session.scalars(
            select(Competition).where(Competition.status == CompetitionStatus.OPEN).order_by(Competition.closes_at)
        )
    )


def submission_refusal(comp: Competition, now: dt.datetime, *, author=None, recommending_unit=None) -> UserError | None:
    """Why a new entry would be refused right now (closed call, entry limit, unit quota), or None.

    The submit pages say it before the form, so nobody writes an entry only to be
    refused; ``submit_entry`` still checks the same rules when the entry arrives.
    """
    if comp.status != CompetitionStatus.OPEN or now < comp.opens_at:
        return UserError(N_("This competition is not accepting entries."))
    if now > comp.deadline:
        from core.i18n import format_dt

        return UserError(
            N_("The deadline (%(deadline)s) has passed; this competition no longer accepts entries."),
            deadline=format_dt(comp.deadline),
        )
    limit = comp.max_entries_per_author or 0
    if (
        author is not None
        and limit
        and _count_active(Submission.competition_id == comp.id, Submission.author_id == author.id) >= limit
    ):
        return UserError(N_("You have reached the limit of %(limit)s entries for this competition."), limit=limit)
    if recommending_unit is not None:
        quota = comp.unit_quota or 0
        if (
            quota
            and _count_active(
                Submission.competition_id == comp.id, Submission.recommending_unit_id == recommending_unit.id
            )
            >= quota
        ):
            return UserError(N_("Your unit has used its quota of %(quota)s recommended entries."), quota=quota)
    return None


# Entries ---------------------------------------------------------------------


@dataclass
class Upload:
    filename: str
    data: bytes
    content_type: str = "application/octet-stream"


@dataclass(frozen=True)
class SubmissionDraft:
    """What is being submitted: the submission form's fields, whoever sends them.

    ``entry`` is the draft or submitted entry being changed (None for a new
    one); ``recommending_unit`` the unit recommending it; ``received_at`` the
    moment the server received the request (see ``_effective_moment``).
    """

    competition: Competition
    author: object
    token: str | None
    title: str
    genre_id: int | None
    group_id: int | None
    body_text: str | None = None
    upload: Upload | None = None
    pledge: bool = False
    entry: Submission | None = None
    recommending_unit: object = None
    received_at: dt.datetime | None = None


@dataclass
class SubmitResult:
    entry: Submission
    duplicate: bool = False  # the same form was sent again: nothing new was created


def new_form_token() -> str:
    """One-time token put into each rendered submission form."""
    return secrets.token_urlsafe(24)


def _lock_competition(comp: Competition) -> SubmissionCounter:
    """Serialise submissions to one competition (row lock on PostgreSQL).

    On SQLite the write transaction already holds the database lock
    (BEGIN IMMEDIATE), so the clock read after this is inside it too.
    """
    counter = db.session.scalar(
        select(SubmissionCounter).where(SubmissionCounter.competition_id == comp.id).with_for_update()
    )
    if counter is None:
        counter = SubmissionCounter(competition_id=comp.id, last_serial=0)
        db.session.add(counter)
        db.session.flush()
    return counter


# How late a request may be saved and still count as received at its arrival.
# Beyond this the server is not queueing but stalled (or a body is being
# trickled in to keep a deadline open), and the saving moment counts instead.
RECEIVED_AT_TOLERANCE = dt.timedelta(minutes=5)


def _effective_moment(received_at: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    """The moment the deadline is judged at: when the server received the request.

    A request that reached the server before the deadline is not refused
    because the queue of other authors' requests made it wait; ``now`` (the
    clock inside the saving transaction) is used when no arrival time is
    given, when it lies in the future, or when it is older than the tolerance.
    """
    if received_at is None or received_at > now or now - received_at > RECEIVED_AT_TOLERANCE:
        return now
    return received_at


def _check_deadline(comp: Competition, now: dt.datetime) -> None:
    _check_window(comp.status, comp.opens_at, comp.deadline, now)


def _check_window(status, opens_at: dt.datetime, deadline: dt.datetime, now: dt.datetime) -> None:
    if status != CompetitionStatus.OPEN or now < opens_at:
        raise UserError(N_("This competition is not accepting entries."))
    if now > deadline:
        from core.i18n import format_dt

        raise DeadlinePassed(
            N_("The deadline (%(deadline)s) has passed. Your entry was NOT submitted; your draft has been kept."),
            deadline=format_dt(deadline),
        )


class DeadlinePassed(UserError):
    pass


def _entry_by_token(token: str | None, fresh: bool = False) -> Submission | None:
    if not token:
        return None
    stmt = select(Submission).where(Submission.submission_token == token)
    if fresh:
        stmt = stmt.execution_options(populate_existing=True)
    return db.session.scalar(stmt)


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise UserError(N_("Please enter a title."))
    if len(title) > 200:
        raise UserError(N_("The title is longer than %(limit)s characters."), limit=200)
    return title


def _identity_needles(author, unit=None) -> list[str]:
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
class _Identity:
    spans: list[dict]
    judge_title: str
    judge_text: str
    flagged: bool


def _find_identity(title: str, text: str, needles: list[str]) -> _Identity:
    spans = anonymise.find_identity(text, needles)
    title_spans = anonymise.find_identity(title, needles)
    return _Identity(
        spans=[{"start": s, "end": e, "text": text[s:e], "redacted": True} for s, e in spans],
        judge_title=anonymise.redact(title, title_spans),
        judge_text=anonymise.redact(text, spans),
        flagged=bool(spans or title_spans),
    )


def _count_active(*conditions) -> int:
    return (
        db.session.scalar(select(func.count(Submission.id)).where(Submission.status.in_(ACTIVE_STATUSES), *conditions))
        or 0
    )


# Submitting ----------------------------------------------------------------------
#
# A submission runs in three steps so that the write transaction (which on
# SQLite holds the database lock, and on PostgreSQL the competition's counter
# row) contains only the checks that must see committed state and the inserts:
#
# 1. ``submission_context``: plain data read from the database (settings,
#    genres, the author's details to hide from judges);
# 2. ``prepare_entry``: pure work on that data: pledge, title, genre, text
#    extraction, document scrubbing, counting, identity search;
# 3. ``submit_entry``: writes the files (fsynced, deleted again if the
#    transaction rolls back), then locks the competition, reads the deadline and
#    the form token again, checks the quota and inserts.
#
# A route ends the reading transaction between 1 and 2 and commits after 3.


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
        needles=tuple(_identity_needles(author, recommending_unit)),
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
    identity: _Identity


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


def _new_anonymous_code(competition_id: int) -> str:
    """A random code unused in the competition: one indexed look-up per try, not a read of all codes."""
    while True:
        code = anonymise.new_anonymous_code(set())
        taken = db.session.scalar(
            select(Submission.id)
            .where(Submission.competition_id == competition_id, Submission.anonymous_code == code)
            .limit(1)
        )
        if taken is None:
            return code


def submit_entry(
    draft: SubmissionDraft,
    *,
    actor,
    manuscript: manuscripts.Manuscript | None = None,
    prepared: PreparedEntry | None = None,
) -> SubmitResult:
    """Submit a new entry, a saved draft, or changes to a submitted entry.

    Sending the same form twice returns the entry the first request created.
    ``prepared`` (from ``prepare_entry``) or ``manuscript`` may be made
    beforehand, outside the transaction. The deadline is judged at
    ``draft.received_at``, the moment the server received the request (see
    ``_effective_moment``), against the deadline read inside the saving
    transaction; without it, at the clock inside that transaction.
    """
    competition, author, token, entry = draft.competition, draft.author, draft.token, draft.entry
    recommending_unit, received_at = draft.recommending_unit, draft.received_at
    if prepared is None:
        existing = _entry_by_token(token) if entry is None else None
        if existing is not None:
            if existing.author_id != author.id:
                raise UserError(N_("This form has already been used. Please reload the page."))
            if existing.status != SubmissionStatus.DRAFT:
                return SubmitResult(existing, duplicate=True)
            entry = existing
        _check_editable(entry)
        prepared = prepare_entry(
            submission_context(competition, author, recommending_unit),
            title=draft.title,
            genre_id=draft.genre_id,
            group_id=draft.group_id,
            body_text=draft.body_text,
            upload=draft.upload,
            pledge=draft.pledge,
            manuscript=manuscript,
        )
    else:
        _check_editable(entry)
    # Files first: fsync is slow and needs no lock. A refused or failed
    # submission rolls back, and the rollback deletes them.
    judge_file, original_file = _store_files(prepared, actor)
    competition_id, author_id = competition.id, author.id

    # populate_existing: a counter loaded by an earlier transaction of this session must not be reused.
    counter = db.session.scalar(
        select(SubmissionCounter)
        .where(SubmissionCounter.competition_id == competition_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if counter is None:
        counter = _lock_competition(competition)
    now = utcnow()  # after the lock: the server clock inside the saving transaction
    # The settings as they stand now (an organiser may just have extended the deadline).
    settings = db.session.execute(
        select(
            Competition.status,
            Competition.opens_at,
            Competition.closes_at,
            Competition.grace_minutes,
            Competition.code,
            Competition.max_entries_per_author,
            Competition.unit_recommendation_enabled,
            Competition.unit_quota,
        ).where(Competition.id == competition_id)
    ).one()
    # A resend that waited for the lock finds the entry the first request made.
    again = (
        _entry_by_token(token, fresh=True)
        if token and (entry is None or entry.status == SubmissionStatus.DRAFT)
        else None
    )
    if again is not None:
        if again.author_id != author_id:
            raise UserError(N_("This form has already been used. Please reload the page."))
        if again.status != SubmissionStatus.DRAFT:
            return SubmitResult(again, duplicate=True)
        entry = again  # the draft an autosave created meanwhile
    moment = _effective_moment(received_at, now)
    _check_window(
        settings.status,
        settings.opens_at,
        settings.closes_at + dt.timedelta(minutes=settings.grace_minutes or 0),
        moment,
    )

    is_new = entry is None or entry.status == SubmissionStatus.DRAFT
    if is_new:
        limit = settings.max_entries_per_author or 0
        if (
            limit
            and _count_active(Submission.competition_id == competition_id, Submission.author_id == author_id) >= limit
        ):
            raise UserError(N_("You have reached the limit of %(limit)s entries for this competition."), limit=limit)
        if recommending_unit is not None:
            if not settings.unit_recommendation_enabled:
                raise UserError(N_("This competition does not accept entries recommended by units."))
            quota = settings.unit_quota or 0
            used = _count_active(
                Submission.competition_id == competition_id, Submission.recommending_unit_id == recommending_unit.id
            )
            if quota and used >= quota:
                raise UserError(N_("Your unit has used its quota of %(quota)s recommended entries."), quota=quota)
    before = _entry_snapshot(entry) if entry is not None and not is_new else None
    if entry is not None and not is_new:
        # Frozen meanwhile (a round opened while this edit was being prepared).
        check_not_frozen(
            db.session.scalar(
                select(Submission).where(Submission.id == entry.id).execution_options(populate_existing=True)
            )
        )
    fingerprint = _content_fingerprint(entry) if entry is not None and not is_new else None
    if entry is None:
        entry = Submission(competition_id=competition_id, author_id=author_id, submission_token=token)
        db.session.add(entry)
    manuscript = prepared.manuscript
    entry.title, entry.genre_id, entry.group_id = prepared.title, prepared.genre.id, prepared.group_id
    entry.body_text = manuscript.text
    entry.word_count, entry.han_count = prepared.word_count, prepared.han_count
    entry.source_format = manuscript.format
    entry.pledge_accepted = True
    entry.submitted_by_id = getattr(actor, "id", None)
    identity = prepared.identity
    entry.identity_spans, entry.judge_title = identity.spans, identity.judge_title
    entry.judge_text, entry.identity_flagged = identity.judge_text, identity.flagged
    entry.identity_reviewed = False
    entry.original_file = original_file
    entry.original_name = manuscript.filename if original_file is not None else ""
    entry.judge_file = judge_file
    if entry.id is not None:  # a draft or an edit: its loaded genre/group may be the old ones
        db.session.expire(entry, ["genre", "group"])
    if is_new:
        entry.unit_id = author.unit_id
        entry.recommending_unit_id = getattr(recommending_unit, "id", None)
        counter.last_serial += 1
        entry.serial = counter.last_serial
        entry.receipt_number = f"{settings.code}-{entry.serial:04d}"
        entry.anonymous_code = _new_anonymous_code(competition_id)
        entry.submitted_at = moment
        entry.status = SubmissionStatus.SUBMITTED
        db.session.flush()
        audit.record(
            "essay.submit",
            entry,
            actor=actor,
            changes={
                "receipt_number": [None, entry.receipt_number],
                "genre": [None, prepared.genre.name],
                "words": [None, prepared.count],
                "recommended_by": [None, getattr(recommending_unit, "name", None)],
                "received_at": [None, moment],
            },
        )
    else:
        if _content_fingerprint(entry) != fingerprint:
            entry.version = (entry.version or 1) + 1
        # A changed entry goes back to review.
        entry.status = SubmissionStatus.SUBMITTED
        entry.disqualify_reason = None
        entry.submitted_at = moment
        db.session.flush()
        audit.record("essay.edit", entry, actor=actor, changes=audit.diff(before, _entry_snapshot(entry)))
    return SubmitResult(entry)


class FileTooLarge(UserError):
    pass


def refusal_status(exc: UserError) -> int:
    """413 for a file over the call's limit, 409 when the entry's or the call's state refuses, else 422."""
    if isinstance(exc, FileTooLarge):
        return 413
    return 409 if isinstance(exc, (DeadlinePassed, EntryFrozen)) else 422


@dataclass(frozen=True)
class SubmitOutcome:
    """What a page needs after ``submit``, read before any commit ends the transaction.

    ``entry`` and ``prepared`` are set when something was saved (not for a resend).
    """

    entry_id: int
    receipt_number: str | None
    duplicate: bool
    entry: Submission | None = None
    prepared: PreparedEntry | None = None


def submit(draft: SubmissionDraft, *, actor) -> SubmitOutcome:
    """Submit from a form in three steps, holding no transaction during the slow middle one.

    1. Read: a resend of a submitted form returns its entry at once (no file
       work); an entry that may not change, or a deadline passed as it stood a
       moment ago, is refused before the slow preparation.
    2. Prepare outside any transaction (``prepare_entry``: parse the file,
       count, look for identity).
    3. Save in one short transaction (``submit_entry``), flushed, not
       committed. A resend that raced the first request is rolled back and
       answered with the first request's entry.

    Raises ``UserError`` (see ``refusal_status`` for the HTTP status of each).
    """
    comp, upload, token = draft.competition, draft.upload, draft.token
    if upload is not None and len(upload.data) > comp.max_file_mb * 1024 * 1024:
        raise FileTooLarge(
            N_("The file is larger than the limit of %(limit)s MB for this competition."), limit=comp.max_file_mb
        )
    already = _entry_by_token(token) if token and draft.entry is None else None
    if already is not None and already.author_id == draft.author.id and already.status != SubmissionStatus.DRAFT:
        outcome = SubmitOutcome(already.id, already.receipt_number, True)
        end_read_transaction(db.session())
        return outcome
    _check_editable(draft.entry)
    _check_deadline(comp, _effective_moment(draft.received_at, utcnow()))
    context = submission_context(comp, draft.author, draft.recommending_unit)
    end_read_transaction(db.session())
    prepared = prepare_entry(
        context,
        title=draft.title,
        genre_id=draft.genre_id,
        group_id=draft.group_id,
        body_text=draft.body_text,
        upload=upload,
        pledge=draft.pledge,
    )
    try:
        result = submit_entry(draft, actor=actor, prepared=prepared)
    except IntegrityError:
        # A resend raced the first request past the lock (PostgreSQL): show its entry.
        db.session.rollback()
        again = _entry_by_token(token)
        if again is None or again.status == SubmissionStatus.DRAFT:
            raise
        return SubmitOutcome(again.id, again.receipt_number, True)
    entry = result.entry
    if result.duplicate:
        outcome = SubmitOutcome(entry.id, entry.receipt_number, True)
        db.session.rollback()
        return outcome
    return SubmitOutcome(entry.id, entry.receipt_number, False, entry=entry, prepared=prepared)


# The freeze ----------------------------------------------------------------------
#
# Judges' scores must refer to the text they read, so an entry stops changing
# the moment it enters an opened judging round (``freeze_entries``, called by
# judging) or, if the competition says so, once it is qualified. The author's
# edit, file replacement, draft autosave and withdrawal all ask
# ``check_not_frozen``; the organiser's redaction does not (it changes only the
# judges' copy, and every score records the judge text it was given).

FROZEN_MESSAGE = N_("This entry is in judging and can no longer be changed.")
FROZEN_WITHDRAW_MESSAGE = N_(
    "This entry is in judging and cannot be withdrawn. If it really must be withdrawn, "
    "please contact the organiser of the competition."
)


def frozen_reason(entry: Submission | None) -> str | None:
    """Why the author may no longer change the entry (an untranslated message), or None."""
    if entry is None:
        return None
    if entry.frozen_at is not None:
        return FROZEN_MESSAGE
    if entry.status == SubmissionStatus.QUALIFIED and entry.competition.freeze_when_qualified:
        return FROZEN_MESSAGE
    return None


def check_not_frozen(entry: Submission | None, *, withdraw: bool = False) -> None:
    if frozen_reason(entry) is not None:
        raise EntryFrozen(FROZEN_WITHDRAW_MESSAGE if withdraw else FROZEN_MESSAGE)


class EntryFrozen(UserError):
    pass


def freeze_entries(entry_ids, *, actor, cause=None) -> int:
    """Freeze the given entries (those not frozen yet); returns how many were newly frozen.

    ``cause`` (e.g. the judging round that opened) names the audit entry.
    """
    ids = sorted(set(entry_ids))
    if not ids:
        return 0
    now = utcnow()
    frozen = 0
    for start in range(0, len(ids), 900):
        result = db.session.execute(
            Submission.__table__.update()
            .where(Submission.id.in_(ids[start : start + 900]), Submission.frozen_at.is_(None))
            .values(frozen_at=now)
        )
        frozen += result.rowcount or 0
    wanted = set(ids)
    for obj in list(db.session.identity_map.values()):  # loaded entries must see the new value
        if isinstance(obj, Submission) and obj.id in wanted:
            db.session.expire(obj, ["frozen_at"])
    if frozen:
        audit.record("essay.freeze", cause, actor=actor, changes={"frozen_entries": [None, frozen]})
    return frozen


def _content_fingerprint(entry: Submission) -> tuple:
    """What the author controls and judges read: changes to it bump the version."""
    file_sha = entry.original_file.sha256 if entry.original_file is not None else None
    return (entry.title, entry.body_text, entry.source_format, file_sha)


def _check_editable(entry: Submission | None) -> None:
    if entry is not None and entry.status == SubmissionStatus.WITHDRAWN:
        raise UserError(N_("A withdrawn entry cannot be changed."))
    check_not_frozen(entry)
    if entry is not None and entry.status not in (
        SubmissionStatus.DRAFT,
        SubmissionStatus.SUBMITTED,
        SubmissionStatus.QUALIFIED,
        SubmissionStatus.DISQUALIFIED,
    ):
        raise UserError(N_("This entry can no longer be changed."))


def _store_files(prepared: PreparedEntry, actor):
    """The judge copy (scrubbed, generated name) and, for uploads, the private original."""
    manuscript = prepared.manuscript
    original = None
    if manuscript.format != "text":
        original = manuscripts.store_original(manuscript, actor)
    judge = manuscripts.store_judge_copy_of(
        prepared.identity.judge_title, prepared.identity.judge_text, prepared.identity.spans, manuscript, actor
    )
    return judge, original


def _entry_snapshot(entry: Submission) -> dict:
    return {
        "title": entry.title,
        "genre_id": entry.genre_id,
        "group_id": entry.group_id,
        "word_count": entry.word_count,
        "status": entry.status,
        "format": entry.source_format,
        "original_name": entry.original_name,
        "version": entry.version,
    }


def save_draft(
    *,
    competition: Competition,
    author,
    token: str | None,
    title: str = "",
    genre_id: int | None = None,
    group_id: int | None = None,
    body_text: str = "",
    entry: Submission | None = None,
) -> Submission:
    """Autosave typed text. Refused after the deadline (the saved draft is kept)."""
    if entry is None:
        entry = _entry_by_token(token)
        if entry is not None and entry.author_id != author.id:
            raise UserError(N_("This form has already been used. Please reload the page."))
    if entry is not None and entry.status != SubmissionStatus.DRAFT:
        check_not_frozen(entry)
        return entry  # already submitted: the page is told, nothing changes
    _check_deadline(competition, utcnow())
    if len(body_text or "") > manuscripts.MAX_TEXT_CHARS:
        raise UserError(N_("The text is too long."))
    created = entry is None
    if entry is None:
        entry = Submission(
            competition_id=competition.id,
            author_id=author.id,
            submission_token=token,
            submitted_by_id=author.id,
            status=SubmissionStatus.DRAFT,
        )
        db.session.add(entry)
    entry.title = " ".join((title or "").split())[:200]
    entry.genre_id = genre_id if any(g.id == genre_id for g in competition.genres) else None
    entry.group_id = group_id if any(g.id == group_id for g in competition.groups) else None
    entry.body_text = body_text or ""
    entry.word_count = wordcount.count_words(entry.body_text)
    entry.han_count = wordcount.count_han(entry.body_text)
    db.session.flush()
    if created:  # later autosaves of the same draft are not audited; the submission is
        audit.record("essay.draft_create", entry, actor=author, label=entry.title)
    return entry


def withdraw_entry(entry: Submission, *, actor) -> None:
    if entry.status not in (
        SubmissionStatus.SUBMITTED,
        SubmissionStatus.QUALIFIED,
        SubmissionStatus.DISQUALIFIED,
        SubmissionStatus.DRAFT,
    ):
        raise UserError(N_("This entry cannot be withdrawn."))
    check_not_frozen(entry, withdraw=True)
    _lock_competition(entry.competition)
    if entry.status != SubmissionStatus.DRAFT:
        _check_deadline(entry.competition, utcnow())
    old = entry.status
    if old == SubmissionStatus.DRAFT:
        db.session.delete(entry)
        audit.record(
            "essay.draft_delete", actor=actor, object_type="submissions", object_id=entry.id, label=entry.title
        )
        return
    entry.status = SubmissionStatus.WITHDRAWN
    audit.record("essay.withdraw", entry, actor=actor, changes={"status": [old, entry.status]})


# Qualification review ----------------------------------------------------------


def review_entry(entry: Submission, qualified: bool, reason: str = "", *, actor) -> None:
    if entry.competition.status not in REVIEW_STATES:
        raise UserError(N_("Qualification review is only possible while the competition is open or closed."))
    if entry.status not in (SubmissionStatus.SUBMITTED, SubmissionStatus.QUALIFIED, SubmissionStatus.DISQUALIFIED):
        raise UserError(N_("Only submitted entries can be reviewed."))
    reason = (reason or "").strip()
    if not qualified and not reason:
        raise UserError(N_("Please give the reason for disqualification; the author will see it."))
    old = entry.status
    entry.status = SubmissionStatus.QUALIFIED if qualified else SubmissionStatus.DISQUALIFIED
    entry.disqualify_reason = None if qualified else reason[:2000]
    entry.reviewed_at = utcnow()
    audit.record(
        "essay.qualify" if qualified else "essay.disqualify",
        entry,
        actor=actor,
        changes={"status": [old, entry.status], "reason": [None, entry.disqualify_reason]},
    )


def review_entries(entries: list[Submission], qualified: bool, reason: str = "", *, actor) -> int:
    for entry in entries:
        review_entry(entry, qualified, reason, actor=actor)
    return len(entries)


def redact_identity(
    entry: Submission, *, actor, keep: set[int] | None = None, extra_phrases: list[str] | None = None
) -> None:
    """Choose which identity spans are hidden from judges; add phrases to hide.

    ``keep`` lists indexes of found spans the organiser judged harmless. The
    author's text and original file are never changed.
    """
    spans = [dict(s) for s in entry.identity_spans or []]
    for index, span in enumerate(spans):
        span["redacted"] = index not in (keep or set())
    for phrase in extra_phrases or []:
        for start, end in anonymise.find_identity(entry.body_text, [phrase]):
            if not any(s["start"] == start and s["end"] == end for s in spans):
                spans.append({"start": start, "end": end, "text": entry.body_text[start:end], "redacted": True})
    spans.sort(key=lambda s: s["start"])
    entry.identity_spans = spans
    entry.judge_text = anonymise.redact(entry.body_text, [(s["start"], s["end"]) for s in spans if s["redacted"]])
    for phrase in extra_phrases or []:
        entry.judge_title = anonymise.redact(entry.judge_title, anonymise.find_identity(entry.judge_title, [phrase]))
    entry.identity_reviewed = True
    entry.identity_flagged = bool(spans)
    entry.judge_file = manuscripts.store_judge_copy(entry, None, actor, force_text=True)
    audit.record(
        "essay.redact",
        entry,
        actor=actor,
        changes={
            "redacted": [None, [s["text"] for s in spans if s["redacted"]]],
            "kept": [None, [s["text"] for s in spans if not s["redacted"]]],
        },
    )


def qualified_submissions(competition_id: int) -> list[Submission]:
    return list(
        db.session.scalars(
            select(Submission)
            .where(Submission.competition_id == competition_id, Submission.status == SubmissionStatus.QUALIFIED)
            .order_by(Submission.anonymous_code)
        )
    )


# Similarity --------------------------------------------------------------------


def upgrade_judge_copy(entry_id: int, expected_judge_file_id: int | None) -> bool:
    """Replace an entry's text judge copy by a .docx/.pdf built by allow-list.

    Skipped when the text has identity the judges must not read (the copy of
    the file is not redacted: judges keep the redacted text) or when the
    judge copy changed since the job was queued (an edit, a redaction). When
    the allow-list copy itself carries identity (an author's bio in a
    footnote, say), the organiser is told and judges keep the text.
    """
    from core.storage import read_file, store_bytes

    entry = db.session.get(Submission, entry_id)
    if entry is None or entry.judge_file_id != expected_judge_file_id or entry.original_file is None:
        return False
    if entry.source_format not in ("docx", "pdf") or any(s.get("redacted") for s in entry.identity_spans or []):
        return False
    needles = _identity_needles(entry.author, entry.recommending_unit)
    copy = manuscripts.judge_copy_for(entry.source_format, read_file(entry.original_file), needles)
    if copy.found:
        entry.identity_flagged, entry.identity_reviewed = True, False
        audit.record(
            "essay.identity_in_file",
            entry,
            actor=None,
            label=entry.receipt_number,
            changes={"found": [None, list(copy.found)]},
        )
        return False
    if copy.data is None:
        return False
    stored = store_bytes(
        copy.data, content_type=manuscripts.CONTENT_TYPES[entry.source_format], suffix="." + entry.source_format
    )
    db.session.flush()
    old = entry.judge_file_id
    entry.judge_file_id = stored.id
    audit.record(
        "essay.judge_copy", entry, actor=None, label=entry.receipt_number, changes={"judge_file_id": [old, stored.id]}
    )
    return True


def detect_similarity(competition_id: int) -> list[SimilarityFlag]:
    """Compare all entries of the competition with each other and with earlier ones."""
    from essays import similarity

    comp = db.session.get(Competition, competition_id)
    rows = db.session.execute(
        select(Submission.id, Submission.body_text).where(
            Submission.competition_id == competition_id, Submission.status.in_(ACTIVE_STATUSES)
        )
    ).all()
    earlier = db.session.execute(
        select(Submission.id, Submission.body_text)
        .join(Competition)
        .where(
            Submission.competition_id != competition_id,
            Submission.status.in_(ACTIVE_STATUSES),
            Competition.created_at < comp.created_at,
        )
    ).all()
    pairs = similarity.find_pairs(
        {r.id: r.body_text for r in rows},
        comp.review_threshold,
        comp.copy_threshold,
        against={r.id: r.body_text for r in earlier},
    )
    existing = {
        (f.submission_id, f.other_id): f
        for f in db.session.scalars(select(SimilarityFlag).where(SimilarityFlag.competition_id == competition_id))
    }
    found = []
    for pair in pairs:
        a, b = (pair.a, pair.b) if pair.against_earlier else (min(pair.a, pair.b), max(pair.a, pair.b))
        flag = existing.pop((a, b), None)
        if flag is None:
            flag = SimilarityFlag(competition_id=competition_id, submission_id=a, other_id=b)
            db.session.add(flag)
        flag.jaccard, flag.containment = round(pair.jaccard, 4), round(pair.containment, 4)
        flag.level, flag.against_earlier = pair.level, pair.against_earlier
        found.append(flag)
    for stale in existing.values():  # an entry was edited or withdrawn
        db.session.delete(stale)
    db.session.flush()
    return found


def resolve_flag(flag: SimilarityFlag, *, actor) -> None:
    flag.resolved = True
    audit.record(
        "essay.similarity_resolve",
        flag,
        actor=actor,
        label=f"{flag.submission_id}~{flag.other_id}",
        changes={"containment": [None, flag.containment]},
    )
