"""The organisers' loaders for judging: a round or a competition the signed-in organiser may manage.

Every organiser page, action and export of judging loads its round or competition here,
so the per-activity check (``accounts.activity_access``: a co-organising department's
account manages only the competitions that list it) is made in one place. Another
department's round answers 404, as an unknown one does. Judge and committee pages have
their own loaders (``routes_judge``, ``committee``): judges and committee members are not
organisers.
"""

from __future__ import annotations

from flask import url_for
from flask_login import current_user
from sqlalchemy import select

from accounts import activity_access as access
from core.extensions import db
from core.request_cycle import redirect_either_way
from essays.models import Competition
from judging.models import Round


def round_or_404(round_id: int) -> Round:
    """The round, when the signed-in organiser may manage its competition (else 404)."""
    round_ = db.get_or_404(Round, round_id)
    access.require_organiser_of(access.COMPETITION, round_.competition_id)
    return round_


def round_action(round_id: int, endpoint: str = "judging.round_setup", anchor: str = ""):
    """(round, the redirect back to ``endpoint``'s ``anchor`` section) of an organiser's POST on a
    round; a UserError leads back there too."""
    round_ = round_or_404(round_id)
    return round_, redirect_either_way(url_for(endpoint, round_id=round_.id) + anchor)


def competition_or_404(competition_id: int | None) -> Competition:
    """The competition, when the signed-in organiser may manage it (else 404)."""
    comp = db.get_or_404(Competition, competition_id or 0)
    access.require_organiser_of(access.COMPETITION, comp.id)
    return comp


def organised(stmt, column=Competition.id):
    """Narrow a select to the competitions the signed-in organiser manages (``column``: their id)."""
    return access.limit_to_organised(stmt, column, access.COMPETITION)


def organised_competitions() -> list[Competition]:
    """The competitions the signed-in organiser manages, newest first (for choosing one in a form)."""
    return list(db.session.scalars(organised(select(Competition).order_by(Competition.id.desc()))))


def organised_rounds() -> list[Round]:
    """Rounds of those competitions, by competition (newest first) and position."""
    stmt = select(Round).order_by(Round.competition_id.desc(), Round.position)
    return list(db.session.scalars(organised(stmt, Round.competition_id)))


def only_organised(competitions):
    """Keep the competitions the signed-in organiser manages (all of them for the district department)."""
    ids = access.organised_ids(current_user, access.COMPETITION)
    return [c for c in competitions if ids is None or c.id in ids]
