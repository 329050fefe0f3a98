"""联审: departments (纪委监委, 组织部 …) sign off every candidate who passed the ballot.

A department approves or vetoes each candidate; a veto needs a reason and removes
the candidate (VETOED, with a JOINT_VETO step carrying the reason).
"""

from __future__ import annotations

from sqlalchemy import select

from accounts.models import Unit
from core import audit
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_
from nominations.chain import add_step
from nominations.models import (
    JointDecision,
    JointReview,
    JointUnit,
    Nomination,
    NominationStatus,
    Programme,
    ProgrammeStage,
    StepKind,
)


def add_joint_unit(programme: Programme, unit: Unit, actor) -> JointUnit:
    if programme.stage in (ProgrammeStage.JOINT_REVIEW, ProgrammeStage.NOTICE, ProgrammeStage.APPROVED):
        raise UserError(N_("The joint review departments can no longer change at this stage."))
    if any(ju.unit_id == unit.id for ju in programme.joint_units):
        raise UserError(N_("%(name)s is already on the list."), name=unit.name)
    row = JointUnit(programme=programme, unit_id=unit.id)
    db.session.add(row)
    db.session.flush()
    audit.record("nomination.joint_unit_add", programme, actor=actor, changes={"unit": unit.name})
    return row


def remove_joint_unit(row: JointUnit, actor) -> None:
    programme = row.programme
    if programme.stage in (ProgrammeStage.JOINT_REVIEW, ProgrammeStage.NOTICE, ProgrammeStage.APPROVED):
        raise UserError(N_("The joint review departments can no longer change at this stage."))
    audit.record("nomination.joint_unit_remove", programme, actor=actor, changes={"unit": row.unit.name})
    db.session.delete(row)
    db.session.flush()


def candidates(programme: Programme) -> list[Nomination]:
    """Those who passed the ballot, and those a department has vetoed since."""
    return db.session.scalars(
        select(Nomination)
        .where(
            Nomination.programme_id == programme.id,
            Nomination.status.in_((NominationStatus.PASSED, NominationStatus.VETOED)),
        )
        .order_by(Nomination.id)
    ).all()


def decisions(programme: Programme) -> dict[tuple[int, int], JointReview]:
    """{(nomination id, unit id): decision}."""
    return {(jr.nomination_id, jr.unit_id): jr for n in candidates(programme) for jr in n.joint_reviews}


def decide(
    programme: Programme, nomination: Nomination, unit_id: int, decision: str, reason: str, actor
) -> JointReview:
    """One department's decision on one candidate; a veto removes the candidate."""
    if programme.stage != ProgrammeStage.JOINT_REVIEW:
        raise UserError(N_("Joint review decisions are taken at the joint review stage."))
    if not any(ju.unit_id == unit_id for ju in programme.joint_units):
        raise UserError(N_("Your department does not take part in this joint review."))
    if nomination.programme_id != programme.id or nomination.status != NominationStatus.PASSED:
        raise UserError(N_("This candidate is not awaiting joint review."))
    if any(jr.unit_id == unit_id for jr in nomination.joint_reviews):
        raise UserError(N_("Your department has already decided on this candidate."))
    try:
        decision = JointDecision(decision)
    except ValueError:
        raise UserError(N_("Choose to agree or to veto.")) from None
    reason = (reason or "").strip()
    if decision == JointDecision.VETO and not reason:
        raise UserError(N_("A veto needs a reason."))
    unit = db.session.get(Unit, unit_id)
    row = JointReview(nomination=nomination, unit_id=unit_id, decision=decision, reason=reason, actor_id=actor.id)
    db.session.add(row)
    before = nomination.status
    if decision == JointDecision.VETO:
        nomination.status = NominationStatus.VETOED
        add_step(nomination, StepKind.JOINT_VETO, opinion=reason, signer=unit.name, actor=actor, unit_id=unit_id)
    else:
        add_step(
            nomination, StepKind.JOINT_APPROVE, opinion=reason or "同意", signer=unit.name, actor=actor, unit_id=unit_id
        )
    db.session.flush()
    audit.record(
        "nomination.joint_decide",
        nomination,
        actor=actor,
        changes={"unit": unit.name, "decision": str(decision), "reason": reason, "status": [before, nomination.status]},
    )
    return row


def check_joint_done(programme: Programme) -> None:
    """Guard of JOINT_REVIEW → NOTICE: every department decided every candidate who passed."""
    if not programme.joint_units:
        return
    pending = []
    for nomination in candidates(programme):
        if nomination.status == NominationStatus.VETOED:
            continue
        decided = {jr.unit_id for jr in nomination.joint_reviews}
        pending += [ju.unit.name for ju in programme.joint_units if ju.unit_id not in decided]
    if pending:
        raise UserError(
            N_("The joint review is not finished: %(count)s decision(s) are missing (%(units)s)."),
            count=len(pending),
            units="、".join(sorted(set(pending))),
        )
