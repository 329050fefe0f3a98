"""The office's pages for the later stages: expert assignment and ranking, the committee
ballot, the 联审 departments, the hand-over to publishing and approval.

Imported by ``routes_review`` (so the blueprint knows these routes); organisers only.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from accounts.models import Role, Unit, User, UserRole
from accounts.permissions import require_roles
from core import exports
from core.extensions import db
from core.request_cycle import on_user_error, redirect_either_way
from nominations import ballot_services, handover, joint, panels, review
from nominations.blueprint import bp
from nominations.forms_review import JointUnitForm, MemberForm
from nominations.models import JointUnit, MemberRole, Programme, ProgrammeMember

office = require_roles(Role.ORGANISER, Role.ADMIN)


def _programme(programme_id: int) -> Programme:
    programme = db.session.get(Programme, programme_id)
    if programme is None:
        abort(404)
    return programme


def _member_form(programme: Programme, role: MemberRole) -> MemberForm:
    wanted = Role.JUDGE if role == MemberRole.EXPERT else Role.COMMITTEE
    taken = {m.user_id for m in programme.members if m.role == role}
    users = db.session.scalars(
        select(User).join(UserRole).where(UserRole.role == wanted, User.active.is_(True)).order_by(User.display_name)
    ).all()
    form = MemberForm(role=role.value)
    form.user_id.choices = [(u.id, u.display_name) for u in users if u.id not in taken]
    return form


@bp.route("/nominations/programmes/<int:programme_id>/review")
@office
def stage_review(programme_id: int):
    programme = _programme(programme_id)
    return render_template(
        "nominations/review/office.html",
        programme=programme,
        rows=review.ranking(programme),
        experts=panels.members(programme, MemberRole.EXPERT),
        problems=review.ballot_problems(programme),
        form=_member_form(programme, MemberRole.EXPERT),
    )


@bp.route("/nominations/programmes/<int:programme_id>/review/ranking.<any(xlsx, csv):fmt>")
@office
def stage_review_export(programme_id: int, fmt: str):
    programme = _programme(programme_id)
    return exports.send_table(review.ranking_table(programme), fmt, f"专家评审汇总表-{programme.id}.{fmt}")


@bp.route("/nominations/programmes/<int:programme_id>/ballot/results.<any(xlsx, csv):fmt>")
@office
def stage_ballot_export(programme_id: int, fmt: str):
    programme = _programme(programme_id)
    if programme.ballot_closed_at is None:
        abort(404)
    return exports.send_table(ballot_services.results_table(programme), fmt, f"投票结果-{programme.id}.{fmt}")


@bp.route("/nominations/programmes/<int:programme_id>/review/assign", methods=["POST"])
@office
def stage_assign(programme_id: int):
    programme = _programme(programme_id)
    done = redirect_either_way(url_for("nominations.stage_review", programme_id=programme_id))
    result = review.assign_experts(programme, current_user)
    flash(_("%(count)s assignment(s) made.", count=len(result.new)), "success")
    if result.unfilled:
        flash(_("%(count)s dossier(s) have fewer experts than needed.", count=len(result.unfilled)), "warning")
    return done


@bp.route("/nominations/programmes/<int:programme_id>/members", methods=["POST"])
@office
def stage_member_add(programme_id: int):
    programme = _programme(programme_id)
    form = MemberForm()
    form.user_id.choices = [(form.user_id.data, "")] if isinstance(form.user_id.data, int) else []
    page = "nominations.stage_ballot" if form.role.data == MemberRole.COMMITTEE else "nominations.stage_review"
    done = redirect_either_way(url_for(page, programme_id=programme_id))
    user = db.session.get(User, form.user_id.data) if form.validate_on_submit() else None
    if user is None:
        flash(_("Choose a person."), "error")
        return done
    panels.add_member(programme, user, MemberRole(form.role.data), current_user)
    flash(_("%(name)s has been added.", name=user.display_name), "success")
    return done


@bp.route("/nominations/programmes/<int:programme_id>/members/<int:member_id>/remove", methods=["POST"])
@office
def stage_member_remove(programme_id: int, member_id: int):
    member = db.session.get(ProgrammeMember, member_id)
    if member is None or member.programme_id != programme_id:
        abort(404)
    page = "nominations.stage_ballot" if member.role == MemberRole.COMMITTEE else "nominations.stage_review"
    done = redirect_either_way(url_for(page, programme_id=programme_id))
    panels.remove_member(member, current_user)
    return done


@bp.route("/nominations/programmes/<int:programme_id>/ballot")
@office
def stage_ballot(programme_id: int):
    programme = _programme(programme_id)
    return render_template(
        "nominations/committee/office_ballot.html",
        programme=programme,
        committee=[m for m in programme.members if m.role == MemberRole.COMMITTEE],
        candidates=ballot_services.candidates(programme),
        turnout=ballot_services.turnout(programme),
        results=ballot_services.results(programme),
        form=_member_form(programme, MemberRole.COMMITTEE),
    )


@bp.route("/nominations/programmes/<int:programme_id>/ballot/<any(open, close):action>", methods=["POST"])
@office
def stage_ballot_action(programme_id: int, action: str):
    programme = _programme(programme_id)
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
    programme = _programme(programme_id)
    taken = {ju.unit_id for ju in programme.joint_units}
    form = JointUnitForm()
    units = db.session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.name)).all()
    form.unit_id.choices = [(u.id, u.name) for u in units if u.id not in taken]
    return render_template(
        "nominations/committee/office_joint.html",
        programme=programme,
        candidates=joint.candidates(programme),
        decisions=joint.decisions(programme),
        form=form,
    )


@bp.route("/nominations/programmes/<int:programme_id>/joint/units", methods=["POST"])
@office
def stage_joint_unit_add(programme_id: int):
    programme = _programme(programme_id)
    form = JointUnitForm()
    form.unit_id.choices = [(form.unit_id.data, "")] if isinstance(form.unit_id.data, int) else []
    done = redirect_either_way(url_for("nominations.stage_joint", programme_id=programme_id))
    unit = db.session.get(Unit, form.unit_id.data) if form.validate_on_submit() else None
    if unit is None:
        flash(_("Choose a department."), "error")
        return done
    joint.add_joint_unit(programme, unit, current_user)
    return done


@bp.route("/nominations/programmes/<int:programme_id>/joint/units/<int:row_id>/remove", methods=["POST"])
@office
def stage_joint_unit_remove(programme_id: int, row_id: int):
    row = db.session.get(JointUnit, row_id)
    if row is None or row.programme_id != programme_id:
        abort(404)
    done = redirect_either_way(url_for("nominations.stage_joint", programme_id=programme_id))
    joint.remove_joint_unit(row, current_user)
    return done


@bp.route("/nominations/programmes/<int:programme_id>/handover")
@office
def stage_handover(programme_id: int):
    programme = _programme(programme_id)
    return render_template(
        "nominations/committee/office_handover.html",
        programme=programme,
        rs=handover.result_set(programme),
        nominations=handover.handed_over(programme),
    )


@bp.route("/nominations/programmes/<int:programme_id>/handover/<any(notice, approve):action>", methods=["POST"])
@office
def stage_handover_action(programme_id: int, action: str):
    programme = _programme(programme_id)
    on_user_error(url_for("nominations.stage_handover", programme_id=programme_id))
    if action == "notice":
        rs = handover.hand_over(programme, current_user)
        flash(_("The candidates are in publishing; start the public notice there."), "success")
        return redirect(url_for("publishing.manage_result", rs_id=rs.id))
    handover.approve_programme(programme, current_user)
    flash(_("The programme is approved and its honours are published."), "success")
    return redirect(url_for("nominations.stage_handover", programme_id=programme_id))
