"""Working days for public-notice (公示) windows.

Working days follow the State Council holiday arrangement, including the make-up
working weekends (调休), as encoded by the ``chinesecalendar`` package. That package
only knows the years already announced, so for other years we fall back to a plain
Monday–Friday week and report it, so the page can show a visible warning. An
organiser-maintained override table (date → working or not) wins over both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import chinese_calendar

from core.errors import UserError
from core.i18n_markers import N_

# A notice period longer than a year is certainly a typing mistake; the cap also keeps
# the day-by-day walk below bounded.
MAX_WORKING_DAYS = 365
MAX_CALENDAR_DAYS = 366

Overrides = Mapping[date, bool]


@dataclass(frozen=True)
class Window:
    """A public-notice window; ``uses_fallback`` means part of it was guessed Mon–Fri."""

    first_day: date
    last_day: date
    working_days: int
    uses_fallback: bool
    fallback_years: list[int] = field(default_factory=list)


def covered_years() -> range:
    """Years for which the installed calendar data has the official arrangement."""
    years = [d.year for d in chinese_calendar.holidays]
    return range(min(years), max(years) + 1)


def is_working_day(day: date, overrides: Overrides | None = None) -> tuple[bool, bool]:
    """Return (is a working day, from_calendar).

    ``from_calendar`` is False only when the Mon–Fri guess was used because the
    calendar data does not cover the year; an override counts as authoritative.
    """
    day = _as_date(day)
    if overrides and day in overrides:
        return bool(overrides[day]), True
    try:
        return bool(chinese_calendar.is_workday(day)), True
    except NotImplementedError:  # year not announced yet (or too old)
        return day.weekday() < 5, False


def publicity_window(start: date, working_days: int, overrides: Overrides | None = None) -> Window:
    """The window that opens on ``start`` (or the next working day) and spans
    ``working_days`` working days."""
    _check_count(working_days, MAX_WORKING_DAYS, N_("A notice period must be between 1 and %(max)s working days."))
    day = _as_date(start)
    first_day: date | None = None
    counted = 0
    fallback_years: set[int] = set()
    while True:
        working, from_calendar = is_working_day(day, overrides)
        if not from_calendar:
            fallback_years.add(day.year)
        if working:
            if first_day is None:
                first_day = day
            counted += 1
            if counted == working_days:
                break
        day += timedelta(days=1)
    return Window(
        first_day=first_day,
        last_day=day,
        working_days=working_days,
        uses_fallback=bool(fallback_years),
        fallback_years=sorted(fallback_years),
    )


def publicity_end(start: date, working_days: int, overrides: Overrides | None = None) -> date:
    """Last day of a window of ``working_days`` working days starting at ``start``."""
    return publicity_window(start, working_days, overrides).last_day


def calendar_days_end(start: date, days: int) -> date:
    """Last day of a window of ``days`` calendar days that includes ``start``."""
    _check_count(days, MAX_CALENDAR_DAYS, N_("A notice period must be between 1 and %(max)s days."))
    return _as_date(start) + timedelta(days=days - 1)


def _check_count(value: int, maximum: int, message: str) -> None:
    # bool is an int subclass; True must not silently mean "1 day".
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        raise UserError(message, max=maximum)


def _as_date(value: date) -> date:
    # A datetime would never match the date keys of the calendar or the overrides.
    return value.date() if isinstance(value, datetime) else value
