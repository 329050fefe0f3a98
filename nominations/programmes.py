"""Programme services: set-up (quotas, composition rules, rubric, members, 联审 units) and stages.

Each function changes state, writes the audit entry and flushes; the request commits.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select

from accounts import activity_access
from accounts.models import Unit
from accounts.unit_places import read_unit_places
from core import audit
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_
from nominations import ballot_services, handover, joint, review
from nominations.chain import enter_stage
from nominations.models import (
    CompositionRule,
    MemberRole,
    Nomination,
    NominationStatus,
    Programme,
    ProgrammeCriterion,
    ProgrammeStage,
    Quota,
    RuleOp,
    RuleSubject,
)

PROGRAMME_FIELDS = (
    "title",
    "honour_title",
    "kind",
    "organiser_name",
    "eligibility",
    "approval_ref",
    "year",
    "nominate_from",
    "nominate_until",
    "check_until",
    "review_until",
    "notice_from",
    "commend_on",
    "total_places",
    "required_fields",
    "deeds_limit",
    "summary_limit",
    "blind_review",
    "experts_per_dossier",
)

# Dossier fields a programme may require beyond the ones every dossier needs.
REQUIRABLE_FIELDS = ("resident_id", "photo", "phone", "ethnicity", "politics", "education", "position")

# Statuses that hold one of the unit's places (everything submitted that was not rejected).
PLACE_HOLDING = tuple(s for s in NominationStatus if s not in (NominationStatus.DRAFT, NominationStatus.REJECTED))

STAGE_ORDER = list(ProgrammeStage)


def _snapshot(programme: Programme) -> dict:
    return {name: getattr(programme, name) for name in PROGRAMME_FIELDS}


def _apply(programme: Programme, values: dict) -> None:
    for name in PROGRAMME_FIELDS:
        if name in values:
            setattr(programme, name, values[name])
    programme.required_fields = [f for f in (programme.required_fields or []) if f in REQUIRABLE_FIELDS]
    programme.total_places = programme.total_places or 0
    if programme.total_places < quota_total(programme):
        raise UserError(
            N_("The units' quotas add up to %(sum)s places, more than the %(total)s places in total."),
            sum=quota_total(programme),
            total=programme.total_places,
        )


def create_programme(values: dict, actor) -> Programme:
    programme = Programme(created_by_id=getattr(actor, "id", None), required_fields=[])
    _apply(programme, values)
    db.session.add(programme)
    db.session.flush()
    audit.record("nomination.programme_create", programme, actor=actor, changes=_snapshot(programme))
    # A co-organising department's account (承办/协办) keeps access to the programme it created.
    activity_access.list_creator(activity_access.PROGRAMME, programme.id, actor, label=programme.title)
    return programme


def update_programme(programme: Programme, values: dict, actor) -> Programme:
    before = _snapshot(programme)
    _apply(programme, values)
    db.session.flush()
    audit.record_changes("nomination.programme_update", programme, before, _snapshot(programme), actor=actor)
    return programme


# Quotas ----------------------------------------------------------------------


def quota_total(programme: Programme) -> int:
    return sum(q.places for q in programme.quotas)


def quota_of(programme: Programme, unit_id: int) -> int:
    return next((q.places for q in programme.quotas if q.unit_id == unit_id), 0)


def used_places(programme: Programme, unit_id: int, *, excluding: int | None = None) -> int:
    """Dossiers of the unit that hold a place (submitted or later, not rejected)."""
    stmt = select(func.count(Nomination.id)).where(
        Nomination.programme_id == programme.id,
        Nomination.unit_id == unit_id,
        Nomination.status.in_(PLACE_HOLDING),
    )
    if excluding is not None:
        stmt = stmt.where(Nomination.id != excluding)
    return db.session.scalar(stmt) or 0


def set_quotas(programme: Programme, places: dict[int, int], actor, *, action: str = "nomination.quotas_set") -> dict:
    """Set the places of the units named in ``places`` (0 removes the unit's quota)."""
    if any(n < 0 for n in places.values()):
        raise UserError(N_("A quota cannot be negative."))
    known = set(db.session.scalars(select(Unit.id).where(Unit.id.in_(list(places)))))
    if set(places) - known:
        raise UserError(N_("Unknown unit."))
    current = {q.unit_id: q for q in programme.quotas}
    changes = {}
    for unit_id, n in places.items():
        row = current.get(unit_id)
        old = row.places if row else 0
        if old == n:
            continue
        changes[str(unit_id)] = [old, n]
        if row is None:
            programme.quotas.append(Quota(unit_id=unit_id, places=n))
        elif n == 0:
            programme.quotas.remove(row)
        else:
            row.places = n
    if quota_total(programme) > programme.total_places:
        raise UserError(
            N_("The units' quotas add up to %(sum)s places, more than the %(total)s places in total."),
            sum=quota_total(programme),
            total=programme.total_places,
        )
    db.session.flush()
    if changes:
        audit.record(action, programme, actor=actor, changes={"places": changes})
    return changes


def import_quotas(programme: Programme, filename: str, data: bytes, actor) -> dict:
    """Set the quotas of the units a sheet lists; a sheet with any problem changes nothing."""
    return set_quotas(programme, read_unit_places(filename, data), actor, action="nomination.quotas_import")


# Rules and rubric (the people and the 联审 departments: panels and joint) ---------------------------------------


def add_rule(programme: Programme, subject: str, op: str, percent: float, actor) -> CompositionRule:
    if not 0 <= percent <= 100:
        raise UserError(N_("A percentage lies between 0 and 100."))
    rule = CompositionRule(subject=RuleSubject(subject), op=RuleOp(op), percent=percent)
    programme.rules.append(rule)
    db.session.flush()
    audit.record(
        "nomination.rule_add", programme, actor=actor, changes={"subject": subject, "op": op, "percent": percent}
    )
    return rule


def remove_rule(rule: CompositionRule, actor) -> None:
    programme = rule.programme
    audit.record(
        "nomination.rule_remove",
        programme,
        actor=actor,
        changes={"subject": rule.subject, "op": rule.op, "percent": rule.percent},
    )
    programme.rules.remove(rule)
    db.session.flush()


def add_criterion(programme: Programme, name: str, maximum: float, guidance: str, actor) -> ProgrammeCriterion:
    _require_stage_before(programme, ProgrammeStage.EXPERT_REVIEW)
    position = max((c.position for c in programme.criteria), default=0) + 1
    criterion = ProgrammeCriterion(name=name.strip(), maximum=maximum, guidance=guidance.strip(), position=position)
    programme.criteria.append(criterion)
    db.session.flush()
    audit.record("nomination.criterion_add", programme, actor=actor, changes={"name": name, "maximum": maximum})
    return criterion


def remove_criterion(criterion: ProgrammeCriterion, actor) -> None:
    programme = criterion.programme
    _require_stage_before(programme, ProgrammeStage.EXPERT_REVIEW)
    audit.record("nomination.criterion_remove", programme, actor=actor, changes={"name": criterion.name})
    programme.criteria.remove(criterion)
    db.session.flush()


def _require_stage_before(programme: Programme, stage: ProgrammeStage) -> None:
    if STAGE_ORDER.index(programme.stage) >= STAGE_ORDER.index(stage):
        raise UserError(N_("This can no longer be changed at the stage %(stage)s."), stage=programme.stage.label)


# Stages ----------------------------------------------------------------------


def _count(programme: Programme, *statuses: NominationStatus) -> int:
    return (
        db.session.scalar(
            select(func.count(Nomination.id)).where(
                Nomination.programme_id == programme.id, Nomination.status.in_(statuses)
            )
        )
        or 0
    )


def check_ready_to_nominate(programme: Programme) -> None:
    """Leaving DRAFT: units can only nominate into places, with a deadline to meet."""
    missing = []
    if not programme.honour_title:
        missing.append(N_("the honour's title"))
    if not programme.nominate_until:
        missing.append(N_("the nomination deadline"))
    if not programme.quotas:
        missing.append(N_("the units' quotas"))
    if missing:
        raise UserError(N_("Before units nominate, set %(missing)s."), missing="、".join(_words(missing)))


def check_nominations_in(programme: Programme) -> None:
    """Leaving NOMINATING: there is something to check."""
    if not _count(programme, NominationStatus.SUBMITTED):
        raise UserError(N_("No unit has submitted a dossier yet."))


def check_checking_done(programme: Programme) -> None:
    """Leaving CHECKING: every dossier decided, and experts and a rubric ready for the review."""
    waiting = _count(programme, NominationStatus.SUBMITTED, NominationStatus.RETURNED)
    if waiting:
        raise UserError(
            N_("%(count)s dossiers still await the eligibility check or the unit's revision."), count=waiting
        )
    if not _count(programme, NominationStatus.ELIGIBLE):
        raise UserError(N_("No dossier has passed the eligibility check."))
    experts = sum(1 for m in programme.members if m.role == MemberRole.EXPERT)
    if not programme.criteria:
        raise UserError(N_("Set the experts' scoring criteria first."))
    if experts < programme.experts_per_dossier:
        raise UserError(
            N_("Each dossier needs %(needed)s experts, but the programme has %(count)s."),
            needed=programme.experts_per_dossier,
            count=experts,
        )


def _words(msgids: list[str]) -> list[str]:
    return [UserError(m).render() for m in msgids]


# Before leaving a stage, its guard raises UserError naming what is missing. The later
# stages' guards (expert review, ballot, 联审, notice) come from the review modules.
GUARDS: dict[ProgrammeStage, Callable[[Programme], None]] = {
    ProgrammeStage.DRAFT: check_ready_to_nominate,
    ProgrammeStage.NOMINATING: check_nominations_in,
    ProgrammeStage.CHECKING: check_checking_done,
    ProgrammeStage.EXPERT_REVIEW: review.check_ready_for_ballot,
    ProgrammeStage.BALLOT: ballot_services.check_ballot_closed,
    ProgrammeStage.JOINT_REVIEW: joint.check_joint_done,
}
# Entering these stages does more than set the stage: the hand-over to publishing puts
# the candidates on notice; approval reads the notice's outcome and publishes the list.
ENTER: dict[ProgrammeStage, Callable[[Programme, object], object]] = {
    ProgrammeStage.NOTICE: handover.hand_over,
    ProgrammeStage.APPROVED: handover.approve_programme,
}


def next_stage(programme: Programme) -> ProgrammeStage | None:
    position = STAGE_ORDER.index(programme.stage)
    if position + 1 >= len(STAGE_ORDER):
        return None
    stage = STAGE_ORDER[position + 1]
    if stage == ProgrammeStage.JOINT_REVIEW and not programme.joint_units:
        stage = ProgrammeStage.NOTICE  # no 联审 departments: straight to the notice
    return stage


def advance_stage(programme: Programme, actor) -> ProgrammeStage:
    """Move the programme to its next stage once the current stage's guard lets it go."""
    target = next_stage(programme)
    if target is None:
        raise UserError(N_("The programme has reached its last stage."))
    guard = GUARDS.get(programme.stage)
    if guard is not None:
        guard(programme)
    enter = ENTER.get(target)
    if enter is not None:
        enter(programme, actor)  # sets the stage and writes its own audit entry
        return programme.stage
    enter_stage(programme, target, "nomination.programme_stage", actor=actor)
    return target
