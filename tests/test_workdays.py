"""Working days and 公示 windows against the State Council holiday notices.

Every expected value below was worked out by hand from the official arrangements:
2025: 元旦 Jan 1; 春节 Jan 28–Feb 4, make-up Sun Jan 26 and Sat Feb 8; 清明 Apr 4–6;
劳动节 May 1–5, make-up Sun Apr 27; 端午 May 31–Jun 2; 国庆中秋 Oct 1–8, make-up
Sun Sep 28 and Sat Oct 11.
2026: 元旦 Jan 1–3, make-up Sun Jan 4; 春节 Feb 15–23, make-up Sat Feb 14 and Sat
Feb 28; 清明 Apr 4–6; 劳动节 May 1–5, make-up Sat May 9; 端午 Jun 19–21; 中秋 Sep 25–27;
国庆 Oct 1–7, make-up Sun Sep 20 and Sat Oct 10.
2031 has no published arrangement, so the Mon–Fri fallback applies.
"""

from datetime import date, datetime

import pytest

from core.errors import UserError
from publishing.workdays import (
    calendar_days_end,
    covered_years,
    is_working_day,
    publicity_end,
    publicity_window,
)

D = date


@pytest.mark.parametrize(
    "day, working",
    [
        # 2025
        (D(2025, 1, 1), False),  # Wed, 元旦
        (D(2025, 1, 2), True),  # Thu
        (D(2025, 1, 26), True),  # Sun, make-up for 春节
        (D(2025, 1, 28), False),  # Tue, 春节 eve
        (D(2025, 2, 4), False),  # Tue, last day of 春节
        (D(2025, 2, 5), True),  # Wed, back to work
        (D(2025, 2, 8), True),  # Sat, make-up for 春节
        (D(2025, 2, 9), False),  # Sun
        (D(2025, 4, 4), False),  # Fri, 清明
        (D(2025, 4, 7), True),  # Mon
        (D(2025, 4, 27), True),  # Sun, make-up for 劳动节
        (D(2025, 5, 5), False),  # Mon, 劳动节
        (D(2025, 5, 6), True),  # Tue
        (D(2025, 6, 2), False),  # Mon, 端午
        (D(2025, 9, 28), True),  # Sun, make-up for 国庆
        (D(2025, 10, 8), False),  # Wed, last day of 国庆中秋
        (D(2025, 10, 11), True),  # Sat, make-up for 国庆
        (D(2025, 10, 12), False),  # Sun
        # 2026
        (D(2026, 1, 2), False),  # Fri, 元旦
        (D(2026, 1, 4), True),  # Sun, make-up for 元旦
        (D(2026, 2, 14), True),  # Sat, make-up for 春节
        (D(2026, 2, 23), False),  # Mon, last day of 春节
        (D(2026, 2, 24), True),  # Tue
        (D(2026, 2, 28), True),  # Sat, make-up for 春节
        (D(2026, 3, 10), True),  # ordinary Tuesday
        (D(2026, 3, 14), False),  # ordinary Saturday
        (D(2026, 4, 6), False),  # Mon, 清明
        (D(2026, 5, 9), True),  # Sat, make-up for 劳动节
        (D(2026, 6, 19), False),  # Fri, 端午
        (D(2026, 9, 20), True),  # Sun, make-up for 国庆
        (D(2026, 9, 25), False),  # Fri, 中秋
        (D(2026, 10, 7), False),  # Wed, 国庆
        (D(2026, 10, 10), True),  # Sat, make-up for 国庆
        (D(2026, 10, 11), False),  # Sun
    ],
)
def test_official_calendar(day, working):
    assert is_working_day(day) == (working, True)


@pytest.mark.parametrize(
    "day, working",
    [
        (D(2031, 10, 1), True),  # Wed: a holiday in reality, but unknown yet
        (D(2031, 10, 3), True),  # Fri
        (D(2031, 10, 4), False),  # Sat
        (D(2031, 10, 5), False),  # Sun
    ],
)
def test_uncovered_year_falls_back_to_monday_to_friday(day, working):
    assert is_working_day(day) == (working, False)


@pytest.mark.parametrize(
    "day, overrides, expected",
    [
        (D(2031, 10, 1), {D(2031, 10, 1): False}, (False, True)),
        (D(2031, 10, 11), {D(2031, 10, 11): True}, (True, True)),
        (D(2025, 10, 8), {D(2025, 10, 8): True}, (True, True)),
        (D(2026, 3, 10), {D(2026, 3, 10): False}, (False, True)),
        # an override for another day changes nothing
        (D(2026, 3, 10), {D(2026, 3, 11): False}, (True, True)),
    ],
)
def test_overrides_win(day, overrides, expected):
    assert is_working_day(day, overrides) == expected


def test_datetime_is_treated_as_its_date():
    assert is_working_day(datetime(2025, 10, 8, 9, 30)) == (False, True)
    assert is_working_day(datetime(2025, 10, 8, 9, 30), {D(2025, 10, 8): True}) == (True, True)


@pytest.mark.parametrize(
    "start, n, first_day, last_day",
    [
        # spans the 2025 National Day week, make-up Sunday counts
        (D(2025, 9, 26), 5, D(2025, 9, 26), D(2025, 10, 9)),
        (D(2025, 9, 29), 7, D(2025, 9, 29), D(2025, 10, 14)),
        # starts on a holiday: opens on the first working day after it
        (D(2025, 10, 1), 5, D(2025, 10, 9), D(2025, 10, 14)),
        (D(2026, 2, 16), 7, D(2026, 2, 24), D(2026, 3, 3)),
        # starts on a make-up Saturday, which is a working day
        (D(2025, 10, 11), 5, D(2025, 10, 11), D(2025, 10, 16)),
        (D(2025, 2, 8), 5, D(2025, 2, 8), D(2025, 2, 13)),
        # 春节 2025 with the make-up Sunday before it
        (D(2025, 1, 24), 5, D(2025, 1, 24), D(2025, 2, 6)),
        (D(2025, 2, 7), 5, D(2025, 2, 7), D(2025, 2, 12)),
        # 劳动节 2025
        (D(2025, 4, 28), 5, D(2025, 4, 28), D(2025, 5, 7)),
        (D(2025, 4, 25), 7, D(2025, 4, 25), D(2025, 5, 7)),
        # 端午 2025
        (D(2025, 5, 30), 5, D(2025, 5, 30), D(2025, 6, 6)),
        # across the year end into 元旦 2026 with its make-up Sunday
        (D(2025, 12, 29), 5, D(2025, 12, 29), D(2026, 1, 5)),
        # 春节 2026 with make-up Saturday Feb 14
        (D(2026, 2, 12), 5, D(2026, 2, 12), D(2026, 2, 25)),
        # 劳动节 2026: make-up Saturday May 9 counts
        (D(2026, 5, 6), 5, D(2026, 5, 6), D(2026, 5, 11)),
        # 端午 2026
        (D(2026, 6, 17), 5, D(2026, 6, 17), D(2026, 6, 24)),
        # make-up Sunday Sep 20 2026
        (D(2026, 9, 18), 5, D(2026, 9, 18), D(2026, 9, 23)),
        # 中秋 and 国庆 2026, ending on the make-up Saturday Oct 10
        (D(2026, 9, 24), 7, D(2026, 9, 24), D(2026, 10, 10)),
        # ordinary weekend start, one day
        (D(2026, 3, 14), 1, D(2026, 3, 16), D(2026, 3, 16)),
        (D(2026, 3, 9), 5, D(2026, 3, 9), D(2026, 3, 13)),
    ],
)
def test_window_in_covered_years(start, n, first_day, last_day):
    window = publicity_window(start, n)
    assert (window.first_day, window.last_day, window.working_days) == (first_day, last_day, n)
    assert window.uses_fallback is False
    assert window.fallback_years == []
    assert publicity_end(start, n) == last_day


@pytest.mark.parametrize(
    "start, n, overrides, first_day, last_day, fallback_years",
    [
        # 2031: plain Mon–Fri, although Oct 1 will surely be a holiday
        (D(2031, 10, 1), 5, None, D(2031, 10, 1), D(2031, 10, 7), [2031]),
        # the organiser enters the 2031 National Day arrangement
        (
            D(2031, 10, 1),
            5,
            {**{D(2031, 10, d): False for d in range(1, 8)}, D(2031, 10, 11): True},
            D(2031, 10, 8),
            D(2031, 10, 13),
            [2031],
        ),
        # a window that runs from covered 2026 into uncovered 2027
        (D(2026, 12, 28), 5, None, D(2026, 12, 28), D(2027, 1, 1), [2027]),
        # override in a covered year: an extra closed Tuesday pushes the end out
        (D(2026, 3, 9), 5, {D(2026, 3, 10): False}, D(2026, 3, 9), D(2026, 3, 16), []),
        # override in a covered year: an extra working holiday pulls it in
        (D(2025, 10, 1), 5, {D(2025, 10, 8): True}, D(2025, 10, 8), D(2025, 10, 13), []),
    ],
)
def test_window_with_fallback_and_overrides(start, n, overrides, first_day, last_day, fallback_years):
    window = publicity_window(start, n, overrides)
    assert (window.first_day, window.last_day) == (first_day, last_day)
    assert window.uses_fallback is bool(fallback_years)
    assert window.fallback_years == fallback_years


@pytest.mark.parametrize("n", [0, -1, True, 1.5, 366])
def test_window_length_is_validated(n):
    with pytest.raises(UserError):
        publicity_window(D(2026, 3, 9), n)


@pytest.mark.parametrize(
    "start, days, last_day",
    [
        (D(2026, 2, 10), 7, D(2026, 2, 16)),  # holidays do not matter
        (D(2025, 12, 28), 7, D(2026, 1, 3)),
        (D(2028, 2, 25), 7, D(2028, 3, 2)),  # leap year: Feb 29 counts
        (D(2026, 3, 9), 1, D(2026, 3, 9)),
    ],
)
def test_calendar_days_end(start, days, last_day):
    assert calendar_days_end(start, days) == last_day


@pytest.mark.parametrize("days", [0, -3])
def test_calendar_days_are_validated(days):
    with pytest.raises(UserError):
        calendar_days_end(D(2026, 3, 9), days)


def test_covered_years():
    years = covered_years()
    assert 2025 in years and 2026 in years
    assert 2031 not in years
