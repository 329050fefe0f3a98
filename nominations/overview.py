"""The programme's funnel per unit: recommended → eligible → scored → voted → on notice → approved.

``funnel(programme)`` returns plain data for ``templates/nominations/_funnel.html``
(an inline SVG chart with a table fallback). It costs the same four SQL queries
(GROUP BY) however many nominations and units a programme has.

- recommended: the unit submitted it (any status but draft);
- eligible: it passed the office's check (ELIGIBLE or any later status);
- scored: every assigned expert has submitted scores (or it has gone on to the ballot);
- voted: it passed the committee ballot (PASSED or later, a 联审 veto included);
- on notice: it went on public notice (ON_NOTICE, WITHDRAWN, APPROVED);
- approved: APPROVED.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import exists, func, select, union

from accounts.models import Unit
from core.extensions import db
from core.i18n_markers import N_
from nominations.models import ExpertReview, Nomination, NominationStatus, Programme, Quota

S = NominationStatus
STAGES: tuple[tuple[str, str], ...] = (
    ("recommended", N_("Recommended")),
    ("eligible", N_("Eligible")),
    ("scored", N_("Scored")),
    ("voted", N_("Passed the ballot")),
    ("on_notice", N_("On public notice")),
    ("approved", N_("Approved")),
)
# Which stages a status has reached (scored is counted apart for ELIGIBLE dossiers).
_REACHED: dict[NominationStatus, tuple[str, ...]] = {
    S.DRAFT: (),
    S.SUBMITTED: ("recommended",),
    S.RETURNED: ("recommended",),
    S.REJECTED: ("recommended",),
    S.ELIGIBLE: ("recommended", "eligible"),
    S.FAILED: ("recommended", "eligible", "scored"),
    S.PASSED: ("recommended", "eligible", "scored", "voted"),
    S.VETOED: ("recommended", "eligible", "scored", "voted"),
    S.ON_NOTICE: ("recommended", "eligible", "scored", "voted", "on_notice"),
    S.WITHDRAWN: ("recommended", "eligible", "scored", "voted", "on_notice"),
    S.APPROVED: ("recommended", "eligible", "scored", "voted", "on_notice", "approved"),
}


@dataclass
class UnitFunnel:
    unit_id: int
    unit_name: str
    places: int | None  # the unit's quota, None when it has none
    counts: dict[str, int] = field(default_factory=lambda: {key: 0 for key, _ in STAGES})

    @property
    def values(self) -> list[int]:
        return [self.counts[key] for key, _ in STAGES]


@dataclass
class Funnel:
    stages: tuple[tuple[str, str], ...]
    units: list[UnitFunnel]
    totals: dict[str, int]

    @property
    def total_values(self) -> list[int]:
        return [self.totals[key] for key, _ in STAGES]

    @property
    def top(self) -> int:
        """The widest bar a unit's row needs (its recommended count or its quota)."""
        return max([1] + [max(u.counts["recommended"], u.places or 0) for u in self.units])


def _status_counts(programme_id: int) -> list[tuple[int, NominationStatus, int]]:
    return db.session.execute(
        select(Nomination.unit_id, Nomination.status, func.count(Nomination.id))
        .where(Nomination.programme_id == programme_id)
        .group_by(Nomination.unit_id, Nomination.status)
    ).all()


def _scored_eligible(programme_id: int) -> dict[int, int]:
    """ELIGIBLE dossiers with at least one expert review and none still open, per unit."""
    review = ExpertReview.nomination_id == Nomination.id
    rows = db.session.execute(
        select(Nomination.unit_id, func.count(Nomination.id))
        .where(
            Nomination.programme_id == programme_id,
            Nomination.status == S.ELIGIBLE,
            exists().where(review),
            ~exists().where(review, ExpertReview.submitted_at.is_(None)),
        )
        .group_by(Nomination.unit_id)
    ).all()
    return dict(rows)


def _units(programme_id: int) -> list[tuple[int, str]]:
    """Units with a quota or a nomination in the programme, in the units' order."""
    ids = union(
        select(Quota.unit_id).where(Quota.programme_id == programme_id),
        select(Nomination.unit_id).where(Nomination.programme_id == programme_id),
    ).subquery()
    return db.session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(select(ids.c[0]))).order_by(Unit.id)).all()


def funnel(programme: Programme) -> Funnel:
    places = dict(
        db.session.execute(select(Quota.unit_id, Quota.places).where(Quota.programme_id == programme.id)).all()
    )
    units = {uid: UnitFunnel(uid, name, places.get(uid)) for uid, name in _units(programme.id)}
    for unit_id, status, count in _status_counts(programme.id):
        row = units.get(unit_id)
        if row is None:  # pragma: no cover (the unit query lists every nominating unit)
            continue
        for key in _REACHED[NominationStatus(status)]:
            row.counts[key] += count
    for unit_id, count in _scored_eligible(programme.id).items():
        if unit_id in units:
            units[unit_id].counts["scored"] += count
    totals = {key: sum(u.counts[key] for u in units.values()) for key, _ in STAGES}
    return Funnel(STAGES, list(units.values()), totals)
