"""Printing and downloads: the 推荐表 PDF, the programme's PDF batch, the 推荐汇总表 .xlsx.

Whoever may not see a dossier or a programme's papers gets a 404, so that their
existence is not disclosed.
"""

from __future__ import annotations

from flask import Response, abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import desc, select

from accounts.models import Unit
from core.exports import content_disposition, send_table
from core.extensions import db
from core.jobs import Job, start_job
from core.loaders import allowed_or_404
from core.request_cycle import on_user_error
from nominations import printing, summary
from nominations.blueprint import bp
from nominations.jobs import DOSSIER_BATCH
from nominations.models import Nomination, NominationStatus, Programme
from nominations.permissions import can_download_unit_summary, can_print_dossier, can_print_programme


def _pdf_response(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _programme_for_office(programme_id: int) -> Programme:
    return allowed_or_404(Programme, programme_id, can_print_programme)


@bp.route("/nominations/dossiers/<int:nomination_id>.pdf")
@login_required
def dossier_pdf(nomination_id: int):
    nomination = allowed_or_404(Nomination, nomination_id, can_print_dossier)
    pdf = printing.dossier_pdf(nomination)
    return _pdf_response(pdf, f"{nomination.programme.title}-{nomination.name or nomination.id}-推荐表.pdf")


@bp.route("/nominations/programmes/<int:programme_id>/summary.xlsx")
@login_required
def programme_summary(programme_id: int):
    programme = _programme_for_office(programme_id)
    return send_table(summary.summary_table(programme), "xlsx", summary.filename(programme))


@bp.route("/nominations/programmes/<int:programme_id>/units/<int:unit_id>/summary.xlsx")
@login_required
def unit_summary(programme_id: int, unit_id: int):
    programme = db.session.get(Programme, programme_id)
    unit = db.session.get(Unit, unit_id)
    if programme is None or unit is None or not can_download_unit_summary(current_user, programme, unit.id):
        abort(404)
    # The unit sees its own drafts in its list; the office only what was submitted.
    own = current_user.unit_id == unit.id and not can_print_programme(current_user, programme)
    table = summary.summary_table(programme, unit=unit, include_drafts=own)
    return send_table(table, "xlsx", summary.filename(programme, unit))


@bp.route("/nominations/programmes/<int:programme_id>/dossiers/batch")
@login_required
def print_batch(programme_id: int):
    programme = _programme_for_office(programme_id)
    count = db.session.scalar(
        select(db.func.count(Nomination.id)).where(
            Nomination.programme_id == programme.id, Nomination.status != NominationStatus.DRAFT
        )
    )
    jobs = db.session.scalars(
        select(Job)
        .where(Job.kind == DOSSIER_BATCH, Job.created_by_id == current_user.id)
        .order_by(desc(Job.id))
        .limit(20)
    ).all()
    jobs = [job for job in jobs if (job.params or {}).get("programme_id") == programme.id][:5]
    return render_template("nominations/print/batch.html", programme=programme, count=count, jobs=jobs)


@bp.route("/nominations/programmes/<int:programme_id>/dossiers/batch", methods=["POST"])
@login_required
def start_print_batch(programme_id: int):
    programme = _programme_for_office(programme_id)
    on_user_error(url_for(".print_batch", programme_id=programme.id))
    job = start_job(
        DOSSIER_BATCH,
        _("Dossiers of %(title)s (PDF)", title=programme.title),
        {"programme_id": programme.id},
        user=current_user,
    )
    return redirect(url_for("core.job_page", job_id=job.id))
