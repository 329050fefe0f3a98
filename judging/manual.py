"""Organisers adjusting assignments by hand, entry by entry.

The automatic assignment is the normal path; these services cover the rest
(a judge who should read one more entry, one who should not read an entry).
The same conflict rules hold as in ``judging/assign.py``, every change is
audited, and a judge removed from an entry is recorded as recused with the
organiser's reason, so the entry's history stays complete.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Select, func, select

from accounts.models import User
from core import audit
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_
from essays.models import Genre, Group, Submission
from judging.arbitration import checked_reason
from judging.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Conflict,
    Round,
    RoundJudge,
    RoundState,
    Score,
    ScoreStatus,
)
from judging.pool_services import (
    ALREADY_ON_ENTRY,
    ELIGIBILITY_MESSAGES,
    EntryPanel,
    chunks,
    entry_panel,
    ineligibility,
    new_assignment,
    pool_entry_select,
    withdraw_assignment,
)
from judging.round_services import freeze_round_entries, require_unlocked

ENTRIES_PER_PAGE = 100


@dataclass
class EntryJudge:
    assignment_id: int
    judge_id: int
    name: str
    role: AssignmentRole
    status: AssignmentStatus
    draft: bool
    reason: str | None


@dataclass
class EntryLine:
    submission_id: int
    code: str
    genre: str
    group: str
    unit_ids: frozenset[int]
    judges: list[EntryJudge] = field(default_factory=list)

    @property
    def active(self) -> list[EntryJudge]:
        return [j for j in self.judges if j.status != AssignmentStatus.RECUSED]

    @property
    def done(self) -> int:
        return sum(1 for j in self.active if j.status == AssignmentStatus.SUBMITTED)


def entries_query(round_: Round, show: str = "") -> Select:
    """The ids of the round's entries by anonymous code; ``show``: "short" (fewer active judges
    than k) or "open" (a judge still scoring), for ``db.paginate``."""
    active = Assignment.status != AssignmentStatus.RECUSED
    on_entry = (Assignment.round_id == round_.id) & (Assignment.submission_id == Submission.id)
    stmt = select(Submission.id).where(Submission.id.in_(pool_entry_select(round_)))
    if show == "short":
        judges = select(func.count(Assignment.id)).where(on_entry, active).scalar_subquery()
        stmt = stmt.where(judges < round_.k)
    elif show == "open":
        stmt = stmt.where(
            select(Assignment.id).where(on_entry, Assignment.status == AssignmentStatus.ASSIGNED).exists()
        )
    return stmt.order_by(Submission.anonymous_code, Submission.id)


def entry_lines(round_: Round, ids: list[int]) -> list[EntryLine]:
    """The given entries of the round with their judges, by anonymous code."""
    only = set(ids)
    lines: dict[int, EntryLine] = {}
    for chunk in chunks(sorted(only)):
        for sid, code, genre, group, unit, rec in db.session.execute(
            select(
                Submission.id,
                Submission.anonymous_code,
                Genre.name,
                Group.name,
                Submission.unit_id,
                Submission.recommending_unit_id,
            )
            .outerjoin(Genre, Genre.id == Submission.genre_id)
            .outerjoin(Group, Group.id == Submission.group_id)
            .where(Submission.id.in_(chunk))
        ):
            lines[sid] = EntryLine(
                sid, code, genre or "", group or "", frozenset(u for u in (unit, rec) if u is not None)
            )
    rows = db.session.execute(
        select(
            Assignment.id,
            Assignment.submission_id,
            Assignment.judge_id,
            User.display_name,
            Assignment.role,
            Assignment.status,
            Score.status,
            Assignment.recuse_reason,
        )
        .join(User, User.id == Assignment.judge_id)
        .outerjoin(Score, Score.assignment_id == Assignment.id)
        .where(Assignment.round_id == round_.id, Assignment.submission_id.in_(list(only)))
        .order_by(Assignment.id)
    )
    for aid, sid, jid, name, role, status, score_status, reason in rows:
        if sid in lines:
            lines[sid].judges.append(
                EntryJudge(aid, jid, name, role, status, score_status == ScoreStatus.DRAFT, reason)
            )
    return sorted(lines.values(), key=lambda line: line.code)


def eligible_judges(round_: Round, lines: list[EntryLine]) -> dict[int, list[User]]:
    """Active pool judges who may be added, per entry, for a page of entries.

    Three queries for the whole page (the pool, the judges' units, the declared
    conflicts); each judge is then checked by ``pool_services.ineligibility``.
    """
    if not lines:
        return {}
    pool = db.session.scalars(
        select(User)
        .join(RoundJudge, RoundJudge.user_id == User.id)
        .where(RoundJudge.round_id == round_.id, RoundJudge.active.is_(True))
        .order_by(User.display_name)
    ).all()
    conflicts: dict[int, set[int]] = {}
    for judge_id, sid in db.session.execute(
        select(Conflict.judge_id, Conflict.submission_id).where(
            Conflict.round_id == round_.id, Conflict.submission_id.in_([line.submission_id for line in lines])
        )
    ):
        conflicts.setdefault(sid, set()).add(judge_id)
    unit_of = {u.id: u.unit_id for u in pool}
    unit_of.update(_judge_units([j.judge_id for line in lines for j in line.active if j.judge_id not in unit_of]))
    out = {}
    for line in lines:
        panel = _panel(line, unit_of, conflicts.get(line.submission_id, set()))
        out[line.submission_id] = [u for u in pool if ineligibility(panel, u.id, u.unit_id) is None]
    return out


def _panel(line: EntryLine, unit_of: dict, conflicts: set[int]) -> EntryPanel:
    """``pool_services.entry_panel`` built from a page's data instead of three queries per entry."""
    return EntryPanel(
        line.submission_id,
        line.unit_ids,
        frozenset(j.judge_id for j in line.judges),  # recused judges do not come back
        frozenset(unit_of[j.judge_id] for j in line.active if unit_of.get(j.judge_id) is not None),
        frozenset(conflicts),
    )


def _judge_units(judge_ids: list[int]) -> dict[int, int | None]:
    if not judge_ids:
        return {}
    return dict(db.session.execute(select(User.id, User.unit_id).where(User.id.in_(judge_ids))).all())


def entry_line(round_: Round, submission_id: int) -> EntryLine:
    in_round = db.session.scalar(entries_query(round_).where(Submission.id == submission_id))
    for line in entry_lines(round_, [in_round] if in_round else []):
        return line
    raise UserError(N_("This entry is not in the round."))


def add_judge_to_entry(round_: Round, submission_id: int, judge_id: int, *, actor) -> Assignment:
    require_unlocked(round_)
    if round_.state == RoundState.CLOSED:
        raise UserError(N_("The round is closed."))
    line = entry_line(round_, submission_id)
    member = db.session.scalar(
        select(RoundJudge).where(RoundJudge.round_id == round_.id, RoundJudge.user_id == judge_id)
    )
    judge = db.session.get(User, judge_id)
    if member is None or not member.active or judge is None:
        raise UserError(N_("Only an active judge of this round can be added."))
    reason = ineligibility(entry_panel(round_, submission_id), judge.id, judge.unit_id)
    if reason == ALREADY_ON_ENTRY:
        raise UserError(N_("%(name)s already has (or has recused from) this entry."), name=judge.display_name)
    if reason is not None:
        raise UserError(ELIGIBILITY_MESSAGES[reason])
    item = new_assignment(round_, judge_id, submission_id, AssignmentRole.REGULAR)
    audit.record(
        "judging.assign_by_hand",
        round_,
        actor=actor,
        changes={"entry": line.code, "judge_id": judge_id, "judge": judge.display_name, "assignment_id": item.id},
    )
    freeze_round_entries(round_, actor=actor, entry_ids=[submission_id])
    return item


def remove_judge_from_entry(assignment: Assignment, *, actor, reason: str) -> None:
    round_ = assignment.round
    require_unlocked(round_)
    reason = checked_reason(reason, N_("Please give a reason."))
    if assignment.status == AssignmentStatus.RECUSED:
        raise UserError(N_("This judge no longer has this entry."))
    if assignment.status == AssignmentStatus.SUBMITTED:
        raise UserError(N_("This judge has already submitted a score for the entry; it cannot be taken away."))
    withdraw_assignment(assignment, reason)
    code = db.session.scalar(select(Submission.anonymous_code).where(Submission.id == assignment.submission_id))
    audit.record(
        "judging.unassign_by_hand",
        round_,
        actor=actor,
        changes={
            "entry": code,
            "judge_id": assignment.judge_id,
            "assignment_id": assignment.id,
            "reason": reason,
        },
    )
