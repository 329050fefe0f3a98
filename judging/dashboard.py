"""What the home page shows of judging: rounds under way with the judges behind, a judge's own
rounds, and each live competition's timeline. Read-only; a fixed number of queries each."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import case, func, select

from accounts.activity_access import COMPETITION
from accounts.models import User
from core.dashboard import TimelineRow, register_timeline, stages_at
from core.db import utcnow
from core.extensions import db
from core.queries import per_group
from essays.dashboard import LIVE
from essays.models import Competition, CompetitionStatus
from judging import workspace
from judging.access import organised
from judging.models import Assignment, AssignmentStatus, Round, RoundState
from publishing.models import ResultSet, ResultState, SourceType

TIMELINE_LIMIT = 12


@dataclass(frozen=True)
class Behind:
    name: str
    left: int  # entries still to score


@dataclass(frozen=True)
class RoundProgress:
    round_id: int
    name: str
    competition_title: str
    state: RoundState
    deadline: dt.datetime | None
    assigned: int
    submitted: int
    behind: tuple[Behind, ...]

    @property
    def percent(self) -> int:
        return int(100 * self.submitted / self.assigned) if self.assigned else 0

    @property
    def overdue(self) -> bool:
        return self.deadline is not None and self.deadline < utcnow() and self.submitted < self.assigned


def judges_behind(shares: list[tuple[str, int, int]], *, overdue: bool) -> tuple[Behind, ...]:
    """Judges behind their share: (name, assigned, submitted) rows.

    A judge is behind who has entries left and has scored a smaller part of their
    share than the panel as a whole; once the deadline has passed (or the round
    closed), everyone with entries left is. Most entries left first.
    """
    assigned = sum(a for _n, a, _s in shares)
    pace = sum(s for _n, _a, s in shares) / assigned if assigned else 0
    out = [Behind(name, a - s) for name, a, s in shares if a > s and (overdue or s / a < pace)]
    return tuple(sorted(out, key=lambda b: (-b.left, b.name)))


def rounds_in_progress() -> list[RoundProgress]:
    """Open and closed (not yet finalised) rounds of the organiser's competitions, with their progress
    and the judges behind."""
    rounds = db.session.execute(
        organised(
            select(Round.id, Round.name, Competition.title, Round.state, Round.judge_deadline)
            .join(Competition, Competition.id == Round.competition_id)
            .where(Round.state.in_((RoundState.OPEN, RoundState.CLOSED)))
            .order_by(Round.judge_deadline.is_(None), Round.judge_deadline, Round.id)
        )
    ).all()
    if not rounds:
        return []
    shares: dict[int, list[tuple[str, int, int]]] = defaultdict(list)
    done = func.sum(case((Assignment.status == AssignmentStatus.SUBMITTED, 1), else_=0))
    for round_id, name, n, n_done in db.session.execute(
        select(Assignment.round_id, User.display_name, func.count(Assignment.id), done)
        .join(User, User.id == Assignment.judge_id)
        .where(Assignment.round_id.in_([r[0] for r in rounds]), Assignment.status != AssignmentStatus.RECUSED)
        .group_by(Assignment.round_id, Assignment.judge_id, User.display_name)
        .order_by(User.display_name)
    ):
        shares[round_id].append((name, n, n_done or 0))
    now = utcnow()
    out = []
    for round_id, name, title, state, deadline in rounds:
        rows = shares[round_id]
        overdue = state == RoundState.CLOSED or (deadline is not None and deadline < now)
        out.append(
            RoundProgress(
                round_id,
                name,
                title,
                state,
                deadline,
                sum(a for _n, a, _s in rows),
                sum(s for _n, _a, s in rows),
                judges_behind(rows, overdue=overdue),
            )
        )
    return out


def judge_rounds(judge_id: int) -> list[workspace.MyRound]:
    """A judge's rounds with progress and deadline (open rounds first)."""
    rounds = workspace.my_rounds(judge_id)
    return sorted(rounds, key=lambda r: r.state != RoundState.OPEN)


def competition_timelines() -> list[TimelineRow]:
    """Each live competition the organiser manages: call open → entries close → judging → public notice → published."""
    comps = db.session.scalars(
        organised(
            select(Competition)
            .where(Competition.status.in_(LIVE))
            .order_by(Competition.closes_at.desc())
            .limit(TIMELINE_LIMIT)
        )
    ).all()
    if not comps:
        return []
    ids = [c.id for c in comps]
    judging_from = per_group(Round.competition_id, func.min(Round.opened_at), Round.competition_id.in_(ids))
    sets = {
        rs.source_id: rs
        for rs in db.session.scalars(
            select(ResultSet).where(ResultSet.source_type == SourceType.COMPETITION, ResultSet.source_id.in_(ids))
        )
    }
    now = utcnow()
    return [_competition_row(c, judging_from.get(c.id), sets.get(c.id), now) for c in comps]


def _competition_row(comp: Competition, judging_from, rs: ResultSet | None, now: dt.datetime) -> TimelineRow:
    stages = [
        (_("Call opens"), comp.opens_at),
        (_("Entries close"), comp.deadline),
        (_("Judging"), judging_from),
        (_("Public notice"), rs.notice_last_day if rs else None),
        (_("Published"), rs.published_at if rs else None),
    ]
    rs_state = rs.state if rs else None
    if comp.status == CompetitionStatus.PUBLISHED or rs_state == ResultState.PUBLISHED:
        current = 5
    elif rs_state == ResultState.NOTICE:
        current = 3
    elif comp.status == CompetitionStatus.JUDGING or judging_from is not None:
        current = 2
    elif comp.status == CompetitionStatus.CLOSED or now > comp.deadline:
        current = 1
    else:
        current = 0
    return TimelineRow(
        _("Competition"),
        comp.title,
        url_for("essays.manage_entries", competition_id=comp.id),
        stages_at(stages, current),
        activity=(COMPETITION, comp.id),
    )


register_timeline(competition_timelines)
