"""Unit coordinators: their unit's dossiers (推荐表), drafts that save themselves, attachments, submitting."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from accounts.models import Role
from accounts.permissions import require_roles
from core import audit_labels
from core.extensions import db
from core.forms import add_uploaded_file
from core.i18n import format_dt
from core.limits import body_limit
from core.loaders import allowed_or_404, part_or_404
from core.queries import count_by
from core.request_cycle import on_user_error, redirect_either_way
from core.storage import send_stored
from core.views import register_panel
from nominations import attachments, dossiers
from nominations.blueprint import bp
from nominations.checks import DEFAULT_PASS_OPINION
from nominations.forms import CheckForm, DossierForm, FileForm
from nominations.models import (
    FileKind,
    Nomination,
    NominationFile,
    NominationStatus,
    Programme,
    ProgrammeStage,
    Quota,
)
from nominations.permissions import (
    can_check_nomination,
    can_edit_nomination,
    can_nominate,
    can_print_dossier,
    can_reveal_resident_id,
    can_view_nomination,
)
from nominations.programmes import PLACE_HOLDING
from nominations.validators import mask_resident_id

VIEWERS = (Role.COORDINATOR, Role.ORGANISER, Role.ADMIN)

register_panel(("coordinator",), "nominations/_panel_unit.html")
PER_PAGE = 30


def nomination_or_404(nomination_id: int, *, edit: bool = False) -> Nomination:
    """Someone else's dossier does not exist for this person."""
    return allowed_or_404(Nomination, nomination_id, can_edit_nomination if edit else can_view_nomination)


def _nominating_programme_or_404(programme_id: int) -> Programme:
    return allowed_or_404(Programme, programme_id, can_nominate)


def _actor():
    return current_user._get_current_object()


@bp.route("/nominations/unit")
@require_roles(Role.COORDINATOR)
def unit_home():
    unit_id = current_user.unit_id or 0
    quotas = db.session.execute(
        select(Programme, Quota.places)
        .join(Quota, (Quota.programme_id == Programme.id) & (Quota.unit_id == unit_id))
        .where(Programme.stage != ProgrammeStage.DRAFT)
        .order_by(Programme.id.desc())
    ).all()
    used = count_by(Nomination.programme_id, Nomination.unit_id == unit_id, Nomination.status.in_(PLACE_HOLDING))
    stmt = select(Nomination).where(Nomination.unit_id == unit_id).order_by(Nomination.id.desc())
    page = db.paginate(stmt, per_page=PER_PAGE, error_out=False)
    return render_template("nominations/unit.html", quotas=quotas, used=used, page=page)


def dossier_form_page(programme: Programme, form: DossierForm, nomination: Nomination | None):
    if programme.is_team:
        form.name.label.text = _("The team's name")
    counts = dossiers.word_counts(nomination) if nomination else {"summary": 0, "deeds": 0}
    return render_template(
        "nominations/dossier_form.html",
        programme=programme,
        form=form,
        nomination=nomination,
        counts=counts,
        masked_id=mask_resident_id(nomination.resident_id) if nomination else "",
        file_form=FileForm(),
    )


def _save(programme: Programme, form: DossierForm, nomination: Nomination | None):
    on_user_error(lambda: dossier_form_page(programme, form, nomination), status=422)
    saved = dossiers.save_dossier(
        programme,
        current_user.unit_id,
        form.values(programme),
        _actor(),
        nomination,
        submit=bool(form.submit.data),
    )
    for warning in saved.warnings:
        flash(warning, "warning")
    if saved.submitted:
        flash(_("The dossier has been submitted to the organiser."), "success")
        return redirect(url_for("nominations.dossier", nomination_id=saved.nomination.id))
    flash(_("The draft has been saved."), "success")
    return redirect(url_for("nominations.edit_dossier", nomination_id=saved.nomination.id))


@bp.route("/nominations/programmes/<int:programme_id>/dossiers/new", methods=["GET", "POST"])
@require_roles(Role.COORDINATOR)
def new_dossier(programme_id: int):
    programme = _nominating_programme_or_404(programme_id)
    form = DossierForm()
    if form.validate_on_submit():
        return _save(programme, form, None)
    if request.method == "POST":
        return dossier_form_page(programme, form, None), 422
    return dossier_form_page(programme, form, None)


@bp.route("/nominations/dossiers/<int:nomination_id>/edit", methods=["GET", "POST"])
@require_roles(Role.COORDINATOR)
def edit_dossier(nomination_id: int):
    nomination = nomination_or_404(nomination_id, edit=True)
    refusal = dossiers.edit_refusal(nomination)
    if refusal:
        flash(_(refusal), "error")
        return redirect(url_for("nominations.dossier", nomination_id=nomination.id))
    form = DossierForm(obj=nomination)
    if request.method == "GET":
        form.resident_id.data = ""  # never sent back in full; the page shows it masked
    if form.validate_on_submit():
        return _save(nomination.programme, form, nomination)
    if request.method == "POST":
        return dossier_form_page(nomination.programme, form, nomination), 422
    return dossier_form_page(nomination.programme, form, nomination)


@bp.route("/nominations/programmes/<int:programme_id>/dossiers/autosave", methods=["POST"])
@require_roles(Role.COORDINATOR)
def autosave_dossier(programme_id: int):
    programme = _nominating_programme_or_404(programme_id)
    nomination_id = request.form.get("nomination_id", type=int)
    nomination = nomination_or_404(nomination_id, edit=True) if nomination_id else None
    if nomination is not None and nomination.programme_id != programme.id:
        abort(404)
    on_user_error(json_status=409)
    form = DossierForm()
    if not form.validate():
        first = next(iter(form.errors.values()))
        return jsonify({"ok": False, "message": str(first[0])}), 422
    saved = dossiers.save_dossier(
        programme, current_user.unit_id, form.values(programme), _actor(), nomination, autosave=True
    )
    return jsonify(
        {
            "ok": True,
            "nomination_id": saved.nomination.id,
            "edit_url": url_for("nominations.edit_dossier", nomination_id=saved.nomination.id),
            "counts": dossiers.word_counts(saved.nomination),
            "message": _("Draft saved at %(time)s", time=format_dt(saved.nomination.updated_at, True)),
            "warnings": saved.warnings,
        }
    )


def dossier_page(nomination: Nomination, revealed: str | None = None):
    """The dossier with its whole chain; ``revealed`` is the full ID number an organiser asked for."""
    check_form = None
    if nomination.status == NominationStatus.SUBMITTED and can_check_nomination(current_user, nomination):
        check_form = CheckForm()
    return render_template(
        "nominations/dossier.html",
        nomination=nomination,
        programme=nomination.programme,
        counts=dossiers.word_counts(nomination),
        masked_id=mask_resident_id(nomination.resident_id),
        revealed=revealed,
        can_reveal=bool(nomination.resident_id) and can_reveal_resident_id(current_user, nomination),
        can_edit=can_edit_nomination(current_user, nomination) and not dossiers.edit_refusal(nomination),
        can_print=can_print_dossier(current_user, nomination),
        check_form=check_form,
        default_pass=DEFAULT_PASS_OPINION,
        field_label=lambda key: _(audit_labels.field_label(key)),
    )


@bp.route("/nominations/dossiers/<int:nomination_id>")
@require_roles(*VIEWERS)
def dossier(nomination_id: int):
    return dossier_page(nomination_or_404(nomination_id))


@bp.route("/nominations/dossiers/<int:nomination_id>/delete", methods=["POST"])
@require_roles(Role.COORDINATOR)
def delete_dossier(nomination_id: int):
    nomination = nomination_or_404(nomination_id, edit=True)
    on_user_error(url_for("nominations.dossier", nomination_id=nomination.id))
    dossiers.delete_draft(nomination, _actor())
    flash(_("The draft has been deleted."), "success")
    return redirect(url_for("nominations.unit_home"))


@bp.route("/nominations/dossiers/<int:nomination_id>/files", methods=["POST"])
@body_limit("upload")
@require_roles(Role.COORDINATOR)
def upload_file(nomination_id: int):
    nomination = nomination_or_404(nomination_id, edit=True)
    response = redirect_either_way(url_for("nominations.edit_dossier", nomination_id=nomination.id))
    return add_uploaded_file(
        FileForm(), lambda kind, name, data: attachments.add_file(nomination, kind, name, data, _actor()), response
    )


def _file_or_404(nomination: Nomination, file_id: int) -> NominationFile:
    return part_or_404(NominationFile, file_id, nomination_id=nomination.id)


@bp.route("/nominations/dossiers/<int:nomination_id>/files/<int:file_id>/delete", methods=["POST"])
@require_roles(Role.COORDINATOR)
def delete_file(nomination_id: int, file_id: int):
    nomination = nomination_or_404(nomination_id, edit=True)
    record = _file_or_404(nomination, file_id)
    response = redirect_either_way(url_for("nominations.edit_dossier", nomination_id=nomination.id))
    attachments.remove_file(record, _actor())
    flash(_("The file has been removed."), "success")
    return response


@bp.route("/nominations/dossiers/<int:nomination_id>/files/<int:file_id>")
@require_roles(*VIEWERS)
def dossier_file(nomination_id: int, file_id: int):
    nomination = nomination_or_404(nomination_id)
    record = _file_or_404(nomination, file_id)
    suffix = attachments.SUFFIX.get(record.stored_file.content_type, "")
    name = f"dossier-{nomination.id}-{'photo' if record.kind == FileKind.PHOTO else record.id}{suffix}"
    return send_stored(record.stored_file, name, as_attachment=record.kind != FileKind.PHOTO)
