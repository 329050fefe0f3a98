"""The author's drafts (autosaved typed text) and withdrawal of an entry."""

from __future__ import annotations

from core import audit
from core.db import utcnow
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_
from essays import entry_fields, manuscripts, wordcount
from essays.entry_rules import check_deadline, entry_by_token, lock_competition
from essays.freeze import check_not_frozen
from essays.models import Competition, Submission, SubmissionStatus


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
    field_values: dict | None = None,
) -> Submission:
    """Autosave typed text and entry fields. Refused after the deadline (the saved draft is kept).

    Entry fields are checked as on submission, except that required ones may still be empty.
    """
    if entry is None:
        entry = entry_by_token(token)
        if entry is not None and entry.author_id != author.id:
            raise UserError(N_("This form has already been used. Please reload the page."))
    if entry is not None and entry.status != SubmissionStatus.DRAFT:
        check_not_frozen(entry)
        return entry  # already submitted: the page is told, nothing changes
    check_deadline(competition, utcnow())
    if len(body_text or "") > manuscripts.MAX_TEXT_CHARS:
        raise UserError(N_("The text is too long."))
    values = None
    if field_values is not None:
        values = entry_fields.clean_values(competition.entry_fields or [], field_values, complete=False)
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
    if values is not None:
        entry.field_values = values
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
    lock_competition(entry.competition)
    if entry.status != SubmissionStatus.DRAFT:
        check_deadline(entry.competition, utcnow())
    old = entry.status
    if old == SubmissionStatus.DRAFT:
        db.session.delete(entry)
        audit.record(
            "essay.draft_delete", actor=actor, object_type="submissions", object_id=entry.id, label=entry.title
        )
        return
    entry.status = SubmissionStatus.WITHDRAWN
    audit.record("essay.withdraw", entry, actor=actor, changes={"status": [old, entry.status]})
