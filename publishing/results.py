"""Result sets and their honours: import, correct, withdraw, publish, unpublish.

Every function here flushes and writes its audit entry; the caller commits.
Publishing is refused while the notice runs or an objection is open.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from core import audit
from core.db import utcnow
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_
from publishing import formats
from publishing.certificates import regenerate_certificate, revoke_certificate
from publishing.clock import today_local
from publishing.models import Honour, Ordering, RecipientKind, ResultSet, ResultState, SourceType
from publishing.notice import unresolved_objections
from publishing.notifications import tell_awarded


@dataclass
class HonourInput:
    level_code: str
    level_text: str
    recipient_name: str
    recipient_unit: str = ""
    work_title: str | None = None
    group_label: str = ""
    score: float | None = None
    rank: int | None = None
    user_id: int | None = None
    source_item_id: int | None = None
    recipient_kind: str = "person"


def import_honours(
    source_type: str,
    source_id: int,
    title: str,
    items: list[HonourInput],
    actor,
    *,
    organiser: str = "",
    ordering: str | None = None,
) -> ResultSet:
    """Create (or refill while still a draft) the result set of a finished round or programme."""
    source = SourceType(source_type)
    title = (title or "").strip()
    if not title:
        raise UserError(N_("The result set needs a title."))
    rs = db.session.scalar(select(ResultSet).where(ResultSet.source_type == source, ResultSet.source_id == source_id))
    if rs is not None and rs.state != ResultState.DRAFT:
        raise UserError(
            N_(
                "These results are already on public notice or published; "
                "unpublish them or ask the organiser before importing again."
            )
        )
    if rs is None:
        rs = ResultSet(
            source_type=source,
            source_id=source_id,
            title=title[:200],
            organiser=organiser[:200],
            created_by_id=getattr(actor, "id", None),
            ordering=Ordering(ordering) if ordering else Ordering.SCORE,
            state=ResultState.DRAFT,
        )
        db.session.add(rs)
        action = "results.import"
    else:
        rs.title = title[:200]
        if organiser:
            rs.organiser = organiser[:200]
        if ordering:
            rs.ordering = Ordering(ordering)
        rs.honours.clear()
        action = "results.reimport"
    for position, item in enumerate(items):
        name = (item.recipient_name or "").strip()
        level_text = (item.level_text or "").strip()
        if not name or not level_text:
            raise UserError(N_("Every honour needs a recipient and a level."))
        rs.honours.append(
            Honour(
                position=position,
                level_code=(item.level_code or "")[:20],
                level_text=level_text[:60],
                recipient_kind=RecipientKind(item.recipient_kind or "person"),
                recipient_name=name[:200],
                recipient_unit=(item.recipient_unit or "").strip()[:200],
                work_title=(item.work_title or "").strip()[:200] or None,
                group_label=(item.group_label or "").strip()[:60],
                score=item.score,
                rank=item.rank,
                user_id=item.user_id,
                source_item_id=item.source_item_id,
            )
        )
    db.session.flush()
    audit.record(action, rs, actor=actor, changes={"honours": len(items), "source": f"{source}:{source_id}"})
    return rs


def update_result_set(rs: ResultSet, actor, **fields) -> ResultSet:
    """Change title, organiser text, description or ordering."""
    allowed = {"title", "organiser", "description", "ordering"}
    before = {k: getattr(rs, k) for k in allowed}
    for key, value in fields.items():
        if key not in allowed:
            raise TypeError(key)
        setattr(rs, key, Ordering(value) if key == "ordering" else (value or "").strip())
    if not rs.title:
        raise UserError(N_("The result set needs a title."))
    changes = audit.diff(before, {k: getattr(rs, k) for k in allowed})
    if changes:
        audit.record("results.update", rs, actor=actor, changes=changes)
    db.session.flush()
    return rs


def correct_honour(honour: Honour, actor, **fields) -> Honour:
    """Fix a name, unit, title or level text (e.g. a typo found after publication)."""
    allowed = ("recipient_name", "recipient_unit", "work_title", "level_text", "group_label")
    before = {k: getattr(honour, k) for k in allowed}
    for key, value in fields.items():
        if key not in allowed:
            raise TypeError(key)
        value = (value or "").strip()
        setattr(honour, key, value or (None if key == "work_title" else ""))
    if not honour.recipient_name or not honour.level_text:
        raise UserError(N_("Every honour needs a recipient and a level."))
    changes = audit.diff(before, {k: getattr(honour, k) for k in allowed})
    if changes:
        audit.record("honour.correct", honour, actor=actor, changes=changes)
    db.session.flush()
    cert = honour.certificate
    if changes and cert is not None and not cert.revoked:
        # The stored copy is what the author downloads: left alone it would keep the typo.
        # Rendering now also refuses a correction the fonts cannot print, before it is saved.
        regenerate_certificate(cert, actor)
    return honour


def withdraw_honour(honour: Honour, reason: str, actor) -> Honour:
    reason = (reason or "").strip()
    if not reason:
        raise UserError(N_("Give the reason for withdrawing the entry."))
    if honour.withdrawn:
        return honour
    honour.withdrawn = True
    honour.withdrawn_reason = reason
    honour.withdrawn_at = utcnow()
    if honour.certificate is not None and not honour.certificate.revoked:
        revoke_certificate(honour.certificate, reason, actor)
    audit.record("honour.withdraw", honour, actor=actor, changes={"reason": reason})
    db.session.flush()
    return honour


def publish_results(rs: ResultSet, actor, today: dt.date | None = None) -> ResultSet:
    """Publish the final list: only after a notice that has closed with every objection resolved."""
    today = today or today_local()
    if rs.state == ResultState.PUBLISHED:
        raise UserError(N_("These results are already published."))
    if rs.state == ResultState.DRAFT:
        raise UserError(N_("Put the proposed winners on public notice before publishing the final results."))
    if rs.state == ResultState.NOTICE and rs.notice_last_day and today <= rs.notice_last_day:
        raise UserError(
            N_("The public notice runs until %(day)s; the final results can be published after it has closed."),
            day=formats.format_date_arabic(rs.notice_last_day),
        )
    if unresolved_objections(rs):
        raise UserError(N_("%(count)s objection(s) are not resolved yet."), count=len(unresolved_objections(rs)))
    if not rs.active_honours:
        raise UserError(N_("There is nobody left on the list to publish."))
    before = rs.state
    rs.state = ResultState.PUBLISHED
    rs.published_at = utcnow()
    db.session.flush()
    audit.record(
        "results.publish", rs, actor=actor, changes={"state": [before, "published"], "honours": len(rs.active_honours)}
    )
    tell_awarded(rs)
    return rs


def unpublish_results(rs: ResultSet, reason: str, actor) -> ResultSet:
    if rs.state != ResultState.PUBLISHED:
        raise UserError(N_("These results are not published."))
    reason = (reason or "").strip()
    if not reason:
        raise UserError(N_("Give a reason."))
    rs.state = ResultState.UNPUBLISHED
    rs.unpublished_at = utcnow()
    db.session.flush()
    audit.record(
        "results.unpublish", rs, actor=actor, changes={"state": ["published", "unpublished"], "reason": reason}
    )
    return rs
