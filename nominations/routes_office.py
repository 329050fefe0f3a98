"""The organising office: the eligibility check (pass, return with a reason, reject) and revealing an ID number."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from accounts.models import Role, Unit
from accounts.permissions import require_roles
from core.extensions import db
from core.request_cycle import on_user_error
from nominations import checks
from nominations.blueprint import bp
from nominations.forms import CheckForm
from nominations.models import Nomination, NominationStatus
from nominations.permissions import can_check_nomination, can_reveal_resident_id
from nominations.routes_stages import programme_or_404
from nominations.routes_unit import dossier_page, nomination_or_404

ORGANISERS = (Role.ORGANISER, Role.ADMIN)
PER_PAGE = 30


def _dossier_list(programme, status: str | None, unit_id: int | None, page_number: int):
    stmt = select(Nomination).where(Nomination.programme_id == programme.id)
    if status in {s.value for s in NominationStatus}:
        stmt = stmt.where(Nomination.status == NominationStatus(status))
    else:
        stmt = stmt.where(Nomination.status != NominationStatus.DRAFT)
    if unit_id:
        stmt = stmt.where(Nomination.unit_id == unit_id)
    stmt = stmt.order_by(Nomination.submitted_at, Nomination.id)
    return db.paginate(stmt, page=page_number, per_page=PER_PAGE, error_out=False)


@bp.route("/nominations/programmes/<int:programme_id>/dossiers")
@require_roles(*ORGANISERS)
def programme_dossiers(programme_id: int):
    """Every submitted dossier of the programme; ``?status=submitted`` is the eligibility queue."""
    programme = programme_or_404(programme_id)
    status = request.args.get("status") or ""
    unit_id = request.args.get("unit", type=int)
    page = _dossier_list(programme, status, unit_id, request.args.get("page", 1, type=int))
    units = db.session.scalars(
        select(Unit).where(Unit.id.in_(select(Nomination.unit_id).where(Nomination.programme_id == programme.id)))
    ).all()
    return render_template(
        "nominations/dossiers.html",
        programme=programme,
        page=page,
        status=status,
        unit_id=unit_id,
        units=units,
        statuses=[s for s in NominationStatus if s != NominationStatus.DRAFT],
    )


@bp.route("/nominations/dossiers/<int:nomination_id>/check", methods=["POST"])
@require_roles(*ORGANISERS)
def check_dossier(nomination_id: int):
    nomination = nomination_or_404(nomination_id)
    if not can_check_nomination(current_user, nomination):
        abort(404)
    form = CheckForm()
    on_user_error(lambda: dossier_page(nomination), status=422)
    if not form.validate_on_submit():
        flash(_("Choose pass, return or reject."), "error")
        return dossier_page(nomination), 422
    checks.check_nomination(nomination, form.decision.data, form.opinion.data, current_user._get_current_object())
    flash(_("The decision has been recorded."), "success")
    queue = url_for("nominations.programme_dossiers", programme_id=nomination.programme_id, status="submitted")
    return redirect(queue)


@bp.route("/nominations/dossiers/<int:nomination_id>/reveal-id", methods=["POST"])
@require_roles(*ORGANISERS)
def reveal_resident_id(nomination_id: int):
    nomination = nomination_or_404(nomination_id)
    if not can_reveal_resident_id(current_user, nomination):
        abort(404)
    on_user_error(url_for("nominations.dossier", nomination_id=nomination.id))
    revealed = checks.reveal_resident_id(nomination, current_user._get_current_object())
    response = dossier_page(nomination, revealed=revealed)
    return response, 200, {"Cache-Control": "private, no-store"}
