"""Unit recommendation: a coordinator endorses an entry a member already submitted,
withdraws a recommendation, and organisers set each unit's quota.

A unit's quota is its own row (``UnitQuota``) or else the competition's
``unit_quota`` (0: no limit); entries the unit recommends count against it while
active. Endorsing and withdrawing are refused after the deadline, like edits.
Each function changes state, writes the audit entry and flushes; the request commits.
"""

from __future__ import annotations

from sqlalchemy import select

from accounts.models import Unit
from accounts.unit_places import read_unit_places
from core import audit
from core.db import utcnow
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_
from essays.entry_rules import check_deadline, lock_competition, unit_quota, unit_quota_refusal
from essays.models import ACTIVE_STATUSES, Competition, Submission, UnitQuota


def quotas_by_unit(comp: Competition) -> dict[int, int]:
    """The units with their own places in ``comp``."""
    return {q.unit_id: q.places for q in comp.unit_quotas}


def quota_of(comp: Competition, unit_id: int) -> int:
    return unit_quota(comp.id, unit_id, comp.unit_quota)


def member_entries(comp: Competition, unit: Unit) -> list[Submission]:
    """Active entries of the unit's members that no unit recommends yet: what the coordinator may endorse."""
    return _active_entries(comp, Submission.unit_id == unit.id, Submission.recommending_unit_id.is_(None))


def recommended_entries(comp: Competition, unit: Unit) -> list[Submission]:
    """The unit's active recommended entries in ``comp`` (those counting against its quota)."""
    return _active_entries(comp, Submission.recommending_unit_id == unit.id)


def _active_entries(comp: Competition, *conditions) -> list[Submission]:
    """Active entries of ``comp`` meeting ``conditions``, in serial order."""
    stmt = select(Submission).where(
        Submission.competition_id == comp.id, *conditions, Submission.status.in_(ACTIVE_STATUSES)
    )
    return list(db.session.scalars(stmt.order_by(Submission.serial)))


def endorse_entry(entry: Submission, unit: Unit, *, actor) -> None:
    """The unit recommends an entry its member submitted; it counts against the unit's quota."""
    comp = entry.competition
    if not comp.unit_recommendation_enabled:
        raise UserError(N_("This competition does not accept entries recommended by units."))
    lock_competition(comp)
    check_deadline(comp, utcnow())
    db.session.refresh(entry)
    if entry.status not in ACTIVE_STATUSES:
        raise UserError(N_("Only a submitted entry can be recommended."))
    if entry.recommending_unit_id == unit.id:
        raise UserError(N_("This unit already recommends this entry."))
    if entry.recommending_unit_id is not None:
        raise UserError(N_("Another unit already recommends this entry."))
    refusal = unit_quota_refusal(comp.id, unit.id, comp.unit_quota)
    if refusal is not None:
        raise refusal
    entry.recommending_unit_id = unit.id
    db.session.flush()
    audit.record("essay.endorse", entry, actor=actor, changes={"recommended_by": [None, unit.name]})


def withdraw_recommendation(entry: Submission, *, actor) -> None:
    """The unit no longer recommends the entry (it stays the author's entry); its place is free again."""
    comp = entry.competition
    lock_competition(comp)
    check_deadline(comp, utcnow())
    unit = entry.recommending_unit
    if unit is None:
        raise UserError(N_("No unit recommends this entry."))
    entry.recommending_unit_id = None
    db.session.flush()
    audit.record("essay.recommendation_withdraw", entry, actor=actor, changes={"recommended_by": [unit.name, None]})


def set_unit_quotas(
    comp: Competition, places: dict[int, int | None], actor, *, action: str = "competition.unit_quotas"
) -> dict:
    """Set the places of the units named in ``places``; None removes the unit's row (the default applies)."""
    if any(n is not None and n < 0 for n in places.values()):
        raise UserError(N_("A quota cannot be negative."))
    named = [unit_id for unit_id in places]
    units = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(named)))}
    if set(named) - set(units):
        raise UserError(N_("Unknown unit."))
    current = {q.unit_id: q for q in comp.unit_quotas}
    changes = {}
    for unit_id, n in places.items():
        row = current.get(unit_id)
        old = row.places if row is not None else None
        if old == n:
            continue
        changes[units[unit_id].name] = [old, n]
        if n is None:
            comp.unit_quotas.remove(row)
        elif row is None:
            comp.unit_quotas.append(UnitQuota(unit_id=unit_id, places=n))
        else:
            row.places = n
    db.session.flush()
    if changes:
        audit.record(action, comp, actor=actor, changes={"places": changes})
    return changes


def import_unit_quotas(comp: Competition, filename: str, data: bytes, actor) -> dict:
    """Set the places of the units a 单位/名额 sheet lists; a sheet with any problem changes nothing."""
    return set_unit_quotas(comp, dict(read_unit_places(filename, data)), actor, action="competition.unit_quotas_import")
