"""Read-only figures of nominations for the organisers' home: programmes on the activity timeline."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext
from sqlalchemy import select

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
    return TimelineRow(gettext("Nomination programme"), p.title, url, stages)


def programme_timelines() -> list[TimelineRow]:
    """Nomination programmes not yet approved, newest first."""
    rows = db.session.scalars(
        select(Programme).where(Programme.stage != ProgrammeStage.APPROVED).order_by(Programme.id.desc()).limit(12)
    )
    return [programme_row(p) for p in rows]


register_timeline(programme_timelines)
