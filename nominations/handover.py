"""Hand-over to publishing (公示) and approval.

Entering the notice stage imports the candidates who passed the ballot (and were not
vetoed in 联审) into publishing as a result set (``SourceType.PROGRAMME``,
排名不分先后), where the office runs the 公示 and the objections. Approval reads
the honours back: an honour withdrawn after an upheld objection marks its
nomination WITHDRAWN; publishing publishes the list; the rest are APPROVED.
"""

from __future__ import annotations

from sqlalchemy import select

from core import audit
from core.db import utcnow
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_
from nominations.ballot_services import check_ballot_closed
from nominations.chain import add_step, enter_stage
from nominations.joint import check_joint_done
from nominations.models import Nomination, NominationStatus, Programme, ProgrammeStage, StepKind
from publishing import notice as publishing_notice
from publishing import results as publishing_results
from publishing.models import Ordering, ResultSet, ResultState, SourceType

OFFICE = "主办单位"


def result_set(programme: Programme) -> ResultSet | None:
    return db.session.scalar(
        select(ResultSet).where(ResultSet.source_type == SourceType.PROGRAMME, ResultSet.source_id == programme.id)
    )


def _with_status(programme: Programme, *statuses: NominationStatus) -> list[Nomination]:
    return db.session.scalars(
        select(Nomination)
        .where(Nomination.programme_id == programme.id, Nomination.status.in_(statuses))
        .order_by(Nomination.id)
    ).all()


def honour_inputs(programme: Programme, nominations: list[Nomination]) -> list[publishing_results.HonourInput]:
    return [
        publishing_results.HonourInput(
            level_code="honour",
            level_text=programme.honour_title,
            recipient_name=n.name,
            recipient_unit=n.unit.name,
            recipient_kind="team" if programme.is_team else "person",
            source_item_id=n.id,
        )
        for n in nominations
    ]


def hand_over(programme: Programme, actor) -> ResultSet:
    """Enter the notice stage: the passed, non-vetoed candidates go to publishing, ON_NOTICE."""
    if programme.stage == ProgrammeStage.JOINT_REVIEW:
        check_joint_done(programme)
    elif programme.stage == ProgrammeStage.BALLOT and not programme.joint_units:
        check_ballot_closed(programme)
    else:
        raise UserError(N_("The candidates go on public notice after the ballot and the joint review."))
    passed = _with_status(programme, NominationStatus.PASSED)
    if not passed:
        raise UserError(N_("Nobody passed the ballot and the joint review; there is nothing to put on notice."))
    rs = publishing_results.import_honours(
        "programme",
        programme.id,
        programme.title,
        honour_inputs(programme, passed),
        actor,
        organiser=programme.organiser_name,
        ordering=Ordering.UNORDERED.value,
    )
    for n in passed:
        n.status = NominationStatus.ON_NOTICE
        add_step(n, StepKind.NOTICE, opinion="拟表彰对象，予以公示", signer=OFFICE, actor=actor)
        audit.record("nomination.notice", n, actor=actor, changes={"status": ["passed", "on_notice"]})
    enter_stage(
        programme, ProgrammeStage.NOTICE, "nomination.hand_over", actor=actor, honours=len(passed), result_set=rs.id
    )
    return rs


def check_handed_over(programme: Programme) -> None:
    """Guard of NOTICE → APPROVED: the candidates are in publishing and the notice was put up."""
    rs = result_set(programme)
    if rs is None or _with_status(programme, NominationStatus.PASSED):
        raise UserError(N_("Hand the candidates over to publishing first."))
    if rs.notice_first_day is None:
        raise UserError(N_("Start the public notice in publishing first."))


def approve_programme(programme: Programme, actor) -> Programme:
    """After the notice: withdrawn honours become WITHDRAWN, the list is published, the rest APPROVED."""
    if programme.stage != ProgrammeStage.NOTICE:
        raise UserError(N_("A programme is approved after its public notice."))
    check_handed_over(programme)
    rs = result_set(programme)
    if publishing_notice.notice_accepts_objections(rs):
        raise UserError(N_("The public notice is still open; approve after it has closed."))
    open_objections = publishing_notice.unresolved_objections(rs)
    if open_objections:
        raise UserError(N_("%(count)s objection(s) are not resolved yet."), count=len(open_objections))
    if rs.state != ResultState.PUBLISHED:  # the office may have published it in publishing already
        publishing_results.publish_results(rs, actor)
    honours = {h.source_item_id: h for h in rs.honours}
    approved = 0
    for n in _with_status(programme, NominationStatus.ON_NOTICE):
        honour = honours.get(n.id)
        if honour is None or honour.withdrawn:
            reason = honour.withdrawn_reason if honour is not None else ""
            n.status = NominationStatus.WITHDRAWN
            add_step(n, StepKind.WITHDRAW, opinion=reason or "公示期间被撤销", signer=OFFICE, actor=actor)
            audit.record(
                "nomination.withdraw", n, actor=actor, changes={"status": ["on_notice", "withdrawn"], "reason": reason}
            )
            continue
        n.status = NominationStatus.APPROVED
        add_step(n, StepKind.APPROVE, opinion="公示无异议，批准表彰", signer=OFFICE, actor=actor)
        audit.record("nomination.approve", n, actor=actor, changes={"status": ["on_notice", "approved"]})
        approved += 1
    programme.approved_at = utcnow()
    enter_stage(programme, ProgrammeStage.APPROVED, "nomination.programme_approve", actor=actor, approved=approved)
    return programme


def handed_over(programme: Programme) -> list[Nomination]:
    """Who goes (or went) on notice: passed candidates and everyone on or after the notice."""
    return _with_status(
        programme,
        NominationStatus.PASSED,
        NominationStatus.ON_NOTICE,
        NominationStatus.WITHDRAWN,
        NominationStatus.APPROVED,
    )
