"""Committee members (the secret ballot) and 联审 departments (sign-off of the candidates).

Both see candidates as ``ExpertDossier`` projections (no phone, no resident ID),
and only at their stage; anyone else gets a 404.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from accounts.models import Role
from accounts.permissions import require_roles
from core.extensions import db
from core.loaders import allowed_or_404
from core.request_cycle import redirect_either_way
from nominations import ballot_services, expert_view, joint, panels, review
from nominations.blueprint import bp
from nominations.forms_review import JointDecisionForm, RecusalForm, VoteForm
from nominations.models import JointUnit, MemberRole, Nomination, Programme, ProgrammeStage
from nominations.permissions import can_joint_review, can_see_candidates, can_see_tallies, is_committee_member_of

signed_in = require_roles()


def _served(programme_id: int) -> Programme:
    return allowed_or_404(
        Programme, programme_id, lambda user, p: is_committee_member_of(user, p) and can_see_candidates(user, p)
    )


def _candidate(programme: Programme, nomination_id: int) -> Nomination:
    nomination = db.session.get(Nomination, nomination_id)
    if nomination is None or nomination not in ballot_services.candidates(programme):
        abort(404)
    return nomination


def _ballot_action(programme_id: int, nomination_id: int):
    """(programme, candidate, the ballot page to go back to) of a member's vote or recusal."""
    programme = _served(programme_id)
    nomination = _candidate(programme, nomination_id)
    return (
        programme,
        nomination,
        redirect_either_way(url_for("nominations.committee_ballot", programme_id=programme_id)),
    )


@bp.route("/nominations/committee")
@require_roles(Role.COMMITTEE)
def committee_home():
    programmes = panels.served_programmes(current_user, MemberRole.COMMITTEE)
    return render_template("nominations/committee/home.html", programmes=programmes)


@bp.route("/nominations/committee/<int:programme_id>")
@signed_in
def committee_ballot(programme_id: int):
    programme = _served(programme_id)
    candidates = ballot_services.candidates(programme)
    return render_template(
        "nominations/committee/ballot.html",
        programme=programme,
        candidates=candidates,
        means=review.mean_scores(candidates),
        mine=ballot_services.my_ballots(programme, current_user),
        results=ballot_services.results(programme) if can_see_tallies(current_user, programme) else [],
        is_open=ballot_services.is_open(programme),
        vote_form=VoteForm(),
        recusal_form=RecusalForm(),
    )


@bp.route("/nominations/committee/<int:programme_id>/c/<int:nomination_id>")
@signed_in
def committee_candidate(programme_id: int, nomination_id: int):
    programme = _served(programme_id)
    nomination = _candidate(programme, nomination_id)
    return render_template(
        "nominations/committee/candidate.html",
        programme=programme,
        dossier=expert_view.project(nomination, blind=False),
        mean=review.mean_scores([nomination]).get(nomination.id),
        mine=ballot_services.my_ballots(programme, current_user),
        is_open=ballot_services.is_open(programme),
        vote_form=VoteForm(),
        recusal_form=RecusalForm(),
    )


@bp.route("/nominations/committee/<int:programme_id>/c/<int:nomination_id>/vote", methods=["POST"])
@signed_in
def committee_vote(programme_id: int, nomination_id: int):
    programme, nomination, done = _ballot_action(programme_id, nomination_id)
    form = VoteForm()
    if not form.validate_on_submit():
        flash(_("Choose for, against or abstain."), "error")
        return done
    ballot_services.cast_vote(programme, nomination, current_user, form.vote.data)
    flash(_("Your vote is recorded."), "success")
    return done


@bp.route("/nominations/committee/<int:programme_id>/c/<int:nomination_id>/recuse", methods=["POST"])
@signed_in
def committee_recuse(programme_id: int, nomination_id: int):
    programme, nomination, done = _ballot_action(programme_id, nomination_id)
    form = RecusalForm()
    ballot_services.recuse(programme, nomination, current_user, form.reason.data if form.validate_on_submit() else "")
    flash(_("You have recused yourself from this candidate."), "success")
    return done


# --- 联审 departments ---------------------------------------------------------------


def _joint_programme(programme_id: int) -> Programme:
    return allowed_or_404(Programme, programme_id, can_joint_review)


@bp.route("/nominations/joint")
@require_roles(Role.COORDINATOR)
def joint_home():
    programmes = db.session.scalars(
        select(Programme)
        .join(JointUnit)
        .where(JointUnit.unit_id == current_user.unit_id, Programme.stage == ProgrammeStage.JOINT_REVIEW)
        .order_by(Programme.id.desc())
    ).all()
    if len(programmes) == 1:
        return redirect(url_for("nominations.joint_programme", programme_id=programmes[0].id))
    return render_template("nominations/committee/joint_home.html", programmes=programmes)


@bp.route("/nominations/joint/<int:programme_id>")
@require_roles(Role.COORDINATOR)
def joint_programme(programme_id: int):
    programme = _joint_programme(programme_id)
    candidates = joint.candidates(programme)
    return render_template(
        "nominations/committee/joint.html",
        programme=programme,
        dossiers=[(n, expert_view.project(n, blind=False)) for n in candidates],
        decisions=joint.decisions(programme),
        unit_id=current_user.unit_id,
        form=JointDecisionForm(),
    )


@bp.route("/nominations/joint/<int:programme_id>/c/<int:nomination_id>", methods=["POST"])
@require_roles(Role.COORDINATOR)
def joint_decide(programme_id: int, nomination_id: int):
    programme = _joint_programme(programme_id)
    nomination = db.session.get(Nomination, nomination_id)
    if nomination is None or nomination not in joint.candidates(programme):
        abort(404)
    form = JointDecisionForm()
    done = redirect_either_way(url_for("nominations.joint_programme", programme_id=programme_id))
    decision = form.decision.data if form.validate_on_submit() else ""
    joint.decide(programme, nomination, current_user.unit_id, decision, form.reason.data or "", current_user)
    flash(_("Your department's decision is recorded."), "success")
    return done
