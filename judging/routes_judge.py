"""The judge's pages: their rounds, the pledge, the queue, reading and scoring an entry.

The blind side of the judging blueprint. Templates get projections only: a
``workspace.JudgeRound`` for the round (never the ``Round``, which reaches its
leader and competition), ``essays.blind.BlindEntry`` for entries, plain data
for the judge's own work. Registered on ``judging.routes.bp`` (see
``core.register_blueprints``).
"""

from __future__ import annotations

import io

from flask import abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts.models import Role
from accounts.permissions import require_roles
from core.errors import UserError
from core.extensions import db
from core.jobs import start_job
from core.request_cycle import on_user_error
from core.views import register_panel
from judging import judge_services, packets, pool_services, workspace
from judging.forms_judge import DeclareConflictForm, PledgeForm, RecuseForm, score_form
from judging.models import Round
from judging.permissions import can_change_score, can_recuse, can_see_other_scores, can_work_in_round
from judging.routes import bp

register_panel(("judge",), "judging/_panel_judge.html")


def _my_round(round_id: int, *, pledge: bool = True) -> Round:
    """The judge's round; 404 for a round they do not judge.

    Every judge-facing route of a round loads it here, and unless it is the
    pledge itself (``pledge=False``) a judge who has not accepted the round's
    pledge is sent to the pledge page: no entry, file, score sheet or action
    before it.
    """
    round_ = db.session.get(Round, round_id)
    member = pool_services.membership(round_, current_user) if round_ is not None else None
    if member is None:
        abort(404)
    if pledge and not can_work_in_round(member):
        abort(redirect(url_for("judging.round_queue", round_id=round_id)))
    return round_


def _my_item(round_: Round, code: str):
    item = workspace.find_assignment(round_, current_user.id, code)
    if item is None:
        abort(404)
    return item


def _private(response):
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/my")
@require_roles(Role.JUDGE)
def queue():
    rounds = workspace.my_rounds(current_user.id)
    if len(rounds) == 1:
        return redirect(url_for("judging.round_queue", round_id=rounds[0].round_id))
    return render_template("judging/my_rounds.html", rounds=rounds)


@bp.route("/my/<int:round_id>")
@require_roles(Role.JUDGE)
def round_queue(round_id: int):
    round_ = _my_round(round_id, pledge=False)
    view = workspace.judge_round(round_)
    if not can_work_in_round(pool_services.membership(round_, current_user)):
        return render_template("judging/pledge.html", round=view, form=PledgeForm())
    items = workspace.queue(round_, current_user.id)
    done = sum(1 for i in items if i.status == "submitted")
    return render_template(
        "judging/queue.html", round=view, items=items, done=done, can_score=judge_services.can_score_now(round_)
    )


@bp.route("/my/<int:round_id>/pledge", methods=["POST"])
@require_roles(Role.JUDGE)
def pledge(round_id: int):
    round_ = _my_round(round_id, pledge=False)
    form = PledgeForm()
    if not form.validate_on_submit():
        flash(_("Tick the box to accept the pledge."), "error")
        return redirect(url_for("judging.round_queue", round_id=round_id))
    on_user_error(url_for("judging.round_queue", round_id=round_id))
    judge_services.accept_pledge(round_, actor=current_user, declarations=form.declaration_rows())
    return redirect(url_for("judging.round_queue", round_id=round_id))


@bp.get("/my/<int:round_id>/e/<code>")
@require_roles(Role.JUDGE)
def entry(round_id: int, code: str):
    round_ = _my_round(round_id)
    item = _my_item(round_, code)
    view, blind, work = workspace.judge_round(round_), workspace.reading(item), workspace.work_state(item)
    member, scoring_open = pool_services.membership(round_, current_user), judge_services.can_score_now(round_)
    return render_template(
        "judging/entry.html",
        round=view,
        entry=blind,
        work=work,
        form=score_form(view.criteria, work=work, version=blind.version),
        can_score=can_change_score(member, item, scoring_open=scoring_open),
        can_recuse=can_recuse(member, item, scoring_open=scoring_open),
        recuse_form=RecuseForm(),
        conflict_form=DeclareConflictForm(),
        others=workspace.other_scores(round_, item) if can_see_other_scores(current_user, round_) else None,
        codes=workspace.neighbours(round_, current_user.id, code),
    )


@bp.post("/my/<int:round_id>/e/<code>")
@require_roles(Role.JUDGE)
def score(round_id: int, code: str):
    """Save a draft (also the page's autosave, answered in JSON) or submit the score."""
    round_ = _my_round(round_id)
    item = _my_item(round_, code)
    autosave = request.headers.get("X-Autosave") == "1"
    page = url_for("judging.entry", round_id=round_id, code=code)
    on_user_error(page, json_status=422 if autosave else None)
    form = score_form(workspace.judge_round(round_).criteria)
    if not form.validate():
        raise UserError(
            _("The form has expired or was sent from another page. Please reload the page and submit again.")
        )
    submit = form.submitting and not autosave
    saved = judge_services.save_score(
        item,
        actor=current_user,
        values=form.values(),
        comment=form.comment.data or "",
        submit=submit,
        shown_version=form.entry_version.data,
    )
    if autosave:
        return jsonify({"ok": True, "total": saved.total, "status": str(saved.status), "message": _("Saved")})
    if not submit:
        flash(_("Draft saved."), "success")
        return redirect(page)
    flash(_("Score submitted for %(code)s.", code=code), "success")
    return redirect(_after_submit(round_, code))


def _after_submit(round_: Round, code: str) -> str:
    """The next entry still waiting for the judge's score, else the queue."""
    following = workspace.next_code(round_, current_user.id, code)
    if following:
        return url_for("judging.entry", round_id=round_.id, code=following)
    return url_for("judging.round_queue", round_id=round_.id)


@bp.route("/my/<int:round_id>/e/<code>/recuse", methods=["POST"])
@require_roles(Role.JUDGE)
def recuse(round_id: int, code: str):
    return _leave_entry(
        round_id,
        code,
        RecuseForm(),
        judge_services.recuse,
        _("Please give a reason for recusing yourself."),
        _("You have recused yourself from %(code)s; it goes to another judge.", code=code),
    )


@bp.route("/my/<int:round_id>/e/<code>/conflict", methods=["POST"])
@require_roles(Role.JUDGE)
def declare_conflict(round_id: int, code: str):
    """The judge declares a conflict of interest: they leave the entry and assignment keeps away."""
    return _leave_entry(
        round_id,
        code,
        DeclareConflictForm(),
        judge_services.declare_conflict,
        _("Give the reason for the conflict of interest."),
        _("Your conflict of interest on %(code)s is recorded; it goes to another judge.", code=code),
    )


def _leave_entry(round_id: int, code: str, form, leave, reason_missing: str, left: str):
    """The judge leaves one of their entries with a reason (``leave`` records it), then their queue."""
    item = _my_item(_my_round(round_id), code)
    on_user_error(url_for("judging.entry", round_id=round_id, code=code))
    if not form.validate_on_submit():
        raise UserError(reason_missing)
    leave(item, actor=current_user, reason=form.reason.data)
    flash(left, "success")
    return redirect(url_for("judging.round_queue", round_id=round_id))


@bp.route("/my/<int:round_id>/e/<code>/file")
@require_roles(Role.JUDGE)
def entry_file(round_id: int, code: str):
    round_ = _my_round(round_id)
    item = _my_item(round_, code)
    data, name, mimetype = workspace.judge_copy(item)
    if data is None:
        abort(404)
    return _private(send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name, max_age=0))


@bp.route("/my/<int:round_id>/sheets.pdf")
@require_roles(Role.JUDGE)
def score_sheets(round_id: int):
    """Printable score sheets for offline judging: codes and rubric only."""
    round_ = _my_round(round_id)
    on_user_error(url_for("judging.round_queue", round_id=round_id))
    pdf = packets.score_sheets_pdf(round_, current_user.id)
    name = f"score-sheets-{round_.id}.pdf"
    return _private(
        send_file(io.BytesIO(pdf), mimetype="application/pdf", as_attachment=True, download_name=name, max_age=0)
    )


def _download(data: bytes, mimetype: str, name: str):
    return _private(send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name, max_age=0))


@bp.route("/my/<int:round_id>/packet.pdf")
@require_roles(Role.JUDGE)
def packet_pdf(round_id: int):
    """All the judge's entries of the round as one PDF; a big packet is built by a background job."""
    round_ = _my_round(round_id)
    if packets.packet_size(round_, current_user.id) > packets.DIRECT_LIMIT:
        params = {"round_id": round_.id, "judge_id": current_user.id}
        job = start_job("judging.packet", packets.packet_title(round_), params, user=current_user)
        return redirect(url_for("core.job_page", job_id=job.id))
    on_user_error(url_for("judging.round_queue", round_id=round_id))
    pdf = packets.packet_pdf(round_, current_user.id)
    return _download(pdf, "application/pdf", packets.packet_file_name(round_, "pdf"))


@bp.route("/my/<int:round_id>/packet.zip")
@require_roles(Role.JUDGE)
def packet_zip(round_id: int):
    """The judge copies of the judge's entries, named by code."""
    round_ = _my_round(round_id)
    data = packets.packet_zip(round_, current_user.id)
    return _download(data, "application/zip", packets.packet_file_name(round_, "zip"))
