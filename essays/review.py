"""The organiser's qualification review and redaction of identity for judges."""

from __future__ import annotations

from sqlalchemy import select

from core import audit
from core.db import utcnow
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_
from essays import anonymise, manuscripts
from essays.models import CompetitionStatus, Submission, SubmissionStatus
from essays.notifications import tell_reviewed

REVIEW_STATES = {CompetitionStatus.OPEN, CompetitionStatus.CLOSED}


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
    if old != entry.status or not qualified:
        tell_reviewed(entry)


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
