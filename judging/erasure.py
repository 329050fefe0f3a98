"""Erasing the personal data of an archived activity's entries that did not win.

Judging knows the winners, so the activity-specific part of the erasure lives here;
the account part is ``accounts.erasure``. The organiser sets how long the activity
keeps the data (``set_retention``); once that date has passed, the job
(``judging.jobs``) calls ``erase_entry`` for each entry without an award. What goes:
the entry's title, texts, file names and stored files, its link to the author (it
moves to one placeholder account), a guardian's name, and — when the author has
nothing else in the system — the author's account details and sign-in history.
The names are also blanked in the labels of audit entries about them. What stays:
the anonymous code, receipt number, word counts, unit, status, scores and every
audit entry. Winners stay whole: their results are public.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from accounts import erasure
from accounts.models import Consent, Retention, User
from core import audit
from core.audit import AuditEntry
from core.db import utcnow
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_
from core.jobs import Job, JobStatus
from core.storage import StoredFile
from essays.models import Competition, CompetitionStatus, Submission
from judging.models import Award


def retention_of(competition: Competition) -> Retention | None:
    return db.session.scalar(select(Retention).where(Retention.competition_id == competition.id))


def set_retention(competition: Competition, keep_until: dt.date, *, actor, today: dt.date) -> Retention:
    """Keep the non-winners' personal data until ``keep_until`` (an archived activity only)."""
    if competition.status != CompetitionStatus.ARCHIVED:
        raise UserError(N_("Only an archived activity has a retention period."))
    if keep_until < today:
        raise UserError(N_("The retention period cannot end in the past."))
    retention = retention_of(competition) or Retention(competition_id=competition.id)
    if retention.erased_at is not None:
        raise UserError(N_("The personal data of this activity has already been erased."))
    before = retention.keep_until
    retention.keep_until, retention.set_by_id, retention.set_at = keep_until, actor.id, utcnow()
    db.session.add(retention)
    audit.record("privacy.retention", competition, actor=actor, changes={"keep_until": [before, keep_until]})
    return retention


def check_erasable(competition: Competition, *, today: dt.date) -> Retention:
    """Refuse an erasure before the retention period has passed (or twice)."""
    retention = retention_of(competition)
    if competition.status != CompetitionStatus.ARCHIVED or retention is None:
        raise UserError(N_("Set a retention period for this archived activity first."))
    if retention.erased_at is not None:
        raise UserError(N_("The personal data of this activity has already been erased."))
    if today <= retention.keep_until:
        raise UserError(N_("The retention period has not passed yet."))
    running = select(Job).where(Job.kind == "privacy.erase", Job.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)))
    if any((job.params or {}).get("competition_id") == competition.id for job in db.session.scalars(running)):
        raise UserError(N_("The erasure is already under way."))
    return retention


def non_winner_ids(competition: Competition) -> list[int]:
    winners = select(Award.submission_id)
    return list(
        db.session.scalars(
            select(Submission.id)
            .where(Submission.competition_id == competition.id, Submission.id.not_in(winners))
            .order_by(Submission.id)
        )
    )


def _keeps_account(user: User) -> bool:
    """An account with other entries or with any role but author's is not erased."""
    if not erasure.may_erase_account(user):
        return True
    return db.session.scalar(select(Submission.id).where(Submission.author_id == user.id).limit(1)) is not None


def erase_entry(entry: Submission, placeholder: User) -> list[str]:
    """Erase one non-winning entry's personal data; returns storage keys to delete after commit."""
    author = entry.author
    consents = db.session.scalars(select(Consent).where(Consent.submission_id == entry.id)).all()
    strings = erasure.personal_strings(
        entry.title,
        entry.judge_title,
        entry.original_name,
        author.display_name,
        author.username,
        author.phone,
        author.email,
        author.workplace,
        *(c.guardian_name for c in consents),
        # the organiser's own entry fields (指导教师, 联系地址, co-authors …)
        *(str(v) for v in (entry.field_values or {}).values() if isinstance(v, str)),
    )
    keys = []
    for file_id in (entry.original_file_id, entry.judge_file_id):
        stored = db.session.get(StoredFile, file_id) if file_id else None
        if stored is not None:
            keys.append(stored.key)
            db.session.delete(stored)
    entry.original_file_id = entry.judge_file_id = None
    entry.title = entry.judge_title = entry.original_name = ""
    entry.body_text = entry.judge_text = ""
    entry.identity_spans, entry.disqualify_reason, entry.submission_token = [], None, None
    entry.field_values = None
    entry.author_id, entry.submitted_by_id = placeholder.id, None
    for consent in consents:
        consent.guardian_name, consent.user_id, consent.ip = None, placeholder.id, None
    db.session.flush()
    about_entry = (AuditEntry.object_type == "submissions") & (AuditEntry.object_id == str(entry.id))
    erasure.redact_audit(about_entry, strings, forget_ip=False)
    if not _keeps_account(author):
        erasure.erase_account(author, strings)
    return keys


def stale_exports(competition: Competition) -> list[str]:
    """Files finished jobs made from this activity (entry lists, packets): they carry names.

    Their records go now; the returned keys are deleted after the commit."""
    keys = []
    for job in db.session.scalars(select(Job).where(Job.result_file_id.is_not(None), Job.kind != "privacy.erase")):
        if (job.params or {}).get("competition_id") == competition.id:
            keys.append(job.result_file.key)
            stored, job.result_file_id = job.result_file, None
            db.session.delete(stored)
    return keys


def finish_erasure(competition: Competition, count: int, *, actor_id: int | None) -> None:
    retention = retention_of(competition)
    retention.erased_at, retention.erased_count = utcnow(), count
    actor = db.session.get(User, actor_id) if actor_id else None
    audit.record("privacy.erase", competition, actor=actor, changes={"erased_entries": [None, count]})
