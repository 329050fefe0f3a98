"""The calls for essays on publishing's public site (a ``publishing.calls`` provider).

Registered by the composition root (``core.register_blueprints``), so that
publishing never imports essays.
"""

from __future__ import annotations

import datetime as dt

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from core.db import utcnow
from core.extensions import db
from core.i18n import format_dt
from core.posters import Poster
from core.urls import external_url
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
        share=call_share(comp),
    )


# --- sharing: the poster and the link preview ----------------------------------------


def _organisers(comp: Competition) -> str:
    return "、".join(o.get("name", "") for o in comp.organisers or [] if o.get("name"))


def call_poster(comp: Competition) -> Poster:
    """The share poster's content: title, deadline, organisers and a QR code to the public call page."""
    facts = [(_("Deadline"), format_dt(comp.closes_at))]
    if comp.theme:
        facts.append((_("Theme"), comp.theme))
    facts += [(o.get("role", ""), o.get("name", "")) for o in comp.organisers or [] if o.get("name")]
    return Poster(
        heading=_("Call for essays"),
        title=comp.title,
        facts=tuple(facts),
        url=external_url("publishing.public_call", call_id=comp.id),
        caption=_("Scan the code to read the call and submit"),
        footer=next((o["name"] for o in comp.organisers or [] if o.get("name")), ""),  # the main organiser
    )


def call_share(comp: Competition) -> dict:
    """Open Graph values for link previews, and the poster downloads."""
    description = _("Deadline %(time)s", time=format_dt(comp.closes_at))
    if _organisers(comp):
        description += " · " + _organisers(comp)
    return {
        "title": comp.title,
        "description": description,
        "url": external_url("publishing.public_call", call_id=comp.id),
        "image": external_url("essays.call_poster_png", competition_id=comp.id),
        "png": url_for("essays.call_poster_png", competition_id=comp.id),
        "pdf": url_for("essays.call_poster_pdf", competition_id=comp.id),
    }
