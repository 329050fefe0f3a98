"""Organisers' notices to a group: everyone in an activity, the authors of one
unit, or the judges behind schedule in a round (a reminder, a deadline extended).

This module decides who the recipients are; ``accounts.messages`` drafts the
notice, which the organiser reviews before it is sent to each person's message
centre (and e-mail outbox). A notice to judges names the round and the number
of entries left, never an entry or an author (see ``judging.reminders``).
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from accounts.messages import MessageKind, Notice, draft_notice
from accounts.models import Unit, User
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_
from core.urls import external_url
from essays.models import ACTIVE_STATUSES, Competition, Submission
from judging.models import Round
from judging.reminders import pending_by_judge

ACTIVITY, UNIT, BEHIND = "activity", "unit", "behind"
AUDIENCES = (ACTIVITY, UNIT, BEHIND)


def authors_of(competition: Competition, unit: Unit | None = None) -> list[User]:
    """The authors of the entries received in an activity (of one unit's, if given)."""
    stmt = select(Submission.author_id).where(
        Submission.competition_id == competition.id, Submission.status.in_(ACTIVE_STATUSES)
    )
    if unit is not None:
        stmt = stmt.where(Submission.unit_id == unit.id)
    ids = set(db.session.scalars(stmt))
    if not ids:
        return []
    return list(db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.id)))


def draft_group_notice(
    audience: str,
    *,
    competition: Competition | None,
    unit: Unit | None,
    round_: Round | None,
    subject: str,
    body: str,
    actor,
) -> Notice:
    """Draft a notice to one of the groups; the organiser reviews it before sending."""
    if audience == ACTIVITY and competition is not None:
        people = authors_of(competition)
        words = _("Everyone in %(activity)s", activity=competition.title)
        kind, link = MessageKind.NOTICE, external_url("essays.my_entries")
    elif audience == UNIT and competition is not None and unit is not None:
        people = authors_of(competition, unit)
        words = _("Authors of %(unit)s in %(activity)s", unit=unit.name, activity=competition.title)
        kind, link = MessageKind.NOTICE, external_url("essays.my_entries")
    elif audience == BEHIND and round_ is not None:
        people = [judge for judge, _left in pending_by_judge(round_)]
        words = _(
            "Judges behind schedule in %(round)s of %(activity)s",
            round=round_.name,
            activity=round_.competition.title,
        )
        kind, link = MessageKind.REMINDER, external_url("judging.queue")
    else:
        raise UserError(N_("Choose who the notice is for."))
    return draft_notice(people, subject, body, audience=words, actor=actor, link=link, kind=kind)
