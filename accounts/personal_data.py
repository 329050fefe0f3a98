"""What the system holds about one person, as a ZIP: data.json, data.xlsx, their uploaded files
and the privacy notice. Only their own rows: never another person's data, never who judged."""

from __future__ import annotations

import io
import json
import zipfile

from flask_babel import gettext as _
from sqlalchemy import select

from accounts import privacy
from accounts.messages import Message
from accounts.models import Consent, User, UserSession
from core.exports import Table, table_bytes
from core.extensions import db
from core.storage import read_file
from essays.models import Submission


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def collect(user: User) -> dict:
    """The person's data as plain values (the JSON file of the download)."""
    sessions = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id))
    entries = db.session.scalars(select(Submission).where(Submission.author_id == user.id).order_by(Submission.id))
    consents = db.session.scalars(select(Consent).where(Consent.user_id == user.id).order_by(Consent.id))
    messages = db.session.scalars(select(Message).where(Message.user_id == user.id).order_by(Message.id))
    return {
        "account": {
            "username": user.username,
            "display_name": user.display_name,
            "phone": user.phone,
            "email": user.email,
            "unit": user.unit.name if user.unit else None,
            "workplace": user.workplace,
            "roles": sorted(r.value for r in user.roles),
            "created_at": _iso(user.created_at),
            "last_login_at": _iso(user.last_login_at),
        },
        "sessions": [
            {
                "created_at": _iso(s.created_at),
                "last_seen_at": _iso(s.last_seen_at),
                "ip": s.ip,
                "browser": s.user_agent,
                "signed_out_at": _iso(s.revoked_at),
            }
            for s in sessions
        ],
        "entries": [
            {
                "activity": e.competition.title,
                "receipt_number": e.receipt_number,
                "title": e.title,
                "genre": e.genre.name if e.genre else None,
                "group": e.group.name if e.group else None,
                "status": e.status.value,
                "word_count": e.word_count,
                "submitted_at": _iso(e.submitted_at),
                "text": e.body_text,
                "fields": dict(e.field_values or {}),
                "file": _file_name(e),
            }
            for e in entries
        ],
        "messages": [
            {"sent_at": _iso(m.created_at), "subject": m.subject, "body": m.body, "read_at": _iso(m.read_at)}
            for m in messages
        ],
        "consents": [
            {
                "kind": c.kind.value,
                "notice_version": c.notice_version,
                "given_at": _iso(c.given_at),
                "guardian_name": c.guardian_name,
                "guardian_relation": c.guardian_relation,
            }
            for c in consents
        ],
    }


def _file_name(entry: Submission) -> str | None:
    if entry.original_file_id is None:
        return None
    return f"files/{entry.receipt_number or entry.id}-{entry.original_name or 'file'}"


def _tables(data: dict) -> list[Table]:
    account = data["account"]
    return [
        Table(
            [_("Field"), _("Value")], [(k, str(v) if v is not None else "") for k, v in account.items()], _("Account")
        ),
        Table(
            [_("Signed in"), _("Last seen"), _("IP address"), _("Browser"), _("Signed out")],
            [tuple(s.values()) for s in data["sessions"]],
            _("Sessions"),
        ),
        Table(
            [_("Activity"), _("Receipt number"), _("Title"), _("Genre"), _("Group"), _("Status"), _("Words")],
            [
                (e["activity"], e["receipt_number"], e["title"], e["genre"], e["group"], e["status"], e["word_count"])
                for e in data["entries"]
            ],
            _("Entries"),
        ),
        Table(
            [_("Kind"), _("Notice version"), _("Given at"), _("Guardian"), _("Relation")],
            [tuple(c.values()) for c in data["consents"]],
            _("Consents"),
        ),
    ]


def build_zip(user: User) -> bytes:
    data = collect(user)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2))
        z.writestr("data.xlsx", table_bytes(_tables(data), "xlsx"))
        z.writestr("privacy-notice.txt", privacy.notice_text())
        for entry in db.session.scalars(
            select(Submission).where(Submission.author_id == user.id, Submission.original_file_id.is_not(None))
        ):
            z.writestr(_file_name(entry), read_file(entry.original_file))
    return out.getvalue()
