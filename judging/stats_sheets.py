"""The statistics workbook (.xlsx through ``core.exports``): a summary sheet per activity,
then one sheet per unit, town, genre and group table, with the same figures as the pages."""

from __future__ import annotations

from flask_babel import gettext as _

from core import exports
from judging import unit_figures as uf
from judging.awards import LEVEL_LABELS
from judging.unit_stats import Figures


def level_label(code: str) -> str:
    return _(LEVEL_LABELS[code]) if code in LEVEL_LABELS else uf.LEVEL_WORDS.get(code, code)


def rate_text(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.0f}%"


def _rows(rows: list[uf.Row], levels: list[str], with_quota: bool):
    for row in rows:
        t = row.tally
        quota = [t.recommended, t.quota or None, rate_text(t.rate)] if with_quota else []
        yield [row.label, t.entries, t.qualified, *quota, *(t.level(c) for c in levels), t.awards_total]


def _table(sheet: str, first: str, rows: list[uf.Row], levels: list[str], with_quota: bool) -> exports.Table:
    columns = [exports.Column(first, 24), exports.Column(_("Entries"), 10), exports.Column(_("Qualified"), 10)]
    if with_quota:
        columns += [
            exports.Column(_("Quota used"), 10),
            exports.Column(_("Quota"), 8),
            exports.Column(_("Participation rate"), 12),
        ]
    columns += [exports.Column(level_label(c), 10) for c in levels]
    columns.append(exports.Column(_("Awards in total"), 10))
    return exports.Table(columns, _rows(rows, levels, with_quota), sheet=sheet)


def _summary(fig: Figures, title: str) -> exports.Table:
    columns = [
        exports.Column(_("Code"), 12),
        exports.Column(_("Activity"), 30),
        exports.Column(_("Year"), 8),
        exports.Column(_("Number of units"), 8),
        exports.Column(_("Entries"), 10),
        exports.Column(_("Qualified"), 10),
        *(exports.Column(level_label(c), 10) for c in fig.levels),
        exports.Column(_("Summary"), 80),
    ]
    rows = [
        [
            a.competition.code,
            a.competition.title,
            a.year,
            a.units,
            a.total.entries,
            a.total.qualified,
            *(a.total.level(c) for c in fig.levels),
            a.sentence,
        ]
        for a in fig.activities
    ]
    if len(fig.activities) > 1:
        rows.append(
            [
                "",
                _("All activities"),
                "",
                uf.count_units(f for a in fig.activities for f in a.facts),
                fig.total.entries,
                fig.total.qualified,
                *(fig.total.level(c) for c in fig.levels),
                fig.sentence,
            ]
        )
    return exports.Table(columns, rows, sheet=_("Summary"), title=title)


def workbook(fig: Figures, title: str) -> list[exports.Table]:
    tables = [
        _summary(fig, title),
        _table(_("By unit"), _("Unit"), fig.units, fig.levels, fig.has_quota),
    ]
    if fig.towns:
        tables.append(_table(_("By town"), _("Town / sub-district"), fig.towns, fig.levels, fig.has_quota))
    tables.append(_table(_("By genre"), _("Genre"), fig.genres, fig.levels, False))
    tables.append(_table(_("By group"), _("Group"), fig.groups, fig.levels, False))
    return tables
