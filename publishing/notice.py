"""Working days and the public notice (公示): its window, starting and cancelling it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select

from core import audit
from core.db import utcnow
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_
from publishing import formats, workdays
from publishing.clock import today_local
from publishing.models import DayUnit, Objection, ResultSet, ResultState, WorkdayOverride


def workday_overrides() -> dict[dt.date, bool]:
    return {o.day: o.is_working for o in db.session.scalars(select(WorkdayOverride))}


def set_workday_override(day: dt.date, is_working: bool, note: str, actor) -> WorkdayOverride:
    row = db.session.scalar(select(WorkdayOverride).where(WorkdayOverride.day == day))
    before = None if row is None else row.is_working
    if row is None:
        row = WorkdayOverride(day=day, is_working=is_working, note=(note or "")[:200])
        db.session.add(row)
    else:
        row.is_working, row.note = is_working, (note or "")[:200]
    db.session.flush()
    audit.record("workday.override", row, actor=actor, changes={"is_working": [before, is_working], "note": note})
    return row


def delete_workday_override(row: WorkdayOverride, actor) -> None:
    audit.record("workday.override_delete", row, actor=actor, changes={"is_working": row.is_working})
    db.session.delete(row)
    db.session.flush()


@dataclass(frozen=True)
class NoticeWindow:
    """The days a notice runs, computed from what the organiser asked for (start, length, unit)."""

    start: dt.date
    length: int
    unit: DayUnit
    first_day: dt.date
    last_day: dt.date
    uses_fallback: bool
    fallback_years: list[int] = field(default_factory=list)


def compute_notice_window(start: dt.date, length: int, unit: str) -> NoticeWindow:
    if DayUnit(unit) == DayUnit.WORKING:
        days = workdays.publicity_window(start, length, workday_overrides())
        return NoticeWindow(
            start, length, DayUnit.WORKING, days.first_day, days.last_day, days.uses_fallback, days.fallback_years
        )
    return NoticeWindow(start, length, DayUnit.CALENDAR, start, workdays.calendar_days_end(start, length), False, [])


def check_notice(rs: ResultSet, *, start: dt.date, length: int, unit: str, how_to_object: str) -> NoticeWindow:
    """Everything ``start_notice`` checks, without changing anything; returns the window it would use.

    The confirmation page shows this window before the organiser starts the notice.
    """
    if rs.state != ResultState.DRAFT:
        raise UserError(N_("Only a draft can be put on public notice."))
    if not rs.active_honours:
        raise UserError(N_("There is nobody to put on public notice."))
    if not (how_to_object or "").strip():
        raise UserError(N_("Say how to object: where to write or call, and by when."))
    if isinstance(start, dt.datetime):
        start = start.date()
    if not isinstance(start, dt.date):
        raise UserError(N_("Give the date the notice starts on."))
    today = today_local()
    # A notice that started in the past would be (partly) over before anyone saw it,
    # so the results could be published at once: the window opens today at the earliest.
    if start < today:
        raise UserError(
            N_("A public notice cannot start in the past: choose today (%(today)s) or a later date."),
            today=formats.format_date_arabic(today),
        )
    return compute_notice_window(start, length, unit)


def start_notice(rs: ResultSet, *, start: dt.date, length: int, unit: str, how_to_object: str, actor) -> ResultSet:
    """Put the proposed winners on public notice (公示), from today (Shanghai, server clock) or later."""
    window = check_notice(rs, start=start, length=length, unit=unit, how_to_object=how_to_object)
    return open_notice(rs, window, how_to_object=how_to_object, started_at=utcnow(), actor=actor)


def open_notice(
    rs: ResultSet,
    window: NoticeWindow,
    *,
    how_to_object: str,
    started_at: dt.datetime,
    actor,
    changes: dict | None = None,
) -> ResultSet:
    """Put ``rs`` on notice for ``window`` as started at ``started_at``; no checks (see :func:`start_notice`)."""
    rs.notice_start, rs.notice_length, rs.notice_unit = window.start, window.length, window.unit
    rs.notice_first_day, rs.notice_last_day = window.first_day, window.last_day
    rs.notice_uses_fallback = window.uses_fallback
    rs.how_to_object = how_to_object.strip()
    rs.notice_started_at = started_at
    rs.state = ResultState.NOTICE
    db.session.flush()
    audit.record(
        "results.notice",
        rs,
        actor=actor,
        changes={
            "state": ["draft", "notice"],
            "first_day": window.first_day,
            "last_day": window.last_day,
            "length": window.length,
            "unit": str(window.unit),
            "fallback": window.uses_fallback,
            **(changes or {}),
        },
    )
    return rs


def cancel_notice(rs: ResultSet, reason: str, actor) -> ResultSet:
    """Take a notice down (e.g. a wrong list was put up) and go back to the draft."""
    if rs.state != ResultState.NOTICE:
        raise UserError(N_("These results are not on public notice."))
    if not (reason or "").strip():
        raise UserError(N_("Give a reason."))
    rs.state = ResultState.DRAFT
    audit.record(
        "results.notice_cancel", rs, actor=actor, changes={"state": ["notice", "draft"], "reason": reason.strip()}
    )
    db.session.flush()
    return rs


def notice_accepts_objections(rs: ResultSet, today: dt.date | None = None) -> bool:
    today = today or today_local()
    return rs.state == ResultState.NOTICE and rs.notice_last_day is not None and today <= rs.notice_last_day


def unresolved_objections(rs: ResultSet) -> list[Objection]:
    return [o for o in rs.objections if not o.resolved]
