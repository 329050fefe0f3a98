"""Per-activity access for organisers: who may manage which competition or programme.

The district department's organisers (``ActivityScope.ALL``) and administrators
manage every activity. A co-organising department's account (``ActivityScope.OWN``,
承办/协办) manages only the activities that list it in ``activity_organisers``.
An activity is named by its type (``COMPETITION`` or ``PROGRAMME``, the words of
``publishing.models.SourceType``) and id, so this module knows no feature package.

Routes call :func:`require_organiser_of` after loading the activity (404 when the
answer is no, so another department's activity is not disclosed) and lists call
:func:`organised_ids` to show only what the account may manage.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from accounts.models import ActivityOrganiser, ActivityScope, OrganiserPart, Role, User
from core import audit
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_

COMPETITION = "competition"
PROGRAMME = "programme"
ACTIVITY_TYPES = (COMPETITION, PROGRAMME)
# The audit log names an activity by its table.
_TABLES = {COMPETITION: "competitions", PROGRAMME: "nomination_programmes"}

# activity type -> function(activity_id) -> (title, url of its organiser page) or None when
# there is no such activity. Registered by the composition root (core/__init__.py), so that
# accounts' pages can name an activity without importing the feature package.
_DESCRIBERS: dict[str, Callable[[int], tuple[str, str] | None]] = {}


def register_activity_type(activity_type: str, describe_fn: Callable[[int], tuple[str, str] | None]) -> None:
    if activity_type not in ACTIVITY_TYPES:
        raise ValueError(activity_type)
    _DESCRIBERS[activity_type] = describe_fn


def describe(activity_type: str, activity_id: int) -> tuple[str, str] | None:
    """(title, url) of an activity, or None when it does not exist (or its type is unknown)."""
    fn = _DESCRIBERS.get(activity_type)
    return fn(activity_id) if fn is not None else None


def _organiser(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_role(Role.ORGANISER, Role.ADMIN))


def manages_all(user) -> bool:
    """An administrator, or an organiser of the district department (not limited to listed activities)."""
    if not _organiser(user):
        return False
    return user.has_role(Role.ADMIN) or user.activity_scope != ActivityScope.OWN


def can_organise(user, activity_type: str, activity_id: int | None) -> bool:
    """May ``user`` manage this activity (its organiser pages, exports and actions)?"""
    if not _organiser(user) or activity_id is None:
        return False
    if manages_all(user):
        return True
    return activity_id in organised_ids(user, activity_type)


def organised_ids(user, activity_type: str) -> set[int] | None:
    """The ids of the activities ``user`` may manage; ``None`` means all of them."""
    if manages_all(user):
        return None
    if not _organiser(user):
        return set()
    rows = db.session.scalars(
        select(ActivityOrganiser.activity_id).where(
            ActivityOrganiser.activity_type == activity_type, ActivityOrganiser.user_id == user.id
        )
    )
    return set(rows)


def organised_by_type(user) -> dict[str, set[int] | None]:
    """:func:`organised_ids` for every activity type (``None``: all of that type)."""
    return {activity_type: organised_ids(user, activity_type) for activity_type in ACTIVITY_TYPES}


def limit_to_organised(stmt, column, activity_type: str, user=None):
    """Narrow a select over activities (``column`` their id) to those ``user`` may manage."""
    user = current_user if user is None else user
    ids = organised_ids(user, activity_type)
    return stmt if ids is None else stmt.where(column.in_(ids or [-1]))


def require_organiser_of(activity_type: str, activity_id: int | None, user=None) -> None:
    """Abort with 404 unless ``user`` (default: the signed-in one) may manage the activity."""
    user = current_user if user is None else user
    if not can_organise(user, activity_type, activity_id):
        abort(404)


def require_manages_all(user=None) -> None:
    """Abort with 403 unless ``user`` manages every activity: a site-wide organiser page
    (working days, the mail outbox, the audit log) is the district department's, not a 承办/协办 account's."""
    user = current_user if user is None else user
    if not manages_all(user):
        abort(403)


def organisers_of(activity_type: str, activity_id: int) -> list[ActivityOrganiser]:
    """The accounts an activity lists, host first."""
    order = {OrganiserPart.HOST: 0, OrganiserPart.UNDERTAKER: 1, OrganiserPart.CO_ORGANISER: 2}
    rows = db.session.scalars(
        select(ActivityOrganiser).where(
            ActivityOrganiser.activity_type == activity_type, ActivityOrganiser.activity_id == activity_id
        )
    ).all()
    return sorted(rows, key=lambda r: (order.get(r.part, 9), r.id))


def _listing(activity_type: str, activity_id: int, user_id: int) -> ActivityOrganiser | None:
    return db.session.scalar(
        select(ActivityOrganiser).where(
            ActivityOrganiser.activity_type == activity_type,
            ActivityOrganiser.activity_id == activity_id,
            ActivityOrganiser.user_id == user_id,
        )
    )


def _record(action: str, activity_type: str, activity_id: int, label: str, actor, **changes) -> None:
    """The audit entry of a change to an activity's organisers, on the activity itself."""
    audit.record(
        action, object_type=_TABLES[activity_type], object_id=activity_id, label=label, actor=actor, changes=changes
    )


def add_organiser(
    activity_type: str, activity_id: int, user: User, part, *, actor, label: str = ""
) -> ActivityOrganiser:
    """List an organiser account on an activity (flushes and audits; the caller commits)."""
    if activity_type not in ACTIVITY_TYPES:
        raise ValueError(activity_type)
    if not user.has_role(Role.ORGANISER):
        raise UserError(N_("Only an organiser account can be listed as an activity's organiser."))
    row = _listing(activity_type, activity_id, user.id)
    part = OrganiserPart(part)
    if row is None:
        row = ActivityOrganiser(activity_type=activity_type, activity_id=activity_id, user_id=user.id, part=part)
        db.session.add(row)
    elif row.part == part:
        return row
    row.part = part
    db.session.flush()
    _record(
        "activity.organiser_added", activity_type, activity_id, label, actor, user=user.display_name, part=str(part)
    )
    return row


def remove_organiser(activity_type: str, activity_id: int, user_id: int, *, actor, label: str = "") -> None:
    row = _listing(activity_type, activity_id, user_id)
    if row is None:
        raise UserError(N_("That account is not listed on this activity."))
    name = row.user.display_name
    db.session.delete(row)
    db.session.flush()
    _record("activity.organiser_removed", activity_type, activity_id, label, actor, user=name)


def set_activity_scope(user: User, scope, *, actor) -> None:
    """Which activities an organiser account manages (audited like the other account fields)."""
    scope = ActivityScope(scope)
    if user.activity_scope == scope:
        return
    before = user.activity_scope
    user.activity_scope = scope
    db.session.flush()
    audit.record("user.update", user, actor=actor, changes={"activity_scope": [str(before), str(scope)]})


def list_creator(activity_type: str, activity_id: int, actor, *, label: str = "") -> None:
    """An activity created by a limited (承办/协办) account lists that account, so it keeps access."""
    if _organiser(actor) and not manages_all(actor):
        add_organiser(activity_type, activity_id, actor, OrganiserPart.UNDERTAKER, actor=actor, label=label)
