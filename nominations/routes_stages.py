"""The office's pages for the later stages: expert assignment and ranking, the committee
ballot, the 联审 departments, the hand-over to publishing and approval; the people and
departments of a programme; moving a programme to its next stage.

Organisers only. Moving on is one route for every page (the overview's button and the
stage pages' buttons): ``programmes.advance_stage`` runs the guard of the stage being left
and enters NOTICE through the hand-over and APPROVED through the approval.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from accounts.models import Role, Unit, User, UserRole
from accounts.permissions import require_roles
from core import exports
from core.extensions import db
from core.loaders import allowed_or_404, part_or_404
from core.request_cycle import on_user_error, redirect_either_way
from nominations import ballot_services, handover, joint, panels, review
from nominations import programmes as programme_services
from nominations.blueprint import bp
from nominations.forms import JointUnitForm, MemberForm
from nominations.models import JointUnit, MemberRole, Programme, ProgrammeMember, ProgrammeStage
from nominations.permissions import can_manage_programme

office = require_roles(Role.ORGANISER, Role.ADMIN)


def programme_or_404(programme_id: int) -> Programme:
    """The programme, when the signed-in organiser manages it (another department's answers 404)."""
    return allowed_or_404(Programme, programme_id, can_manage_programme)


def reviewer_choices(role: MemberRole | None = None, taken=()) -> list[tuple[int, str]]:
    """Active accounts that may serve: judges as experts, committee accounts on the committee."""
    wanted = {MemberRole.EXPERT: [Role.JUDGE], MemberRole.COMMITTEE: [Role.COMMITTEE]}.get(
        role, [Role.JUDGE, Role.COMMITTEE]
    )
    users = db.session.scalars(
        select(User)
        .where(User.active.is_(True), User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(wanted))))
        .order_by(User.display_name)
    )
    return [(u.id, f"{u.display_name}（{u.username}）") for u in users if u.id not in taken]


def unit_choices(taken=()) -> list[tuple[int, str]]:
    units = db.session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.name))
    return [(u.id, u.name) for u in units if u.id not in taken]


def _member_form(programme: Programme, role: MemberRole) -> MemberForm:
    form = MemberForm(role=role.value)
    form.user_id.choices = reviewer_choices(role, {m.user_id for m in programme.members if m.role == role})
    return form


def _stage_page(template: str, programme: Programme, **context):
    """An office stage page: the programme, the stage it may move to next, and ``context``."""
    return render_template(
        template, programme=programme, next_stage=programme_services.next_stage(programme), **context
    )


@bp.route("/nominations/programmes/<int:programme_id>/review")
@office
def stage_review(programme_id: int):
    programme = programme_or_404(programme_id)
    return _stage_page(
        "nominations/review/office.html",
        programme,
        rows=review.ranking(programme),
        experts=panels.members(programme, MemberRole.EXPERT),
        problems=review.ballot_problems(programme),
        form=_member_form(programme, MemberRole.EXPERT),
    )


@bp.route("/nominations/programmes/<int:programme_id>/review/ranking.<any(xlsx, csv):fmt>")
@office
def stage_review_export(programme_id: int, fmt: str):
    programme = programme_or_404(programme_id)
    return exports.send_table(review.ranking_table(programme), fmt, f"专家评审汇总表-{programme.id}.{fmt}")


@bp.route("/nominations/programmes/<int:programme_id>/ballot/results.<any(xlsx, csv):fmt>")
@office
def stage_ballot_export(programme_id: int, fmt: str):
    programme = programme_or_404(programme_id)
    if programme.ballot_closed_at is None:
        abort(404)
    return exports.send_table(ballot_services.results_table(programme), fmt, f"投票结果-{programme.id}.{fmt}")


@bp.route("/nominations/programmes/<int:programme_id>/review/assign", methods=["POST"])
@office
def stage_assign(programme_id: int):
    programme = programme_or_404(programme_id)
    done = redirect_either_way(url_for("nominations.stage_review", programme_id=programme_id))
    result = review.assign_experts(programme, current_user)
    flash(_("%(count)s assignment(s) made.", count=len(result.new)), "success")
    if result.unfilled:
        flash(_("%(count)s dossier(s) have fewer experts than needed.", count=len(result.unfilled)), "warning")
    return done


@bp.route("/nominations/programmes/<int:programme_id>/ballot")
@office
def stage_ballot(programme_id: int):
    programme = programme_or_404(programme_id)
    return _stage_page(
        "nominations/committee/office_ballot.html",
        programme,
        committee=[m for m in programme.members if m.role == MemberRole.COMMITTEE],
        candidates=ballot_services.candidates(programme),
        turnout=ballot_services.turnout(programme),
        results=ballot_services.results(programme),
        form=_member_form(programme, MemberRole.COMMITTEE),
    )


@bp.route("/nominations/programmes/<int:programme_id>/ballot/<any(open, close):action>", methods=["POST"])
@office
def stage_ballot_action(programme_id: int, action: str):
    programme = programme_or_404(programme_id)
    done = redirect_either_way(url_for("nominations.stage_ballot", programme_id=programme_id))
    if action == "open":
        ballot_services.open_ballot(programme, current_user)
        flash(_("The ballot is open."), "success")
    else:
        rows = ballot_services.close_ballot(programme, current_user)
        passed = sum(1 for r in rows if r.tally.passed)
        flash(_("The ballot is closed: %(passed)s of %(count)s passed.", passed=passed, count=len(rows)), "success")
    return done


@bp.route("/nominations/programmes/<int:programme_id>/joint")
@office
def stage_joint(programme_id: int):
    programme = programme_or_404(programme_id)
    form = JointUnitForm()
    form.unit_id.choices = unit_choices({ju.unit_id for ju in programme.joint_units})
    return _stage_page(
        "nominations/committee/office_joint.html",
        programme,
        candidates=joint.candidates(programme),
        decisions=joint.decisions(programme),
        form=form,
    )


# The people and the 联审 departments are added on the set-up page and on the stage
# pages alike; a hidden ``back`` field names the page to return to.
BACK = {
    "setup": "nominations.programme_setup",
    "review": "nominations.stage_review",
    "ballot": "nominations.stage_ballot",
    "joint": "nominations.stage_joint",
}


def _back(programme_id: int, default: str):
    page = BACK.get(request.form.get("back", ""), BACK[default])
    return redirect_either_way(url_for(page, programme_id=programme_id))


@bp.route("/nominations/programmes/<int:programme_id>/members", methods=["POST"])
@office
def add_member(programme_id: int):
    programme = programme_or_404(programme_id)
    form = MemberForm()
    form.user_id.choices = reviewer_choices()
    done = _back(programme_id, "ballot" if form.role.data == MemberRole.COMMITTEE else "review")
    if not form.validate_on_submit():
        flash(_("Choose a person."), "error")
        return done
    user = db.session.get(User, form.user_id.data)
    panels.add_member(programme, user, MemberRole(form.role.data), current_user)
    flash(_("%(name)s has been added.", name=user.display_name), "success")
    return done


@bp.route("/nominations/programmes/<int:programme_id>/members/<int:member_id>/remove", methods=["POST"])
@office
def remove_member(programme_id: int, member_id: int):
    programme = programme_or_404(programme_id)
    member = part_or_404(ProgrammeMember, member_id, programme_id=programme.id)
    done = _back(programme_id, "ballot" if member.role == MemberRole.COMMITTEE else "review")
    panels.remove_member(member, current_user)
    flash(_("Removed."), "success")
    return done


@bp.route("/nominations/programmes/<int:programme_id>/joint-units", methods=["POST"])
@office
def add_joint_unit(programme_id: int):
    programme = programme_or_404(programme_id)
    form = JointUnitForm()
    form.unit_id.choices = unit_choices()
    done = _back(programme_id, "joint")
    if not form.validate_on_submit():
        flash(_("Choose a department."), "error")
        return done
    joint.add_joint_unit(programme, db.session.get(Unit, form.unit_id.data), current_user)
    flash(_("Saved."), "success")
    return done


@bp.route("/nominations/programmes/<int:programme_id>/joint-units/<int:row_id>/remove", methods=["POST"])
@office
def remove_joint_unit(programme_id: int, row_id: int):
    programme = programme_or_404(programme_id)
    row = part_or_404(JointUnit, row_id, programme_id=programme.id)
    done = _back(programme_id, "joint")
    joint.remove_joint_unit(row, current_user)
    flash(_("Removed."), "success")
    return done


@bp.route("/nominations/programmes/<int:programme_id>/handover")
@office
def stage_handover(programme_id: int):
    programme = programme_or_404(programme_id)
    return _stage_page(
        "nominations/committee/office_handover.html",
        programme,
        rs=handover.result_set(programme),
        nominations=handover.handed_over(programme),
    )


# Where the office goes once the programme has entered a stage.
STAGE_PAGES = {
    ProgrammeStage.EXPERT_REVIEW: "nominations.stage_review",
    ProgrammeStage.BALLOT: "nominations.stage_ballot",
    ProgrammeStage.JOINT_REVIEW: "nominations.stage_joint",
    ProgrammeStage.APPROVED: "nominations.stage_handover",
}


@bp.route("/nominations/programmes/<int:programme_id>/advance", methods=["POST"])
@office
def advance_stage(programme_id: int):
    programme = programme_or_404(programme_id)
    on_user_error()  # back to the page whose button was pressed
    stage = programme_services.advance_stage(programme, current_user)
    if stage == ProgrammeStage.NOTICE:
        flash(_("The candidates are in publishing; start the public notice there."), "success")
        return redirect(url_for("publishing.manage_result", rs_id=handover.result_set(programme).id))
    if stage == ProgrammeStage.APPROVED:
        flash(_("The programme is approved and its honours are published."), "success")
    else:
        flash(_("The programme is now at the stage: %(stage)s.", stage=stage.label), "success")
    return redirect(url_for(STAGE_PAGES.get(stage, "nominations.programme"), programme_id=programme_id))
