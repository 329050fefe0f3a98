"""Organiser pages for paper judging: each judge's reading packet, printed one judge at a time
or all judges as one batch job. Registered on the judging blueprint (see ``core.register_blueprints``)."""

from __future__ import annotations

import io

from flask import abort, redirect, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts.models import Role
from accounts.permissions import require_roles
from core.jobs import start_job
from core.request_cycle import on_user_error
from judging import packets
from judging.access import round_or_404
from judging.routes import bp


@bp.route("/rounds/<int:round_id>/packets/<int:judge_id>.pdf")
@require_roles(Role.ORGANISER, Role.ADMIN)
def judge_packet(round_id: int, judge_id: int):
    """One judge's packet to print; a big one is built by a background job."""
    round_ = round_or_404(round_id)
    if not packets.is_pool_judge(round_, judge_id):
        abort(404)
    if packets.packet_size(round_, judge_id) > packets.DIRECT_LIMIT:
        params = {"round_id": round_.id, "judge_id": judge_id, "name_judge": True}
        job = start_job("judging.packet", packets.packet_title(round_), params, user=current_user)
        return redirect(url_for("core.job_page", job_id=job.id))
    on_user_error(url_for("judging.round_setup", round_id=round_id) + "#judges")
    pdf = packets.packet_pdf(round_, judge_id)
    name = packets.packet_file_name(round_, "pdf", judge_id)
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", as_attachment=True, download_name=name, max_age=0)


@bp.route("/rounds/<int:round_id>/packets", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def all_packets(round_id: int):
    """Every active judge's packet in one PDF, built by a background job."""
    round_ = round_or_404(round_id)
    title = _("Reading packets of all judges: %(round)s", round=round_.name)
    job = start_job("judging.packet", title, {"round_id": round_.id}, user=current_user)
    return redirect(url_for("core.job_page", job_id=job.id))
