"""What the signed-in home page composes: activity timelines from the packages, and core's own jobs.

Read-only. Feature packages add their activities to the organisers' timeline with
:func:`register_timeline` (a function returning :class:`TimelineRow` items, built
with a constant number of queries whatever the number of activities); the home page
(``core.views.home``) draws them in one panel beside the packages' own panels.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.db import utcnow
from core.extensions import db
from core.jobs import Job, JobStatus

DONE, CURRENT, TODO = "done", "current", "todo"
FAILED_JOBS_DAYS = 14
FAILED_JOBS_SHOWN = 8
RECENT_JOBS_SHOWN = 5


@dataclass(frozen=True)
class Stage:
    label: str
    day: dt.date | dt.datetime | None = None
    state: str = TODO  # done | current | todo


@dataclass(frozen=True)
class TimelineRow:
    kind: str  # what sort of activity, e.g. 征文 or 评选
    title: str
    url: str
    stages: tuple[Stage, ...]
    # (activity type, id) as accounts.activity_access names it: a 承办/协办 account sees only the
    # rows of its activities (a row without it only the district department's organisers).
    activity: tuple[str, int] | None = None

    @property
    def current(self) -> Stage | None:
        return next((s for s in self.stages if s.state == CURRENT), None)


def stages_at(labels_and_days: list[tuple[str, dt.date | dt.datetime | None]], current: int) -> tuple[Stage, ...]:
    """Stages before ``current`` are done, the one at ``current`` is under way, the rest to come."""
    out = []
    for i, (label, day) in enumerate(labels_and_days):
        state = DONE if i < current else CURRENT if i == current else TODO
        out.append(Stage(label, day, state))
    return tuple(out)


_TIMELINES: list[Callable[[], list[TimelineRow]]] = []


def register_timeline(provider: Callable[[], list[TimelineRow]]) -> None:
    if provider not in _TIMELINES:
        _TIMELINES.append(provider)


def timeline_rows(organised: dict[str, set[int] | None]) -> list[TimelineRow]:
    """Every provider's rows, of the activities the viewer may manage.

    ``organised`` maps an activity type to the ids the viewer manages, ``None`` for all of
    them (``accounts.activity_access.organised_ids``, which the page above core asks).
    """
    rows: list[TimelineRow] = []
    for provider in _TIMELINES:
        rows.extend(provider())
    if all(ids is None for ids in organised.values()):
        return rows
    return [
        r
        for r in rows
        if r.activity is not None
        and (organised.get(r.activity[0]) is None or r.activity[1] in organised[r.activity[0]])
    ]


# Jobs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class JobOverview:
    failed: list[Job]
    recent: list[Job]


def job_overview(user, *, sees_all: bool) -> JobOverview:
    """Failed jobs of the last two weeks (everyone's for an admin, else the user's own) and the user's recent jobs."""
    since = utcnow() - dt.timedelta(days=FAILED_JOBS_DAYS)
    failed = (
        select(Job).options(joinedload(Job.created_by)).where(Job.status == JobStatus.FAILED, Job.finished_at >= since)
    )
    if not sees_all:
        failed = failed.where(Job.created_by_id == user.id)
    recent = select(Job).where(Job.created_by_id == user.id).order_by(Job.id.desc()).limit(RECENT_JOBS_SHOWN)
    return JobOverview(
        failed=list(db.session.scalars(failed.order_by(Job.id.desc()).limit(FAILED_JOBS_SHOWN))),
        recent=list(db.session.scalars(recent)),
    )
