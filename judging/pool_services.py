"""A round's judge pool, the entries it judges, and who may take a place on an entry.

The eligibility rules here (``entry_panel`` and ``ineligibility``) are the one
copy used by replacements, third judges, arbiters and manual assignment.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from sqlalchemy import Select, select

from accounts.models import Role, User
from core import audit
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_
from core.queries import count_by
from essays.models import Genre, Group, Submission, SubmissionStatus
from judging import assign as assign_mod
from judging.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Conflict,
    PoolRule,
    Round,
    RoundJudge,
    RoundResult,
    RoundState,
)
from judging.round_services import require_unlocked

# Roles that see authors' identities elsewhere in the application.
INSIDER_ROLES = (Role.ORGANISER, Role.ADMIN)


def is_insider(user: User) -> bool:
    """Whether the user can see who wrote the entries (an organiser or admin)."""
    return any(user.has_role(role) for role in INSIDER_ROLES)


def add_judge(
    round_: Round, user: User, *, actor, capacity: int | None = None, confirm_insider: bool = False
) -> RoundJudge:
    """Put a judge in the round's pool.

    An organiser or admin sees authors' identities elsewhere, so they join the
    pool only when the organiser confirms it (``confirm_insider``); the audit
    entry records the confirmation.
    """
    require_unlocked(round_)
    if not user.has_role(Role.JUDGE):
        raise UserError(N_("%(name)s does not hold the judge role."), name=user.display_name)
    insider = is_insider(user)
    if insider and not confirm_insider:
        raise UserError(
            N_(
                "%(name)s is an organiser or administrator and can see who wrote the entries. "
                "Confirm that they should judge this round anyway."
            ),
            name=user.display_name,
        )
    member = membership(round_, user)
    if member is None:
        member = RoundJudge(round_id=round_.id, user_id=user.id, capacity=capacity)
        db.session.add(member)
    else:
        member.active = True
        member.capacity = capacity
    db.session.flush()
    changes = {"judge": user.display_name, "judge_id": user.id, "capacity": capacity}
    if insider:
        changes["insider_confirmed"] = True
    audit.record("judging.judge_add", round_, actor=actor, changes=changes)
    return member


def remove_judge(round_: Round, user: User, *, actor, reason: str = "") -> int:
    """Take a judge out of the pool; their unscored entries go to other judges.

    Returns how many entries were handed on.
    """
    require_unlocked(round_)
    member = membership(round_, user)
    if member is None:
        raise UserError(N_("%(name)s is not in this round's judge pool."), name=user.display_name)
    member.active = False
    open_items = db.session.scalars(
        select(Assignment).where(
            Assignment.round_id == round_.id,
            Assignment.judge_id == user.id,
            Assignment.status == AssignmentStatus.ASSIGNED,
        )
    ).all()
    for item in open_items:
        item.status = AssignmentStatus.RECUSED
        item.recuse_reason = reason or "removed from the pool"
    db.session.flush()
    handed = sum(1 for item in open_items if add_replacement(round_, item.submission_id, item.role))
    audit.record(
        "judging.judge_remove",
        round_,
        actor=actor,
        changes={
            "judge": user.display_name,
            "judge_id": user.id,
            "reason": reason,
            "reassigned": handed,
            "unscored": len(open_items),
        },
    )
    return handed


def pool_members(round_: Round, *, active_only: bool = True) -> list[RoundJudge]:
    stmt = select(RoundJudge).where(RoundJudge.round_id == round_.id)
    if active_only:
        stmt = stmt.where(RoundJudge.active.is_(True))
    return list(db.session.scalars(stmt.order_by(RoundJudge.id)))


def membership(round_: Round, user) -> RoundJudge | None:
    return db.session.scalar(select(RoundJudge).where(RoundJudge.round_id == round_.id, RoundJudge.user_id == user.id))


def group_label(genre: str | None, group: str | None, grouping: str) -> str:
    if grouping == "genre":
        return genre or ""
    if grouping == "group":
        return group or ""
    if grouping == "genre_group":
        return " · ".join(x for x in (genre, group) if x)
    return ""


def previous_round(round_: Round) -> Round | None:
    return db.session.scalar(
        select(Round)
        .where(Round.competition_id == round_.competition_id, Round.position < round_.position)
        .order_by(Round.position.desc())
        .limit(1)
    )


def pool_entry_ids(round_: Round) -> list[int]:
    """Ids of the entries this round judges, by its pool rule."""
    return sorted(pool_entry_units(round_))


def pool_entry_units(round_: Round) -> dict[int, frozenset[int]]:
    """The round's entries with their own and recommending units (one query for a first round)."""
    if round_.pool_rule == PoolRule.ALL_QUALIFIED:
        return {
            sid: frozenset(u for u in (unit, rec) if u is not None)
            for sid, unit, rec in db.session.connection().execute(
                select(Submission.id, Submission.unit_id, Submission.recommending_unit_id).where(
                    Submission.competition_id == round_.competition_id, Submission.status == SubmissionStatus.QUALIFIED
                )
            )
        }
    return entry_units(_advanced_ids(round_))


def pool_entry_select(round_: Round) -> Select:
    """The round's entries as a subquery of submission ids (``pool_entry_ids`` without loading them)."""
    if round_.pool_rule == PoolRule.ALL_QUALIFIED:
        return select(Submission.id).where(
            Submission.competition_id == round_.competition_id, Submission.status == SubmissionStatus.QUALIFIED
        )
    _advanced_ids(round_)  # marks the previous round's results that advance
    return select(RoundResult.submission_id).where(
        RoundResult.round_id == previous_round(round_).id, RoundResult.advanced.is_(True)
    )


def _advanced_ids(round_: Round) -> list[int]:
    prev = previous_round(round_)
    if prev is None or prev.state != RoundState.FINALISED:
        raise UserError(N_("Entries advance from the previous round only once it is finalised."))
    rows = db.session.execute(
        select(
            RoundResult.id, RoundResult.submission_id, RoundResult.final_score, RoundResult.rank, Genre.name, Group.name
        )
        .join(Submission, Submission.id == RoundResult.submission_id)
        .outerjoin(Genre, Genre.id == Submission.genre_id)
        .outerjoin(Group, Group.id == Submission.group_id)
        .where(
            RoundResult.round_id == prev.id,
            RoundResult.final_score.is_not(None),
            Submission.status == SubmissionStatus.QUALIFIED,
        )
        .order_by(RoundResult.rank)
    ).all()
    groups: dict[str, list] = {}
    for row in rows:
        groups.setdefault(group_label(row[4], row[5], round_.pool_grouping), []).append(row)
    chosen: list[int] = []
    advanced_result_ids: list[int] = []
    value = round_.pool_value or 0
    for members in groups.values():
        if round_.pool_rule == PoolRule.TOP_N:
            take = int(value)
        else:
            take = int(math.floor(len(members) * value / 100 + 0.5))
        for row in members[:take]:
            chosen.append(row[1])
            advanced_result_ids.append(row[0])
    db.session.execute(RoundResult.__table__.update().where(RoundResult.round_id == prev.id).values(advanced=False))
    if advanced_result_ids:
        db.session.execute(
            RoundResult.__table__.update().where(RoundResult.id.in_(advanced_result_ids)).values(advanced=True)
        )
    return sorted(chosen)


def entry_units(entry_ids: list[int]) -> dict[int, frozenset[int]]:
    out: dict[int, frozenset[int]] = {}
    for chunk in chunks(entry_ids):
        for sid, unit, rec in db.session.execute(
            select(Submission.id, Submission.unit_id, Submission.recommending_unit_id).where(Submission.id.in_(chunk))
        ):
            out[sid] = frozenset(u for u in (unit, rec) if u is not None)
    return out


def chunks(ids: list[int], size: int = 900):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


# Why a judge may not take one more place on an entry, beyond assignment's own reasons
# (assign.SAME_UNIT, assign.CONFLICT): the same rules hold for replacements, third judges and arbiters.
ALREADY_ON_ENTRY = "already_on_entry"


UNIT_TAKEN = "unit_taken"


ELIGIBILITY_MESSAGES = {
    **assign_mod.REASON_MESSAGES,
    ALREADY_ON_ENTRY: N_("The judge already has (or has recused from) this entry."),
    UNIT_TAKEN: N_("A judge from the same unit already scores this entry."),
}


@dataclass(frozen=True)
class EntryPanel:
    """What bars judges from one entry of a round: its units, who is on it, declared conflicts."""

    submission_id: int
    unit_ids: frozenset[int]  # the author's and the recommending unit
    on_entry: frozenset[int]  # every judge with an assignment on it, recused ones too
    units_taken: frozenset[int]  # units of the judges actively on it
    conflicts: frozenset[int]  # judges with a declared conflict


def entry_panel(round_: Round, submission_id: int) -> EntryPanel:
    rows = db.session.execute(
        select(Assignment.judge_id, Assignment.status, User.unit_id)
        .join(User, User.id == Assignment.judge_id)
        .where(Assignment.round_id == round_.id, Assignment.submission_id == submission_id)
    ).all()
    sub = db.session.execute(
        select(Submission.unit_id, Submission.recommending_unit_id).where(Submission.id == submission_id)
    ).one()
    conflicts = db.session.scalars(
        select(Conflict.judge_id).where(Conflict.round_id == round_.id, Conflict.submission_id == submission_id)
    )
    return EntryPanel(
        submission_id,
        frozenset(u for u in sub if u is not None),
        frozenset(j for j, _, _ in rows),
        frozenset(u for _, s, u in rows if s != AssignmentStatus.RECUSED and u is not None),
        frozenset(conflicts),
    )


def ineligibility(panel: EntryPanel, judge_id: int, unit_id: int | None) -> str | None:
    """Why a judge may not join the entry (a key of ``ELIGIBILITY_MESSAGES``), or None.

    Assignment's rule (``assign.ineligibility_reason``: own or recommending
    unit, declared conflict) plus: not already on the entry, at most one judge
    per unit on it.
    """
    if judge_id in panel.on_entry:
        return ALREADY_ON_ENTRY
    reason = assign_mod.ineligibility_reason(
        assign_mod.Judge(judge_id, unit_id),
        assign_mod.Entry(panel.submission_id, panel.unit_ids),
        {(j, panel.submission_id) for j in panel.conflicts},
    )
    if reason is not None:
        return reason
    if unit_id is not None and unit_id in panel.units_taken:
        return UNIT_TAKEN
    return None


def _pick_judge(round_: Round, submission_id: int, *, exclude: frozenset[int] = frozenset()) -> int | None:
    """Least-loaded eligible pool judge (with room) for one more assignment on an entry."""
    panel = entry_panel(round_, submission_id)
    members = db.session.execute(
        select(RoundJudge.user_id, RoundJudge.capacity, User.unit_id)
        .join(User, User.id == RoundJudge.user_id)
        .where(RoundJudge.round_id == round_.id, RoundJudge.active.is_(True))
    ).all()
    loads = count_by(
        Assignment.judge_id, Assignment.round_id == round_.id, Assignment.status != AssignmentStatus.RECUSED
    )
    candidates = []
    rnd = random.Random(round_.seed * 31 + submission_id)
    for uid, cap, unit in members:
        if uid in exclude or ineligibility(panel, uid, unit) is not None:
            continue
        load = loads.get(uid, 0)
        if cap is not None and load >= cap:
            continue
        candidates.append((load, rnd.random(), uid))
    if not candidates:
        return None
    return min(candidates)[2]


def add_replacement(round_: Round, submission_id: int, role: AssignmentRole) -> Assignment | None:
    # A third judge is never the group leader: the leader must stay free to arbitrate the entry.
    reserved = frozenset({round_.leader_id}) if role == AssignmentRole.THIRD and round_.leader_id else frozenset()
    judge_id = _pick_judge(round_, submission_id, exclude=reserved)
    if judge_id is None:
        return None
    return new_assignment(round_, judge_id, submission_id, role)


def withdraw_assignment(assignment: Assignment, reason: str) -> None:
    """Take an entry from a judge: the assignment stays, recused with the reason, and a draft score goes."""
    assignment.status = AssignmentStatus.RECUSED
    assignment.recuse_reason = reason
    if assignment.score is not None:
        db.session.delete(assignment.score)
    db.session.flush()


def new_assignment(round_: Round, judge_id: int, submission_id: int, role: AssignmentRole) -> Assignment:
    """One more assignment on an entry, outside the bulk assignment (a random place in the judge's queue).

    A judge from outside the pool (the group leader as arbiter) joins it with no
    capacity for regular entries.
    """
    item = Assignment(
        round_id=round_.id,
        judge_id=judge_id,
        submission_id=submission_id,
        role=role,
        status=AssignmentStatus.ASSIGNED,
        shuffle_key=random.SystemRandom().randrange(2**31),
    )
    db.session.add(item)
    if (
        db.session.scalar(select(RoundJudge.id).where(RoundJudge.round_id == round_.id, RoundJudge.user_id == judge_id))
        is None
    ):
        db.session.add(RoundJudge(round_id=round_.id, user_id=judge_id, capacity=0))
    db.session.flush()
    return item


def record_conflict(round_: Round, judge: User, receipt_number: str, *, reason: str, actor) -> Conflict:
    """A conflict of interest between a pool judge and one entry (a judge declares it in the
    pledge; the organiser, who sees who wrote what, records it against the entry).

    Every assignment path respects it (``ineligibility``); an unscored assignment the
    judge already holds on the entry is withdrawn and handed to another eligible judge.
    """
    require_unlocked(round_)
    if membership(round_, judge) is None and judge.id != round_.leader_id:
        raise UserError(N_("Choose a judge of this round."))
    reason = (reason or "").strip()
    if not reason:
        raise UserError(N_("Give the reason for the conflict of interest."))
    number = (receipt_number or "").strip()
    submission = db.session.scalar(
        select(Submission).where(
            Submission.competition_id == round_.competition_id, Submission.receipt_number == number
        )
    )
    if submission is None:
        raise UserError(N_("No entry of this competition has the receipt number %(number)s."), number=number)
    return record_conflict_on(round_, judge, submission, reason=reason, actor=actor)


def record_conflict_on(round_: Round, judge: User, submission: Submission, *, reason: str, actor) -> Conflict:
    """``record_conflict`` on a loaded entry (also how a judge declares one from the entry's page)."""
    require_unlocked(round_)
    reason = (reason or "").strip()
    if not reason:
        raise UserError(N_("Give the reason for the conflict of interest."))
    conflict = db.session.scalar(
        select(Conflict).where(
            Conflict.round_id == round_.id, Conflict.judge_id == judge.id, Conflict.submission_id == submission.id
        )
    )
    if conflict is None:
        conflict = Conflict(round_id=round_.id, judge_id=judge.id, submission_id=submission.id, reason=reason)
        db.session.add(conflict)
    held = db.session.scalar(
        select(Assignment).where(
            Assignment.round_id == round_.id,
            Assignment.judge_id == judge.id,
            Assignment.submission_id == submission.id,
            Assignment.status == AssignmentStatus.ASSIGNED,
        )
    )
    replacement = None
    if held is not None:
        withdraw_assignment(held, reason)
        replacement = add_replacement(round_, submission.id, held.role)
    db.session.flush()
    audit.record(
        "judging.conflict_declare",
        round_,
        actor=actor,
        changes={
            "judge_id": judge.id,
            "submission_id": submission.id,
            "reason": reason,
            "reassigned_to": replacement.judge_id if replacement is not None else None,
        },
    )
    return conflict


def conflicts(round_: Round) -> list[tuple[Conflict, str, str]]:
    """The round's recorded conflicts: (conflict, judge's name, entry's receipt number)."""
    return db.session.execute(
        select(Conflict, User.display_name, Submission.receipt_number)
        .join(User, User.id == Conflict.judge_id)
        .join(Submission, Submission.id == Conflict.submission_id)
        .where(Conflict.round_id == round_.id)
        .order_by(Conflict.id)
    ).all()
