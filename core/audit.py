"""Append-only audit log.

Every service that changes state calls :func:`record`. There is no update or
delete path: the ORM refuses to flush a changed or deleted audit entry.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import JSON, ForeignKey, String, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from core.db import UTCDateTime, utcnow
from core.extensions import db
from core.i18n import parse_local


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    actor_label: Mapped[str] = mapped_column(String(120), default="")
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(40), index=True)
    object_id: Mapped[str | None] = mapped_column(String(64))
    object_label: Mapped[str] = mapped_column(String(255), default="")
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    ip: Mapped[str | None] = mapped_column(String(64))

    actor = relationship("User", lazy="joined")


class AuditImmutableError(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session, flush_context, instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditImmutableError("audit entries are append-only")


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value changed, as ``{field: [old, new]}``."""
    out = {}
    for key in sorted(set(before) | set(after)):
        old, new = _plain(before.get(key)), _plain(after.get(key))
        if old != new:
            out[key] = [old, new]
    return out


# actor_label of entries made by someone not signed in (a failed sign-in).
SYSTEM = "system"
VISITOR = "visitor"


def record(
    action: str,
    obj: Any = None,
    *,
    actor: Any = None,
    changes: dict | None = None,
    object_type: str | None = None,
    object_id: Any = None,
    label: str | None = None,
    actor_label: str | None = None,
) -> AuditEntry:
    """Add an audit entry to the current session (the caller commits).

    Name every ``action`` and any new ``object_type`` or ``changes`` field in
    :mod:`core.audit_labels`, so the audit page shows words, not codes.
    """
    if actor is None:
        actor = _current_actor()
    ip = request.remote_addr if has_request_context() else None
    if obj is not None:
        if getattr(obj, "id", 1) is None:
            db.session.add(obj)
            db.session.flush()  # the entry names the object by its id
        object_type = object_type or getattr(obj, "__tablename__", type(obj).__name__)
        if object_id is None:
            object_id = getattr(obj, "id", None)
        if label is None:
            label = str(
                getattr(obj, "audit_label", None)
                or getattr(obj, "name", None)
                or getattr(obj, "title", None)
                or getattr(obj, "username", None)
                or ""
            )
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        actor_label=(actor_label or getattr(actor, "display_name", None) or SYSTEM)[:120],
        action=action,
        object_type=object_type or "system",
        object_id=None if object_id is None else str(object_id),
        object_label=(label or "")[:255],
        changes=_plain(changes or {}),
        ip=ip,
    )
    db.session.add(entry)
    return entry


def record_changes(action: str, obj: Any, before: dict, after: dict, *, actor: Any = None) -> dict:
    """Audit an update as ``{field: [old, new]}`` (see :func:`diff`), only if some field changed."""
    changes = diff(before, after)
    if changes:
        record(action, obj, actor=actor, changes=changes)
    return changes


def _current_actor():
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user._get_current_object()
    return None


def audit_query(args):
    """The audit entries that the log page's filters (or an export's) select, newest first."""
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc())
    if args.get("action"):
        stmt = stmt.where(AuditEntry.action.like(args["action"].strip() + "%"))
    if args.get("object_type"):
        stmt = stmt.where(AuditEntry.object_type == args["object_type"])
    if args.get("actor"):
        like = f"%{args['actor'].strip()}%"
        stmt = stmt.where(AuditEntry.actor_label.ilike(like))
    if args.get("q"):
        stmt = stmt.where(AuditEntry.object_label.ilike(f"%{args['q'].strip()}%"))
    for key, op in (("since", "ge"), ("until", "lt")):
        if args.get(key):
            try:
                day = dt.date.fromisoformat(args[key])
            except ValueError:
                continue
            moment = parse_local(dt.datetime.combine(day, dt.time()))
            if op == "lt":
                moment += dt.timedelta(days=1)
                stmt = stmt.where(AuditEntry.created_at < moment)
            else:
                stmt = stmt.where(AuditEntry.created_at >= moment)
    return stmt
