"""The calls for essays on publishing's public site (a ``publishing.calls`` provider).

Registered by the composition root (``core.register_blueprints``), so that
publishing never imports essays.
"""

from __future__ import annotations

import datetime as dt

from flask import render_template
from flask_login import current_user
from sqlalchemy import select

from core.db import utcnow
from core.extensions import db
from essays.models import Competition, CompetitionStatus
from essays.permissions import PUBLIC_STATUSES, can_recommend
from publishing.calls import PublicCall


def public_calls(now: dt.datetime) -> list[PublicCall]:
    """Accepting entries means open and before the deadline: a call is never listed under an expired one."""
    competitions = db.session.scalars(
        select(Competition).where(Competition.status.in_(PUBLIC_STATUSES)).order_by(Competition.closes_at.desc())
    )
    return [
        PublicCall(
            id=c.id,
            title=c.title,
            closes_at=c.closes_at,
            status=str(c.status.label),
            accepting=c.status == CompetitionStatus.OPEN and now <= c.deadline,
        )
        for c in competitions
    ]


def call_page(call_id: int) -> str | None:
    comp = db.session.get(Competition, call_id)
    if comp is None or comp.status not in PUBLIC_STATUSES:
        return None
    return render_template(
        "essays/public_call.html",
        comp=comp,
        accepting=comp.accepts_entries_at(utcnow()),
        can_recommend=can_recommend(current_user, comp),
    )
