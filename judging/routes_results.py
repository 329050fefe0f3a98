"""Organiser pages and actions on a round's results: ranking and awards, the score summary,
entries with too few scores, arbitration nobody eligible could take, and the round's committee.
Registered on the judging blueprint."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts.models import Role, User
from accounts.permissions import require_roles
from core import exports
from core.errors import UserError
from core.extensions import db
from core.forms import form_values
from core.request_cycle import on_user_error, redirect_either_way
from judging import arbitration, award_services, committee_services, results, teacher_honours, workspace
from judging import awards as awards_mod
from judging.access import round_action, round_or_404
from judging.forms import AdjustForm, PickUserForm, ReasonForm, TeacherHonoursForm, award_scheme_form
from judging.models import Round
from judging.routes import bp


@bp.route("/rounds/<int:round_id>/short/accept", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def accept_short(round_id: int):
    round_, done = round_action(round_id, "judging.awards", "#short")
    form = ReasonForm()
    sid = form.submission_id.data
    accepted = results.accept_short_entries(round_, [sid] if sid else None, actor=current_user, reason=form.reason.data)
    flash(
        _("%(count)s entries with too few scores accepted; the reason is in the audit log.", count=len(accepted)),
        "success",
    )
    return done


@bp.route("/rounds/<int:round_id>/arbitration/<int:submission_id>/assign", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def arbitration_assign(round_id: int, submission_id: int):
    round_, done = round_action(round_id, anchor="#stuck-arbitration")
    judge_id = PickUserForm().judge_id.data or 0
    item = arbitration.assign_arbiter_by_hand(round_, submission_id, judge_id, actor=current_user)
    flash(_("%(name)s now has the entry to arbitrate.", name=item.judge.display_name), "success")
    if round_.state != "open":
        flash(_("Reopen the round so that the judge can score."), "warning")
    return done


@bp.route("/rounds/<int:round_id>/arbitration/<int:submission_id>/accept", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def arbitration_accept(round_id: int, submission_id: int):
    round_, done = round_action(round_id, anchor="#stuck-arbitration")
    reason = ReasonForm().reason.data
    arbitration.accept_without_arbiter(round_, submission_id, actor=current_user, reason=reason)
    flash(_("The scores stand without arbitration; the reason is in the audit log."), "success")
    return done


@bp.route("/rounds/<int:round_id>/committee", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def committee_add(round_id: int):
    round_, done = round_action(round_id, "judging.awards", "#committee")
    user = db.session.get(User, PickUserForm().user_id.data or 0)
    if user is None:
        raise UserError(_("Choose a committee member from the list."))
    committee_services.add_member(round_, user, actor=current_user)
    flash(_("%(name)s now serves on the round's committee.", name=user.display_name), "success")
    return done


@bp.route("/rounds/<int:round_id>/committee/<int:user_id>/remove", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def committee_remove(round_id: int, user_id: int):
    round_, done = round_action(round_id, "judging.awards", "#committee")
    user = db.get_or_404(User, user_id)
    committee_services.remove_member(round_, user, actor=current_user)
    flash(_("%(name)s no longer serves on the round's committee.", name=user.display_name), "success")
    return done


@bp.route("/rounds/<int:round_id>/awards", methods=["GET", "POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def awards(round_id: int):
    round_ = round_or_404(round_id)
    if request.method == "GET":
        return _awards_page(round_)
    form = award_scheme_form()
    done = redirect_either_way(url_for("judging.awards", round_id=round_id))
    fields = form_values(form, "grouping", "one_award_per_author", "boundary_tie")
    award_services.set_scheme(round_, actor=current_user, levels=form.levels(), **fields)
    allocation = results.allocate_awards(round_, actor=current_user)
    flash(_("Awards allocated: %(count)s.", count=len(allocation.awards)), "success")
    for tie in allocation.pending_ties:
        level = _(awards_mod.LEVEL_LABELS[tie.level])
        flash(_("A tie at the boundary of %(level)s needs the committee's decision.", level=level), "warning")
    return done


@bp.post("/rounds/<int:round_id>/awards/teachers")
@require_roles(Role.ORGANISER, Role.ADMIN)
def award_teachers(round_id: int):
    """优秀指导教师: the teachers of the round's awarded entries, handed to publishing."""
    round_ = round_or_404(round_id)
    on_user_error(url_for("judging.awards", round_id=round_id) + "#teachers")
    form = TeacherHonoursForm()
    if not form.validate_on_submit():
        abort(400)
    rs = teacher_honours.award_teacher_honours(round_, form.level_text.data, actor=current_user)
    flash(_("%(count)s teachers are in the list; put it on notice from here.", count=len(rs.honours)), "success")
    return redirect(url_for("publishing.manage_result", rs_id=rs.id))


def _awards_page(round_: Round):
    scheme = award_services.get_scheme(round_)
    adjust = AdjustForm()
    adjust.new_level.choices = [("", _("No award"))] + [
        (c, _(awards_mod.LEVEL_LABELS[c])) for c in awards_mod.LEVEL_CODES
    ]
    return render_template(
        "judging/awards.html",
        round=round_,
        scheme=scheme,
        scheme_form=award_scheme_form(scheme),
        ranking=workspace.ranking(round_),
        adjust=adjust,
        adjustments=workspace.adjustments(round_),
        short=results.short_entries(round_),
        ties=committee_services.tie_views(round_),
        tie_decisions=committee_services.decisions(round_),
        committee=committee_services.members(round_),
        committee_choices=committee_services.candidates(),
        teacher_form=TeacherHonoursForm() if teacher_honours.names_teachers(round_.competition) else None,
        teacher_set=teacher_honours.teacher_result_set(round_.competition),
    )


@bp.route("/rounds/<int:round_id>/awards/adjust", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def adjust(round_id: int):
    round_ = round_or_404(round_id)
    form = AdjustForm()
    form.new_level.choices = [("", "")] + [(c, c) for c in awards_mod.LEVEL_CODES]
    done = redirect_either_way(url_for("judging.awards", round_id=round_id))
    if not form.validate_on_submit():
        if form.reason.errors:
            raise UserError(_("A reason is required to change an award."))
        raise UserError(_("Choose an award level from the list."))
    award_services.adjust_award(
        round_, form.submission_id.data, form.new_level.data or None, actor=current_user, reason=form.reason.data
    )
    flash(_("Award changed; the reason is in the audit log."), "success")
    return done


@bp.route("/rounds/<int:round_id>/export.<fmt>")
@require_roles(Role.ORGANISER, Role.ADMIN)
def export(round_id: int, fmt: str):
    """评分汇总表 of the stored results; a GET changes nothing (recompute with the POST below)."""
    round_ = round_or_404(round_id)
    if fmt not in exports.FORMATS:
        abort(404)
    return exports.send_table(
        workspace.summary_table(round_), fmt, f"评分汇总表-{round_.competition.code}-{round_.position}.{fmt}"
    )


@bp.route("/rounds/<int:round_id>/results/compute", methods=["POST"])
@require_roles(Role.ORGANISER, Role.ADMIN)
def compute_results(round_id: int):
    round_, done = round_action(round_id, "judging.awards")
    results.compute_results(round_, actor=current_user)
    flash(_("The ranking was recomputed from the current scores."), "success")
    return done
