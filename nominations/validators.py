"""Resident identity numbers (GB 11643-1999), pure: no Flask, no SQLAlchemy.

An 18-character number: 6 digits of the registering area, 8 of the birth date
(YYYYMMDD), 3 of a sequence whose last digit is odd for men and even for women,
and a check character computed mod 11 over the first 17 (which may be X).
"""

from __future__ import annotations

import datetime as dt
import re

from core.i18n_markers import N_

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")
EARLIEST_BIRTH = dt.date(1900, 1, 1)

MALE = "male"
FEMALE = "female"


def normalise_resident_id(value: str | None) -> str:
    """Strip spaces and upper-case the check character (x → X)."""
    return re.sub(r"\s+", "", value or "").upper()


def check_char(first17: str) -> str:
    """The check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def birth_date_of(value: str) -> dt.date | None:
    """The date of birth a number states, or None when it is no real date."""
    value = normalise_resident_id(value)
    try:
        return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except (ValueError, IndexError):
        return None


def sex_of(value: str) -> str:
    """MALE when the 17th digit is odd, FEMALE when it is even."""
    return MALE if int(normalise_resident_id(value)[16]) % 2 else FEMALE


def is_valid_resident_id(value: str, today: dt.date | None = None) -> bool:
    """18 characters, a real date of birth (1900 to today) and the right check character."""
    value = normalise_resident_id(value)
    if not _SHAPE.match(value):
        return False
    born = birth_date_of(value)
    if born is None or born < EARLIEST_BIRTH or born > (today or dt.date.today()):
        return False
    return check_char(value[:17]) == value[17]


def mask_resident_id(value: str | None) -> str:
    """The first four and the last four characters, stars between: 6105**********0013."""
    value = normalise_resident_id(value)
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def agrees(value: str, birth_month: dt.date | None, sex: str | None) -> list[str]:
    """What disagrees between a valid number and the birth month and sex entered beside it.

    Returns message ids (``N_``); empty when they agree or were left empty.
    """
    problems = []
    born = birth_date_of(value)
    if born is not None and birth_month is not None and born.replace(day=1) != birth_month.replace(day=1):
        problems.append(N_("The month of birth does not agree with the resident ID number."))
    if sex and born is not None and str(sex) != sex_of(value):
        problems.append(N_("The sex does not agree with the resident ID number."))
    return problems
