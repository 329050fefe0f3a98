"""Erasing a person's account details: the part of a personal-data erasure that
accounts knows. The activity-specific part (which entries go, winners stay)
belongs to the package that knows winners (``judging.erasure``), which calls these.

What goes here: the account's name, sign-in name, phone, e-mail, workplace,
sign-in history, reset links and messages; the names are also blanked in the
labels and changes of the audit entries about the account. The audit entries
themselves stay (append-only). Erased records move to one disabled placeholder
account (``placeholder_author``).
"""

from __future__ import annotations

import json
import secrets

from sqlalchemy import or_, select, update

from accounts.messages import Message
from accounts.models import PasswordReset, Role, User, UserSession
from accounts.services import hash_password
from core.audit import AuditEntry
from core.extensions import db
from core.storage import get_storage

# ":" is not allowed in a user name people choose, so these never collide with one.
PLACEHOLDER_USERNAME = "erased:author"
ERASED = "［已删除］"


def placeholder_author() -> User:
    """The one disabled account erased records belong to."""
    user = db.session.scalar(select(User).where(User.username == PLACEHOLDER_USERNAME))
    if user is None:
        user = User(
            username=PLACEHOLDER_USERNAME,
            display_name=ERASED,
            password_hash=hash_password(secrets.token_urlsafe(32)),
            active=False,
        )
        db.session.add(user)
        db.session.flush()
    return user


def personal_strings(*values) -> list[str]:
    """The strings to blank: longest first, so a name inside a longer title is blanked with the title."""
    return sorted({v for v in values if v and len(v) >= 2}, key=len, reverse=True)


def blank(text: str, strings: list[str]) -> str:
    for s in strings:
        text = text.replace(s, ERASED)
    return text


def redact_audit(where, strings: list[str], *, forget_ip: bool) -> None:
    """Blank personal strings in the labels and changes of the audit entries ``where`` selects.

    The entries themselves stay (append-only): who did what, when, to which object.
    """
    rows = db.session.execute(
        select(AuditEntry.id, AuditEntry.actor_label, AuditEntry.object_label, AuditEntry.changes).where(where)
    ).all()
    for row in rows:
        changes = json.loads(blank(json.dumps(row.changes or {}, ensure_ascii=False), strings))
        values = {
            "actor_label": blank(row.actor_label or "", strings),
            "object_label": blank(row.object_label or "", strings),
            "changes": changes,
        }
        if forget_ip:
            values["ip"] = None
        db.session.execute(update(AuditEntry).where(AuditEntry.id == row.id).values(**values))


def may_erase_account(user: User) -> bool:
    """Only an author's own account is erased (never the placeholder, never someone with another role);
    the caller also checks that the person has nothing else in the system."""
    return user.username != PLACEHOLDER_USERNAME and not (user.roles - {Role.AUTHOR})


def erase_account(user: User, strings: list[str]) -> None:
    """Blank the account's details, end its sessions, drop its links and messages, redact its audit trail."""
    user.username = f"erased:{user.id}"
    user.display_name = ERASED
    user.phone = user.email = user.workplace = None
    user.active = False
    user.password_hash = hash_password(secrets.token_urlsafe(32))
    db.session.execute(UserSession.__table__.delete().where(UserSession.user_id == user.id))
    db.session.execute(PasswordReset.__table__.delete().where(PasswordReset.user_id == user.id))
    db.session.execute(Message.__table__.delete().where(Message.user_id == user.id))
    db.session.flush()
    about_user = or_(
        AuditEntry.actor_id == user.id,
        (AuditEntry.object_type == "users") & (AuditEntry.object_id == str(user.id)),
    )
    redact_audit(about_user, strings, forget_ip=True)


def delete_stored(keys: list[str]) -> None:
    """After the commit that dropped their records: the files themselves."""
    storage = get_storage()
    for key in keys:
        storage.delete(key)
