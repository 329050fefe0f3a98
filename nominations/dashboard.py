"""Read-only figures of nominations for the organisers' home (programmes on the activity timeline),
and a programme's name for the accounts' pages (``describe_programme``)."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext
from sqlalchemy import select

from accounts.activity_access import PROGRAMME, limit_to_organised
from core.dashboard import TimelineRow, register_timeline, stages_at
from core.extensions import db
from nominations.models import Programme, ProgrammeStage

# The stages a programme goes through once it is under way (in preparation: nothing yet).
ORDER = [s for s in ProgrammeStage if s != ProgrammeStage.DRAFT]


def programme_row(p: Programme) -> TimelineRow:
    days = {
        ProgrammeStage.NOMINATING: p.nominate_until,
        ProgrammeStage.CHECKING: p.check_until,
        ProgrammeStage.EXPERT_REVIEW: p.review_until,
        ProgrammeStage.NOTICE: p.notice_from,
        ProgrammeStage.APPROVED: p.commend_on,
    }
    current = ORDER.index(p.stage) if p.stage in ORDER else -1
    stages = stages_at([(s.label, days.get(s)) for s in ORDER], current)
    url = url_for("nominations.programme", programme_id=p.id)
    return TimelineRow(gettext("Nomination programme"), p.title, url, stages, activity=(PROGRAMME, p.id))


def programme_timelines() -> list[TimelineRow]:
    """Nomination programmes not yet approved that the organiser manages, newest first."""
    stmt = select(Programme).where(Programme.stage != ProgrammeStage.APPROVED).order_by(Programme.id.desc()).limit(12)
    rows = db.session.scalars(limit_to_organised(stmt, Programme.id, PROGRAMME))
    return [programme_row(p) for p in rows]


def describe_programme(programme_id: int) -> tuple[str, str] | None:
    """(title, url of its office page) for ``accounts.activity_access.describe``; None if there is none."""
    programme = db.session.get(Programme, programme_id)
    if programme is None:
        return None
    return programme.title, url_for("nominations.programme", programme_id=programme.id)


register_timeline(programme_timelines)
