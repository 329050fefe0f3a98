"""The judges' .docx/.pdf copy, built in a background job after the receipt."""

from __future__ import annotations

from flask_babel import gettext as _

from core import audit
from core.extensions import db
from core.jobs import Job
from core.storage import read_file, store_bytes
from essays import manuscripts
from essays.models import Submission
from essays.preparation import PreparedEntry, identity_needles


def upgrade_judge_copy(entry_id: int, expected_judge_file_id: int | None) -> bool:
    """Replace an entry's text judge copy by a .docx/.pdf built by allow-list.

    Skipped when the text has identity the judges must not read (the copy of
    the file is not redacted: judges keep the redacted text) or when the
    judge copy changed since the job was queued (an edit, a redaction). When
    the allow-list copy itself carries identity (an author's bio in a
    footnote, say), the organiser is told and judges keep the text.
    """
    entry = db.session.get(Submission, entry_id)
    if entry is None or entry.judge_file_id != expected_judge_file_id or entry.original_file is None:
        return False
    if entry.source_format not in ("docx", "pdf") or any(s.get("redacted") for s in entry.identity_spans or []):
        return False
    needles = identity_needles(entry.author, entry.recommending_unit)
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


def queue_judge_copy(entry: Submission, prepared: PreparedEntry, user) -> Job | None:
    """The scrubbed .docx/.pdf judge copy, made after the receipt (see manuscripts.prepare)."""
    if prepared.manuscript.format not in ("docx", "pdf"):
        return None
    if any(s.get("redacted") for s in entry.identity_spans or []):
        return None  # identity in the text: judges read the redacted text
    job = Job(
        kind="essays.judge_copy",
        title=_("Judge copy of %(number)s", number=entry.receipt_number)[:200],
        params={"entry_id": entry.id, "judge_file_id": entry.judge_file_id},
        created_by_id=getattr(user, "id", None),
    )
    db.session.add(job)
    return job
