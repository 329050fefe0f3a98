"""Organiser pages for the units' own quotas of a competition (a table, or a 单位/名额 sheet)."""

from __future__ import annotations

from flask import abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts.forms import QuotaForm, QuotaImportForm
from accounts.permissions import require_roles
from accounts.unit_places import active_units, places_sheet
from core import exports
from core.forms import form_page
from core.limits import body_limit
from core.request_cycle import redirect_either_way
from essays import recommendations
from essays.models import Competition
from essays.permissions import can_set_unit_quotas
from essays.view_helpers import ORGANISERS, actor, bp, managed_competition_or_404


def _competition(competition_id: int) -> Competition:
    comp = managed_competition_or_404(competition_id)
    if not can_set_unit_quotas(current_user, comp):
        abort(403)
    return comp


def _quota_form(comp: Competition) -> QuotaForm:
    own = recommendations.quotas_by_unit(comp)
    return QuotaForm.for_units(active_units(), own.get)


@bp.route("/c/<int:competition_id>/unit-quotas", methods=["GET", "POST"])
@require_roles(*ORGANISERS)
def unit_quotas(competition_id: int):
    comp = _competition(competition_id)
    form = _quota_form(comp)
    return form_page(
        form,
        lambda: render_template("essays/unit_quotas.html", comp=comp, form=form, import_form=QuotaImportForm()),
        lambda: recommendations.set_unit_quotas(comp, form.places(), actor()),
        saved=_("The quotas have been saved."),
        then=url_for("essays.unit_quotas", competition_id=comp.id),
    )


@bp.route("/c/<int:competition_id>/unit-quotas/import", methods=["POST"])
@body_limit("upload")
@require_roles(*ORGANISERS)
def import_unit_quotas(competition_id: int):
    comp = _competition(competition_id)
    return QuotaImportForm().import_with(
        lambda name, data: recommendations.import_unit_quotas(comp, name, data, actor()),
        redirect_either_way(url_for("essays.unit_quotas", competition_id=comp.id)),
    )


@bp.route("/c/<int:competition_id>/unit-quotas.xlsx")
@require_roles(*ORGANISERS)
def unit_quota_sheet(competition_id: int):
    """Every active unit's places (its own or the default) as a sheet that imports back."""
    comp = _competition(competition_id)
    table = places_sheet(lambda unit_id: recommendations.quota_of(comp, unit_id))
    return exports.send_table(table, "xlsx", f"{comp.title}-单位名额.xlsx")
