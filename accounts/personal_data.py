"""What the system holds about one person, as a ZIP: data.json, data.xlsx, their uploaded files
and the privacy notice. Only their own rows: never another person's data, never who judged.

Accounts collects what it holds (account, sign-ins, messages, consents). What a feature
holds about the person (essays: their entries, texts and files) is a ``Section`` the
composition root registers (``core.register_hooks``), so accounts imports no
feature package.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from accounts import privacy
from accounts.messages import Message
from accounts.models import Consent, User, UserSession
from core.exports import Table, table_bytes
from core.extensions import db


@dataclass(frozen=True)
class Section:
    """What one feature holds about a person."""

    key: str  # its key in data.json
    collect: Callable[[User], list[dict]]  # plain values, for data.json
    table: Callable[[list[dict]], Table]  # its sheet in data.xlsx
    files: Callable[[User], list[tuple[str, bytes]]]  # (name in the ZIP, content)


_SECTIONS: dict[str, Section] = {}


def register_section(section: Section) -> None:
    """Add (or replace) a feature's section; the composition root calls this."""
    _SECTIONS[section.key] = section


def sections() -> list[Section]:
    return list(_SECTIONS.values())


def iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def collect(user: User) -> dict:
    """The person's data as plain values (the JSON file of the download)."""
    sessions = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id))
    consents = db.session.scalars(select(Consent).where(Consent.user_id == user.id).order_by(Consent.id))
    messages = db.session.scalars(select(Message).where(Message.user_id == user.id).order_by(Message.id))
    data = {
        "account": {
            "username": user.username,
            "display_name": user.display_name,
            "phone": user.phone,
            "email": user.email,
            "unit": user.unit.name if user.unit else None,
            "workplace": user.workplace,
            "roles": sorted(r.value for r in user.roles),
            "created_at": iso(user.created_at),
            "last_login_at": iso(user.last_login_at),
        },
        "sessions": [
            {
                "created_at": iso(s.created_at),
                "last_seen_at": iso(s.last_seen_at),
                "ip": s.ip,
                "browser": s.user_agent,
                "signed_out_at": iso(s.revoked_at),
            }
            for s in sessions
        ],
    }
    for section in sections():
        data[section.key] = section.collect(user)
    data["messages"] = [
        {"sent_at": iso(m.created_at), "subject": m.subject, "body": m.body, "read_at": iso(m.read_at)}
        for m in messages
    ]
    data["consents"] = [
        {
            "kind": c.kind.value,
            "notice_version": c.notice_version,
            "given_at": iso(c.given_at),
            "guardian_name": c.guardian_name,
            "guardian_relation": c.guardian_relation,
        }
        for c in consents
    ]
    return data


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
        *(section.table(data[section.key]) for section in sections()),
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
        for section in sections():
            for name, content in section.files(user):
                z.writestr(name, content)
    return out.getvalue()
