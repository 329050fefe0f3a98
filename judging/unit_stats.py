"""Statistics by unit, town, genre and group for one activity or several: read-only queries.

Whatever the number of activities, entries or units, a page costs the same five
queries: the competitions, the received entries (as plain rows), the awards of every
round, the honours withdrawn after an upheld objection, and the units. The counting
is ``judging.unit_figures`` (pure).

Statistics live in judging because they span both packages: entries and units come
from essays and accounts, awards from judging, and judging may import essays (never
the other way round).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from accounts.models import Unit
from core.extensions import db
from core.i18n import local
from essays.models import ACTIVE_STATUSES, Competition, CompetitionStatus, Genre, Group, Submission
from judging import unit_figures as uf
from judging.models import Award, Round
from publishing.models import Honour, ResultSet, SourceType


@dataclass
class Activity:
    """One competition's figures."""

    competition: Competition
    year: int
    facts: list[uf.EntryFact]
    total: uf.Tally
    units: int

    @property
    def sentence(self) -> str:
        return uf.sentence_for(self.units, self.total)


@dataclass
class Figures:
    """The tables of a statistics page (one activity, or all of a year, or all)."""

    activities: list[Activity]
    total: uf.Tally
    units: list[uf.Row]
    towns: list[uf.Row]
    genres: list[uf.Row]
    groups: list[uf.Row]
    levels: list[str]
    sentence: str
    has_quota: bool

    @property
    def years(self) -> list[tuple[int, uf.Tally]]:
        out: dict[int, uf.Tally] = {}
        for a in self.activities:
            t = out.setdefault(a.year, uf.Tally())
            for fact in a.facts:
                t.add(fact)
        return sorted(out.items(), reverse=True)


def competitions() -> list[Competition]:
    """Activities with entries to count (drafts aside), newest first, genres and groups loaded."""
    return db.session.scalars(
        select(Competition)
        .where(Competition.status != CompetitionStatus.DRAFT)
        .options(selectinload(Competition.genres), selectinload(Competition.groups))
        .order_by(Competition.opens_at.desc(), Competition.id.desc())
    ).all()


def year_of(comp: Competition) -> int:
    """An activity's year: the year (local time) it opened for entries."""
    return local(comp.opens_at).year


def in_year(comps: Sequence[Competition], year: int | None) -> list[Competition]:
    return [c for c in comps if year is None or year_of(c) == year]


def years(comps: Sequence[Competition]) -> list[int]:
    return sorted({year_of(c) for c in comps}, reverse=True)


def _entry_rows(ids: list[int]):
    return db.session.execute(
        select(
            Submission.id,
            Submission.competition_id,
            func.coalesce(Submission.recommending_unit_id, Submission.unit_id),
            Submission.recommending_unit_id,
            Genre.name,
            Group.name,
            Submission.status,
        )
        .outerjoin(Genre, Genre.id == Submission.genre_id)
        .outerjoin(Group, Group.id == Submission.group_id)
        .where(Submission.competition_id.in_(ids), Submission.status.in_(ACTIVE_STATUSES))
    ).all()


def _award_levels(ids: list[int]) -> dict[int, str]:
    """submission id → level, from the last round of each activity that has awards."""
    rows = db.session.execute(
        select(Award.submission_id, Award.level, Round.competition_id, Round.position)
        .join(Round, Round.id == Award.round_id)
        .where(Round.competition_id.in_(ids))
    ).all()
    last: dict[int, int] = {}
    for _sid, _level, comp_id, position in rows:
        last[comp_id] = max(position, last.get(comp_id, position))
    withdrawn = set(
        db.session.scalars(
            select(Honour.source_item_id)
            .join(ResultSet, ResultSet.id == Honour.result_set_id)
            .where(
                ResultSet.source_type == SourceType.COMPETITION,
                ResultSet.source_id.in_(ids),
                Honour.withdrawn.is_(True),
            )
        )
    )
    return {
        sid: level
        for sid, level, comp_id, position in rows
        if position == last[comp_id] and sid not in withdrawn and level
    }


def unit_directory() -> dict[int, uf.UnitInfo]:
    rows = db.session.execute(
        select(Unit.id, Unit.name, Unit.kind, Unit.parent_id, Unit.active).order_by(Unit.name)
    ).all()
    return {r.id: uf.UnitInfo(r.id, r.name, str(r.kind), r.parent_id) for r in rows if r.active}


def figures(comps: Sequence[Competition]) -> Figures:
    """Every table for ``comps`` (one activity, or several added up)."""
    comps = list(comps)
    ids = [c.id for c in comps]
    levels = _award_levels(ids) if ids else {}
    facts_by_comp: dict[int, list[uf.EntryFact]] = {c.id: [] for c in comps}
    for sid, comp_id, unit_id, recommending, genre, group, status in _entry_rows(ids) if ids else []:
        facts_by_comp[comp_id].append(
            uf.EntryFact(
                comp_id, unit_id, recommending is not None, genre or "", group or "", str(status), levels.get(sid)
            )
        )
    units = unit_directory()
    quotas = {c.id: (c.unit_quota or 0) if c.unit_recommendation_enabled else 0 for c in comps}
    facts = [f for c in comps for f in facts_by_comp[c.id]]
    activities = [
        Activity(c, year_of(c), facts_by_comp[c.id], uf.tally(facts_by_comp[c.id]), uf.count_units(facts_by_comp[c.id]))
        for c in comps
    ]
    total = uf.tally(facts)
    unknown = _("No unit")
    genre_order = [g.name for c in comps for g in c.genres]
    group_order = [g.name for c in comps for g in c.groups]
    unit_rows = uf.unit_rows(facts, units, quotas, unknown=unknown)
    return Figures(
        activities=activities,
        total=total,
        units=unit_rows,
        towns=uf.town_rows(facts, units, quotas),
        genres=uf.named_rows(facts, "genre", genre_order, unknown=_("Not given")),
        groups=uf.named_rows(facts, "group", group_order, unknown=_("Not given")),
        levels=uf.levels_present(total),
        sentence=uf.sentence_for(uf.count_units(facts), total),
        has_quota=any(quotas.values()),
    )
