"""Statistics by unit, town, genre and group (organisers and administrators), the .xlsx
workbook, and the 优秀组织奖 helper that hands chosen units to publishing.

Registered on the judging blueprint (imported in ``core.register_blueprints``).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField
from wtforms.validators import Length

from accounts.models import Role
from accounts.permissions import require_roles
from core import exports
from core.request_cycle import on_user_error
from essays.models import Competition
from judging import stats_charts, stats_sheets, unit_honours, unit_stats
from judging import unit_figures as uf
from judging.access import competition_or_404, only_organised
from judging.routes import bp

CHART_UNITS = 15  # the chart shows the units with most entries; the table shows all


class UnitHonoursForm(FlaskForm):
    """The units ticked in the ranking, and the honour's wording."""

    unit_ids = SelectMultipleField(coerce=int, validate_choice=False)
    level_text = StringField(
        _l("Name of the honour"), validators=[Length(max=60)], default=unit_honours.DEFAULT_LEVEL_TEXT
    )


def _year() -> int | None:
    return request.args.get("year", type=int)


def _charts(fig: unit_stats.Figures) -> dict:
    series = [_("Entries"), _("Qualified"), _("Awarded entries")]

    def values(rows):
        return [(r.label, (r.tally.entries, r.tally.qualified, r.tally.awards_total)) for r in rows]

    by_rate = sorted((r for r in fig.units if r.tally.rate is not None), key=lambda r: -(r.tally.rate or 0))
    rated = [(r.label, (r.tally.rate,)) for r in by_rate][:CHART_UNITS]
    return {
        "units_svg": stats_charts.bar_chart(
            values([r for r in fig.units if r.tally.entries][:CHART_UNITS]), series, _("Entries by unit")
        ),
        "genres_svg": stats_charts.bar_chart(values(fig.genres), series, _("Entries by genre")),
        "groups_svg": stats_charts.bar_chart(values(fig.groups), series, _("Entries by group")),
        "rate_svg": stats_charts.bar_chart(rated, [_("Participation rate")], _("Participation rate"), percent=True)
        if fig.has_quota and rated
        else None,
    }


def _page(template: str, fig: unit_stats.Figures, **context):
    return render_template(
        template,
        fig=fig,
        level_label=stats_sheets.level_label,
        rate_text=stats_sheets.rate_text,
        **_charts(fig),
        **context,
    )


@bp.get("/stats")
@require_roles(Role.ORGANISER, Role.ADMIN)
def stats_overview():
    comps = only_organised(unit_stats.competitions())
    year = _year()
    fig = unit_stats.figures(unit_stats.in_year(comps, year))
    return _page("judging/stats/overview.html", fig, years=unit_stats.years(comps), year=year)


@bp.get("/stats/export.xlsx")
@require_roles(Role.ORGANISER, Role.ADMIN)
def stats_overview_export():
    year = _year()
    fig = unit_stats.figures(unit_stats.in_year(only_organised(unit_stats.competitions()), year))
    title = _("Participation statistics %(year)s", year=year) if year else _("Participation statistics")
    return exports.send_table(stats_sheets.workbook(fig, title), "xlsx", f"{title}.xlsx")


@bp.get("/stats/<int:competition_id>")
@require_roles(Role.ORGANISER, Role.ADMIN)
def stats_activity(competition_id: int):
    comp = competition_or_404(competition_id)
    fig = unit_stats.figures([comp])
    return _page("judging/stats/activity.html", fig, comp=comp)


@bp.get("/stats/<int:competition_id>/export.xlsx")
@require_roles(Role.ORGANISER, Role.ADMIN)
def stats_activity_export(competition_id: int):
    comp = competition_or_404(competition_id)
    title = _("%(title)s: participation statistics", title=comp.title)
    return exports.send_table(
        stats_sheets.workbook(unit_stats.figures([comp]), title), "xlsx", f"{comp.code}-{title}.xlsx"
    )


def _organisation_page(comp: Competition, form: UnitHonoursForm):
    rule = request.args.get("rule", uf.DEFAULT_RULE)
    rule = rule if rule in uf.RANK_RULES else uf.DEFAULT_RULE
    fig = unit_stats.figures([comp])
    return render_template(
        "judging/stats/organisation.html",
        comp=comp,
        fig=fig,
        form=form,
        rule=rule,
        rules=uf.RANK_RULE_TEXT,
        ranked=uf.rank_units(fig.units, rule),
        result_set=unit_honours.unit_result_set(comp),
        rate_text=stats_sheets.rate_text,
    )


@bp.get("/stats/<int:competition_id>/organisation")
@require_roles(Role.ORGANISER, Role.ADMIN)
def stats_organisation(competition_id: int):
    return _organisation_page(competition_or_404(competition_id), UnitHonoursForm())


@bp.post("/stats/<int:competition_id>/organisation")
@require_roles(Role.ORGANISER, Role.ADMIN)
def stats_award_units(competition_id: int):
    comp = competition_or_404(competition_id)
    on_user_error(url_for("judging.stats_organisation", competition_id=comp.id))
    form = UnitHonoursForm()
    if not form.validate_on_submit():
        return _organisation_page(comp, form), 400
    rs = unit_honours.award_unit_honours(comp, form.unit_ids.data or [], form.level_text.data, actor=current_user)
    flash(_("%(count)s units are in the list; put it on notice from here.", count=len(rs.honours)), "success")
    return redirect(url_for("publishing.manage_result", rs_id=rs.id))
