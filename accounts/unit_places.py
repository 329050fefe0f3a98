"""Places per unit (quotas) read from a sheet with the columns 单位 / 名额.

Shared by nomination programmes and essay competitions: ``parse_unit_places``
is pure; ``read_unit_places`` reads an uploaded .xlsx/.csv against the active
units (full or short name) and refuses the whole sheet at its first problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlalchemy import select

from accounts.models import Unit
from accounts.sheets import read_table
from core import exports
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_

PLACES_HEADERS = {"unit": ("单位", "单位名称", "unit"), "places": ("名额", "places", "quota")}


@dataclass(frozen=True)
class SheetProblem:
    line: int
    message: str
    params: dict


def parse_unit_places(table: list[list[str]], units: dict[str, int]) -> tuple[dict[int, int], list[SheetProblem]]:
    """Rows of 单位 / 名额 against the units' names (full or short): places by unit id, problems."""
    if not table or not any(table[0]):
        raise UserError(N_("The sheet is empty."))
    header = [h.strip().lower() for h in table[0]]
    columns = {}
    for key, names in PLACES_HEADERS.items():
        columns[key] = next((i for i, h in enumerate(header) if h in names), None)
    if None in columns.values():
        raise UserError(N_("The sheet lacks these columns: %(columns)s"), columns="单位、名额")
    places: dict[int, int] = {}
    problems = []
    for line, raw in enumerate(table[1:], start=2):
        if not any(raw):
            continue
        name = raw[columns["unit"]].strip() if columns["unit"] < len(raw) else ""
        value = raw[columns["places"]].strip() if columns["places"] < len(raw) else ""
        unit_id = units.get(name)
        if unit_id is None:
            problems.append(SheetProblem(line, N_("Line %(line)s: unknown unit %(unit)s."), {"unit": name}))
            continue
        if not value.isdigit():
            problems.append(
                SheetProblem(line, N_("Line %(line)s: %(value)s is not a number of places."), {"value": value})
            )
            continue
        if unit_id in places:
            problems.append(SheetProblem(line, N_("Line %(line)s: %(unit)s appears twice."), {"unit": name}))
            continue
        places[unit_id] = int(value)
    return places, problems


def active_unit_names() -> dict[str, int]:
    """Every active unit by its name and by its short name."""
    units: dict[str, int] = {}
    for unit in db.session.scalars(select(Unit).where(Unit.active.is_(True))):
        units[unit.name] = unit.id
        if unit.short_name:
            units.setdefault(unit.short_name, unit.id)
    return units


def read_unit_places(filename: str, data: bytes) -> dict[int, int]:
    """Places by unit id from an uploaded sheet; any problem refuses the whole sheet."""
    places, problems = parse_unit_places(read_table(filename, data), active_unit_names())
    if problems:
        first = problems[0]
        raise UserError(
            N_("The sheet was not imported: %(problem)s (%(count)s problems in all)"),
            problem=UserError(first.message, line=first.line, **first.params).render(),
            count=len(problems),
        )
    if not places:
        raise UserError(N_("The sheet is empty."))
    return places


def active_units() -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.name)))


def places_sheet(places_of: Callable[[int], int | None]) -> exports.Table:
    """Every active unit with its places (``places_of(unit_id)``) as the 单位/名额 sheet that imports back."""
    return exports.Table(
        [exports.Column(PLACES_HEADERS["unit"][0], 30), exports.Column(PLACES_HEADERS["places"][0], 10)],
        [(unit.name, places_of(unit.id)) for unit in active_units()],
        sheet="名额分配",
    )
