"""Submitting an entry: a new one, a saved draft, or changes to a submitted one.

A submission runs in three steps so that the write transaction (which on
SQLite holds the database lock, and on PostgreSQL the competition's counter
row) contains only the checks that must see committed state and the inserts:

1. ``preparation.submission_context``: plain data read from the database
   (settings, genres, the author's details to hide from judges);
2. ``preparation.prepare_entry``: pure work on that data: pledge, title,
   genre, text extraction, document scrubbing, counting, identity search;
3. ``submit_entry``: writes the files (fsynced, deleted again if the
   transaction rolls back) and builds the row, then begins the write
   transaction (``core.db.begin_write``), takes the next receipt serial (one
   ``UPDATE ... RETURNING``, the competition's lock), reads the deadline and
   the form token again, checks the quota and inserts each row once.

A resent form (a double click) is answered from four columns read by the
token index and never takes the write lock unless it raced the first request
into it.

``submit`` runs the three for a form, ending the reading transaction between
1 and 2; the request commits after 3.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core import audit
from core.db import begin_write, end_read_transaction, utcnow
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_
from essays import anonymise, entry_fields, manuscripts
from essays import submission_statements as statements
from essays.entry_rules import (
    DeadlinePassed,
    check_deadline,
    check_editable,
    check_window,
    effective_moment,
    lock_competition,
    unit_quota_refusal,
)
from essays.freeze import EntryFrozen, check_not_frozen
from essays.models import Competition, Submission, SubmissionStatus
from essays.notifications import tell_received
from essays.preparation import PreparedEntry, Upload, prepare_entry, submission_context
from essays.receipts import new_receipt_token


@dataclass(frozen=True)
class SubmissionDraft:
    """What is being submitted: the submission form's fields, whoever sends them.

    ``entry`` is the draft or submitted entry being changed (None for a new
    one); ``recommending_unit`` the unit recommending it; ``received_at`` the
    moment the server received the request (see ``effective_moment``).
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
    # What was typed into the activity's entry fields, by field key (None: leave the values as they are).
    field_values: dict | None = None
    # The page already asked ``resent_outcome`` about ``token`` (it was not this author's submitted form).
    token_checked: bool = False


@dataclass
class SubmitResult:
    entry: Submission
    duplicate: bool = False  # the same form was sent again: nothing new was created


def new_form_token() -> str:
    """One-time token put into each rendered submission form."""
    return secrets.token_urlsafe(24)


def _form_use(token: str | None):
    """How the form with this token was used: (id, author_id, status, receipt_number), or None.

    Four columns by the unique token index, always as committed now (no
    loaded row is reused, and no body, judge text or JSON is read).
    """
    if not token:
        return None
    return db.session.execute(statements.form_use(), {"token": token}).first()


def resent_outcome(token: str | None, author_id: int) -> SubmitOutcome | None:
    """The outcome of a form this author already submitted (a double click), else None.

    One read by the token index; answered before any form is built or file
    parsed. The reading transaction is ended for a resend.
    """
    use = _form_use(token)
    if use is None or use.author_id != author_id or use.status == SubmissionStatus.DRAFT:
        return None
    outcome = SubmitOutcome(use.id, use.receipt_number, True)
    end_read_transaction(db.session())
    return outcome


def _resent(use, author_id: int, *, fresh: bool = False) -> Submission | None:
    """The entry the form made (None if it made none), loaded whole; refused if another author's."""
    if use is None:
        return None
    if use.author_id != author_id:
        raise UserError(N_("This form has already been used. Please reload the page."))
    stmt = select(Submission).where(Submission.id == use.id)
    if fresh:
        stmt = stmt.execution_options(populate_existing=True)
    return db.session.scalar(stmt)


def _next_serial(competition: Competition) -> int:
    """Take the competition's next receipt serial: the first write, which serialises its submissions.

    One ``UPDATE ... RETURNING``: on PostgreSQL it locks the counter row until
    the transaction ends; on SQLite the transaction already holds the write lock.
    """
    serial = db.session.execute(
        statements.next_serial(),
        {"counter_of": competition.id},
        execution_options={"synchronize_session": False},
    ).scalar()
    if serial is None:  # a competition from before counters existed
        counter = lock_competition(competition)
        counter.last_serial += 1
        serial = counter.last_serial
    return serial


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
    ``effective_moment``), against the deadline read inside the saving
    transaction; without it, at the clock inside that transaction.

    The write transaction begins after the files are stored and the rows built
    (``begin_write``): what is read from then on is read under the lock.
    """
    competition, author, token, entry = draft.competition, draft.author, draft.token, draft.entry
    recommending_unit, received_at = draft.recommending_unit, draft.received_at
    field_values = _checked_field_values(draft)
    if prepared is None:
        use = _form_use(token) if entry is None else None
        if use is not None and use.status != SubmissionStatus.DRAFT:
            return SubmitResult(_resent(use, author.id), duplicate=True)
        entry = _resent(use, author.id) or entry
        check_editable(entry)
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
        check_editable(entry)
    competition_id, author_id = competition.id, author.id
    # Files first: fsync is slow and needs no lock. A refused or failed
    # submission rolls back, and the rollback deletes them.
    judge_file, original_file = _store_files(prepared, actor)
    # Built before the lock, added after it: one INSERT with every column.
    # The code is random among 800 million; the unique index refuses a clash
    # (``submit`` tries again).
    fresh = Submission(
        competition_id=competition_id,
        author_id=author_id,
        submission_token=token,
        anonymous_code=anonymise.new_anonymous_code(set()),
    )

    begin_write(db.session)
    serial = _next_serial(competition) if entry is None or entry.status == SubmissionStatus.DRAFT else None
    now = utcnow()  # under the lock: the server clock inside the saving transaction
    # One statement under the lock: the settings as they stand now (an organiser
    # may just have extended the deadline), how the form was used meanwhile (a
    # resend that waited for the lock finds the first request's entry) and the
    # author's active entries.
    checks_token = token if entry is None or entry.status == SubmissionStatus.DRAFT else None
    settings = _state_under_lock(competition_id, author_id, checks_token)
    if settings.use_id is not None:
        use = FormUse(settings.use_id, settings.use_author_id, settings.use_status, settings.use_receipt_number)
        if use.status != SubmissionStatus.DRAFT:
            return SubmitResult(_resent(use, author_id), duplicate=True)
        entry = _resent(use, author_id, fresh=True)  # the draft an autosave created meanwhile
    moment = effective_moment(received_at, now)
    check_window(
        settings.status,
        settings.opens_at,
        settings.closes_at + dt.timedelta(minutes=settings.grace_minutes or 0),
        moment,
    )

    is_new = entry is None or entry.status == SubmissionStatus.DRAFT
    if is_new:
        _check_quotas(settings, competition_id, author_id, recommending_unit)
    before = _entry_snapshot(entry) if entry is not None and not is_new else None
    if entry is not None and not is_new:
        # Frozen meanwhile (a round opened while this edit was being prepared).
        check_not_frozen(
            db.session.scalar(
                select(Submission)
                .where(Submission.id == entry.id)
                # Only the entry's row: PostgreSQL refuses FOR UPDATE on the nullable side of
                # the outer joins its eager-loaded relationships add.
                .with_for_update(of=Submission)
                .execution_options(populate_existing=True)
            )
        )
    fingerprint = _content_fingerprint(entry) if entry is not None and not is_new else None
    if entry is None:
        entry = fresh
    _fill(entry, prepared, actor, judge_file, original_file, field_values)
    if is_new:
        entry.unit_id = author.unit_id
        entry.recommending_unit_id = getattr(recommending_unit, "id", None)
        entry.serial = serial
        entry.receipt_number = f"{settings.code}-{serial:04d}"
        entry.receipt_token = new_receipt_token()
        entry.anonymous_code = entry.anonymous_code or fresh.anonymous_code
        entry.submitted_at = moment
        entry.status = SubmissionStatus.SUBMITTED
        if entry is fresh:
            db.session.add(entry)
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
        tell_received(entry)
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


@dataclass(frozen=True)
class FormUse:
    """How a form (by its token) was used: the entry it made and its state."""

    id: int
    author_id: int
    status: SubmissionStatus
    receipt_number: str | None


def _state_under_lock(competition_id: int, author_id: int, token: str | None):
    """The competition's settings, the entry made with ``token`` (``use_*``, None if none)
    and the author's active entries (``active``), in one statement."""
    params = {"competition_id": competition_id, "author_id": author_id, "token": token or None}
    return db.session.execute(statements.state_under_lock(), params).one()


def _check_quotas(settings, competition_id: int, author_id: int, recommending_unit) -> None:
    """The author's limit of entries and the recommending unit's quota (under the lock)."""
    limit = settings.max_entries_per_author or 0
    if limit and settings.active >= limit:
        if recommending_unit is not None:  # the coordinator is told as the unit, about the author
            raise UserError(
                N_("This author has reached the limit of %(limit)s entries for this competition."), limit=limit
            )
        raise UserError(N_("You have reached the limit of %(limit)s entries for this competition."), limit=limit)
    if recommending_unit is not None:
        if not settings.unit_recommendation_enabled:
            raise UserError(N_("This competition does not accept entries recommended by units."))
        refusal = unit_quota_refusal(competition_id, recommending_unit.id, settings.unit_quota)
        if refusal is not None:
            raise refusal


def _fill(entry: Submission, prepared: PreparedEntry, actor, judge_file, original_file, field_values) -> None:
    """Set what the form and its preparation give (no flush)."""
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
    if field_values is not None:
        entry.field_values = field_values
    if entry.id is not None:  # a draft or an edit: its loaded genre/group may be the old ones
        db.session.expire(entry, ["genre", "group"])


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
    if draft.entry is None and not draft.token_checked:
        already = resent_outcome(token, draft.author.id)
        if already is not None:
            return already
    check_editable(draft.entry)
    _checked_field_values(draft)  # refused before the slow preparation
    check_deadline(comp, effective_moment(draft.received_at, utcnow()))
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
    for attempt in range(2):
        try:
            result = submit_entry(draft, actor=actor, prepared=prepared)
            break
        except IntegrityError:
            # A resend raced the first request past the lock (PostgreSQL): show its entry.
            # Otherwise the random anonymous code clashed (one in millions): try once more.
            db.session.rollback()
            again = _form_use(token)
            if again is not None and again.status != SubmissionStatus.DRAFT:
                return SubmitOutcome(again.id, again.receipt_number, True)
            if attempt:
                raise
    entry = result.entry
    if result.duplicate:
        outcome = SubmitOutcome(entry.id, entry.receipt_number, True)
        db.session.rollback()
        return outcome
    return SubmitOutcome(entry.id, entry.receipt_number, False, entry=entry, prepared=prepared)


def _checked_field_values(draft: SubmissionDraft) -> dict | None:
    """The entry-field values of a submission, every required one filled in (UserError if not)."""
    if draft.field_values is None:
        return None
    return entry_fields.clean_values(draft.competition.entry_fields or [], draft.field_values, complete=True)


def _content_fingerprint(entry: Submission) -> tuple:
    """What the author controls and judges read: changes to it bump the version."""
    file_sha = entry.original_file.sha256 if entry.original_file is not None else None
    return (entry.title, entry.body_text, entry.source_format, file_sha)


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
        "field_values": entry.field_values or {},
    }
