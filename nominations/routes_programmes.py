"""Organiser pages: programmes, quotas, composition rules, experts, committee and 联审 departments, the overview."""

from __future__ import annotations

from functools import partial

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from accounts.activity_access import PROGRAMME, limit_to_organised, organisers_of
from accounts.forms import QuotaForm, QuotaImportForm
from accounts.models import Role, Unit
from accounts.permissions import require_roles
from accounts.unit_places import active_units, places_sheet
from core import exports
from core.extensions import db
from core.forms import act_on_valid, form_page
from core.limits import body_limit
from core.loaders import part_or_404
from core.queries import count_by
from core.request_cycle import on_user_error, redirect_either_way
from core.views import register_panel
from nominations import overview
from nominations import programmes as services
from nominations.blueprint import bp
from nominations.forms import (
    CriterionForm,
    JointUnitForm,
    MemberForm,
    ProgrammeForm,
    RuleForm,
)
from nominations.models import (
    CompositionRule,
    Nomination,
    NominationStatus,
    Programme,
    ProgrammeCriterion,
)
from nominations.routes_stages import programme_or_404, reviewer_choices, unit_choices
from publishing.clock import today_local

ORGANISERS = (Role.ORGANISER, Role.ADMIN)

register_panel(("organiser", "admin"), "nominations/_panel_office.html")
PER_PAGE = 30


def _actor():
    return current_user._get_current_object()


def _part_or_404(model, part_id: int, programme: Programme):
    return part_or_404(model, part_id, programme_id=programme.id)


@bp.route("/nominations/programmes")
@require_roles(*ORGANISERS)
def programmes():
    stmt = limit_to_organised(select(Programme).order_by(Programme.id.desc()), Programme.id, PROGRAMME)
    page = db.paginate(stmt, per_page=PER_PAGE, error_out=False)
    counts = count_by(
        Nomination.programme_id,
        Nomination.programme_id.in_([p.id for p in page.items]),
        Nomination.status != NominationStatus.DRAFT,
    )
    return render_template("nominations/programmes.html", page=page, counts=counts)


@bp.route("/nominations/programmes/new", methods=["GET", "POST"])
@require_roles(*ORGANISERS)
def create_programme():
    form = ProgrammeForm()
    if request.method == "GET":
        form.year.data = today_local().year
    if form.validate_on_submit():
        on_user_error(lambda: render_template("nominations/programme_form.html", form=form, programme=None))
        programme = services.create_programme(form.values(), _actor())
        flash(_("The programme has been created. Now give the units their places."), "success")
        return redirect(url_for("nominations.quotas", programme_id=programme.id))
    return render_template("nominations/programme_form.html", form=form, programme=None)


@bp.route("/nominations/programmes/<int:programme_id>/edit", methods=["GET", "POST"])
@require_roles(*ORGANISERS)
def edit_programme(programme_id: int):
    programme = programme_or_404(programme_id)
    form = ProgrammeForm(obj=programme)
    if form.validate_on_submit():
        on_user_error(lambda: render_template("nominations/programme_form.html", form=form, programme=programme))
        services.update_programme(programme, form.values(), _actor())
        flash(_("Saved."), "success")
        return redirect(url_for("nominations.programme", programme_id=programme.id))
    return render_template("nominations/programme_form.html", form=form, programme=programme)


def unit_rows(programme: Programme, page_number: int):
    """One page of units that have places or dossiers, with their counts by status."""
    quotas = {q.unit_id: q.places for q in programme.quotas}
    with_dossiers = select(Nomination.unit_id).where(Nomination.programme_id == programme.id)
    stmt = select(Unit).where(Unit.id.in_(list(quotas)) | Unit.id.in_(with_dossiers)).order_by(Unit.name)
    page = db.paginate(stmt, page=page_number, per_page=PER_PAGE, error_out=False)
    counts: dict[int, dict[str, int]] = {}
    for unit_id, status, n in db.session.execute(
        select(Nomination.unit_id, Nomination.status, func.count(Nomination.id))
        .where(Nomination.programme_id == programme.id, Nomination.unit_id.in_([u.id for u in page.items]))
        .group_by(Nomination.unit_id, Nomination.status)
    ):
        counts.setdefault(unit_id, {})[str(status)] = n
    return page, quotas, counts


@bp.route("/nominations/programmes/<int:programme_id>")
@require_roles(*ORGANISERS)
def programme(programme_id: int):
    programme = programme_or_404(programme_id)
    page, quotas, counts = unit_rows(programme, request.args.get("page", 1, type=int))
    totals = count_by(Nomination.status, Nomination.programme_id == programme.id)
    return render_template(
        "nominations/programme.html",
        programme=programme,
        page=page,
        quotas=quotas,
        counts=counts,
        totals={str(k): v for k, v in totals.items()},
        statuses=list(NominationStatus),
        next_stage=services.next_stage(programme),
        funnel=overview.funnel(programme),
        organisers=organisers_of(PROGRAMME, programme.id),
    )


def _quota_form(programme: Programme) -> QuotaForm:
    return QuotaForm.for_units(active_units(), lambda unit_id: services.quota_of(programme, unit_id) or None)


@bp.route("/nominations/programmes/<int:programme_id>/quotas", methods=["GET", "POST"])
@require_roles(*ORGANISERS)
def quotas(programme_id: int):
    programme = programme_or_404(programme_id)
    form = _quota_form(programme)
    return form_page(
        form,
        lambda: render_template(
            "nominations/quotas.html", programme=programme, form=form, import_form=QuotaImportForm()
        ),
        lambda: services.set_quotas(programme, form.places(empty=0), _actor()),
        saved=_("The quotas have been saved."),
        then=url_for("nominations.programme", programme_id=programme.id),
    )


@bp.route("/nominations/programmes/<int:programme_id>/quotas/import", methods=["POST"])
@body_limit("upload")
@require_roles(*ORGANISERS)
def import_quotas(programme_id: int):
    programme = programme_or_404(programme_id)
    return QuotaImportForm().import_with(
        lambda name, data: services.import_quotas(programme, name, data, _actor()),
        redirect_either_way(url_for("nominations.quotas", programme_id=programme.id)),
    )


@bp.route("/nominations/programmes/<int:programme_id>/quotas.xlsx")
@require_roles(*ORGANISERS)
def quota_sheet(programme_id: int):
    """The quotas of every active unit as a sheet that imports back (columns 单位, 名额)."""
    programme = programme_or_404(programme_id)
    table = places_sheet(lambda unit_id: services.quota_of(programme, unit_id))
    return exports.send_table(table, "xlsx", f"{programme.title}-名额分配.xlsx")


@bp.route("/nominations/programmes/<int:programme_id>/setup")
@require_roles(*ORGANISERS)
def programme_setup(programme_id: int):
    programme = programme_or_404(programme_id)
    return render_template("nominations/programme_setup.html", programme=programme, **_setup_forms(programme))


def _setup_forms(programme: Programme) -> dict:
    member_form = MemberForm()
    member_form.user_id.choices = reviewer_choices()
    joint_form = JointUnitForm()
    joint_form.unit_id.choices = unit_choices({j.unit_id for j in programme.joint_units})
    return {
        "rule_form": RuleForm(),
        "criterion_form": CriterionForm(),
        "member_form": member_form,
        "joint_form": joint_form,
    }


def _setup_post(programme_id: int, key: str, add):
    """Validate a set-up form and call ``add(programme, form)``; back to the set-up page either way."""
    programme = programme_or_404(programme_id)
    response = redirect_either_way(url_for("nominations.programme_setup", programme_id=programme.id))
    form = _setup_forms(programme)[key]
    return act_on_valid(
        form, partial(add, programme), response, success=_("Saved."), invalid=_("Please check the values entered.")
    )


@bp.route("/nominations/programmes/<int:programme_id>/rules", methods=["POST"])
@require_roles(*ORGANISERS)
def add_rule(programme_id: int):
    return _setup_post(
        programme_id,
        "rule_form",
        lambda p, f: services.add_rule(p, f.subject.data, f.op.data, f.percent.data, _actor()),
    )


@bp.route("/nominations/programmes/<int:programme_id>/criteria", methods=["POST"])
@require_roles(*ORGANISERS)
def add_criterion(programme_id: int):
    return _setup_post(
        programme_id,
        "criterion_form",
        lambda p, f: services.add_criterion(p, f.name.data, f.maximum.data, f.guidance.data or "", _actor()),
    )


REMOVABLE = {
    "rules": (CompositionRule, services.remove_rule),
    "criteria": (ProgrammeCriterion, services.remove_criterion),
}


@bp.route(
    "/nominations/programmes/<int:programme_id>/<any(rules,criteria):part>/<int:part_id>/delete",
    methods=["POST"],
)
@require_roles(*ORGANISERS)
def remove_part(programme_id: int, part: str, part_id: int):
    programme = programme_or_404(programme_id)
    model, remove = REMOVABLE[part]
    item = _part_or_404(model, part_id, programme)
    response = redirect_either_way(url_for("nominations.programme_setup", programme_id=programme.id))
    remove(item, _actor())
    flash(_("Removed."), "success")
    return response
