"""What the home page shows of publishing: objections, 公示 windows, the outbox, a unit's results.

Read-only; a fixed number of queries each, whatever the number of result sets.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from accounts.models import User
from core.extensions import db
from publishing.clock import today_local
from publishing.models import (
    Honour,
    MessageStatus,
    Objection,
    ObjectionStatus,
    OutboxMessage,
    ResultSet,
    ResultState,
)
from publishing.permissions import managed_result_sets

OBJECTIONS_SHOWN = 10
UNIT_RESULTS_SHOWN = 8
WAITING = (MessageStatus.DRAFT, MessageStatus.APPROVED, MessageStatus.FAILED)


@dataclass(frozen=True)
class NoticeWindow:
    result_set_id: int
    title: str
    first_day: dt.date | None
    last_day: dt.date | None
    open_objections: int

    @property
    def ended(self) -> bool:
        """The window is over: the results wait to be published."""
        return self.last_day is not None and self.last_day < today_local()


@dataclass
class OutboxWaiting:
    result_set_id: int
    title: str
    counts: dict = field(default_factory=dict)  # MessageStatus -> n


@dataclass(frozen=True)
class OfficeDesk:
    objections: list  # [(Objection, result set title)]
    objections_total: int
    windows: list[NoticeWindow]
    outbox: list[OutboxWaiting]

    @property
    def empty(self) -> bool:
        return not (self.objections_total or self.windows or self.outbox)


def office_desk(user) -> OfficeDesk:
    """What waits on the result sets ``user`` may manage."""
    unresolved = Objection.status.in_((ObjectionStatus.OPEN, ObjectionStatus.INVESTIGATING))
    objections = db.session.execute(
        managed_result_sets(
            select(Objection, ResultSet.title).join(ResultSet, ResultSet.id == Objection.result_set_id), user
        )
        .where(unresolved)
        .order_by(Objection.created_at)
        .limit(OBJECTIONS_SHOWN)
    ).all()
    per_set = dict(
        db.session.execute(
            managed_result_sets(
                select(Objection.result_set_id, func.count(Objection.id)).join(
                    ResultSet, ResultSet.id == Objection.result_set_id
                ),
                user,
            )
            .where(unresolved)
            .group_by(Objection.result_set_id)
        ).all()
    )
    windows = [
        NoticeWindow(rs_id, title, first, last, per_set.get(rs_id, 0))
        for rs_id, title, first, last in db.session.execute(
            managed_result_sets(
                select(ResultSet.id, ResultSet.title, ResultSet.notice_first_day, ResultSet.notice_last_day), user
            )
            .where(ResultSet.state == ResultState.NOTICE)
            .order_by(ResultSet.notice_last_day)
        )
    ]
    return OfficeDesk([tuple(row) for row in objections], sum(per_set.values()), windows, _outbox_waiting(user))


def _outbox_waiting(user) -> list[OutboxWaiting]:
    out: dict[int, OutboxWaiting] = {}
    rows = db.session.execute(
        managed_result_sets(
            select(ResultSet.id, ResultSet.title, OutboxMessage.status, func.count(OutboxMessage.id)).join(
                ResultSet, ResultSet.id == OutboxMessage.result_set_id
            ),
            user,
        )
        .where(OutboxMessage.status.in_(WAITING))
        .group_by(ResultSet.id, ResultSet.title, OutboxMessage.status)
        .order_by(ResultSet.id)
    )
    for rs_id, title, status, n in rows:
        out.setdefault(rs_id, OutboxWaiting(rs_id, title)).counts[MessageStatus(status)] = n
    return list(out.values())


@dataclass(frozen=True)
class UnitResult:
    result_set_id: int
    title: str
    levels: list[tuple[str, int]]  # (award, how many), in the list's order


def unit_results(unit_id: int | None) -> list[UnitResult]:
    """Published awards of the unit's people, per result set (latest first)."""
    if unit_id is None:
        return []
    rows = db.session.execute(
        select(ResultSet.id, ResultSet.title, Honour.level_text, func.min(Honour.position), func.count(Honour.id))
        .join(ResultSet, ResultSet.id == Honour.result_set_id)
        .join(User, User.id == Honour.user_id)
        .where(User.unit_id == unit_id, Honour.withdrawn.is_(False), ResultSet.state == ResultState.PUBLISHED)
        .group_by(ResultSet.id, ResultSet.title, Honour.level_text)
    ).all()
    sets: dict[int, str] = {}
    levels: dict[int, list] = defaultdict(list)
    for rs_id, title, level, position, n in rows:
        sets[rs_id] = title
        levels[rs_id].append((position, level, n))
    ordered = sorted(sets, reverse=True)[:UNIT_RESULTS_SHOWN]
    return [UnitResult(i, sets[i], [(lv, n) for _p, lv, n in sorted(levels[i])]) for i in ordered]
