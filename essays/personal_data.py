"""What essays holds about a person, for their data download (``accounts.personal_data``):
their entries with texts, fields and uploaded files. Registered by the composition root."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from accounts.models import User
from accounts.personal_data import Section, iso
from core.exports import Table
from core.extensions import db
from core.storage import read_file
from essays.models import Submission


def _file_name(entry: Submission) -> str | None:
    if entry.original_file_id is None:
        return None
    return f"files/{entry.receipt_number or entry.id}-{entry.original_name or 'file'}"


def collect_entries(user: User) -> list[dict]:
    entries = db.session.scalars(select(Submission).where(Submission.author_id == user.id).order_by(Submission.id))
    return [
        {
            "activity": e.competition.title,
            "receipt_number": e.receipt_number,
            "title": e.title,
            "genre": e.genre.name if e.genre else None,
            "group": e.group.name if e.group else None,
            "status": e.status.value,
            "word_count": e.word_count,
            "submitted_at": iso(e.submitted_at),
            "text": e.body_text,
            "fields": dict(e.field_values or {}),
            "file": _file_name(e),
        }
        for e in entries
    ]


def entries_table(entries: list[dict]) -> Table:
    return Table(
        [_("Activity"), _("Receipt number"), _("Title"), _("Genre"), _("Group"), _("Status"), _("Words")],
        [
            (e["activity"], e["receipt_number"], e["title"], e["genre"], e["group"], e["status"], e["word_count"])
            for e in entries
        ],
        _("Entries"),
    )


def entry_files(user: User) -> list[tuple[str, bytes]]:
    """The files the person uploaded (the originals, never the judges' copies)."""
    entries = db.session.scalars(
        select(Submission).where(Submission.author_id == user.id, Submission.original_file_id.is_not(None))
    )
    return [(_file_name(e), read_file(e.original_file)) for e in entries]


ENTRIES = Section("entries", collect_entries, entries_table, entry_files)
