"""Double marking and arbitration: an entry's verdict, the third judge and the arbiter.

``check_arbitration`` adds a third judge or the group leader after a score,
under the same conflict rules as assignment (``pool_services.ineligibility``).
When no one eligible remains (the leader scored the entry, is from the
author's unit, declared a conflict, or there is no leader) the entry would
wait for ever; ``stuck_entries`` lists such entries for the round page and the
organiser picks an eligible judge by hand or accepts the scores as they stand,
with a reason in the audit log (``record_acceptance``, also used for entries
with too few scores).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from accounts.models import User
from core import audit
from core.db import utcnow
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_
from essays.models import Submission
from judging import scoring
from judging.models import (
    AcceptanceKind,
    Arbitration,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    ResultAcceptance,
    ResultRule,
    Round,
    RoundJudge,
    Score,
    ScoreStatus,
)
from judging.pool_services import ELIGIBILITY_MESSAGES, add_replacement, entry_panel, ineligibility, new_assignment
from judging.round_services import require_unlocked


@dataclass
class EntryVerdict:
    final: float | None
    rule: ResultRule  # method name, or a scoring.double_mark rule code
    regular: list[float]
    third: float | None
    arbiter: float | None
    spread: float | None


@dataclass(frozen=True)
class VerdictRules:
    """The round settings a verdict needs, read once for a whole round."""

    threshold: float
    arbitration: Arbitration
    method: str

    @classmethod
    def of(cls, round_: Round) -> "VerdictRules":
        return cls(round_.effective_threshold, round_.arbitration, round_.method)


def verdict(
    round_: Round | VerdictRules,
    regular: list[float],
    third: float | None,
    arbiter: float | None,
    method_value: float | None,
    *,
    accepted: bool = False,
) -> EntryVerdict:
    """The final score of one entry under the round's arbitration mode.

    ``accepted``: the organiser accepted the entry's scores as they stand
    because nobody eligible could arbitrate; an entry still waiting for a third
    judge or the leader then gets the plain result of its scores (rule "accepted").
    """
    rules = round_ if isinstance(round_, VerdictRules) else VerdictRules.of(round_)
    found = _verdict(rules, regular, third, arbiter, method_value)
    if accepted and found.final is None and found.rule in ("needs_third", "needs_arbiter"):
        if third is not None:
            found.final = (sum(regular) + third) / (len(regular) + 1)
        else:
            found.final = method_value if method_value is not None else sum(regular) / len(regular)
        found.rule = ResultRule.ACCEPTED
    found.rule = ResultRule(found.rule)
    return found


def _verdict(
    rules: VerdictRules, regular: list[float], third: float | None, arbiter: float | None, method_value: float | None
) -> EntryVerdict:
    spread = (max(regular) - min(regular)) if len(regular) >= 2 else None
    threshold = rules.threshold
    if rules.arbitration == Arbitration.THIRD_JUDGE and len(regular) == 2:
        final, rule = scoring.double_mark(regular[0], regular[1], threshold, third, arbiter)
        return EntryVerdict(final, rule, regular, third, arbiter, spread)
    if rules.arbitration != Arbitration.NONE and scoring.needs_arbitration(regular, threshold):
        if arbiter is not None:
            return EntryVerdict(arbiter, "arbiter", regular, third, arbiter, spread)
        return EntryVerdict(None, "needs_arbiter", regular, third, arbiter, spread)
    if not regular:
        return EntryVerdict(None, "no_scores", regular, third, arbiter, spread)
    return EntryVerdict(method_value, rules.method, regular, third, arbiter, spread)


@dataclass
class EntryTally:
    """An entry's submitted scores by role, with its regular assignments still open."""

    regular: list[float] = field(default_factory=list)
    third: float | None = None
    arbiter: float | None = None
    waiting: int = 0
    roles: set = field(default_factory=set)  # active third-judge and arbiter roles


def tally(rows) -> dict[int, EntryTally]:
    """(submission_id, role, status, total, score status) rows, in assignment order, per entry."""
    out: dict[int, EntryTally] = {}
    for sid, role, status, total, score_status in rows:
        if status == AssignmentStatus.RECUSED:
            continue
        e = out.setdefault(sid, EntryTally())
        done = score_status == ScoreStatus.SUBMITTED and total is not None
        if role == AssignmentRole.REGULAR:
            if done:
                e.regular.append(total)
            else:
                e.waiting += 1
            continue
        e.roles.add(role)
        if done and role == AssignmentRole.THIRD:
            e.third = total
        elif done and role == AssignmentRole.ARBITER:
            e.arbiter = total
    return out


def _score_rows(round_: Round, *where):
    return db.session.execute(
        select(Assignment.submission_id, Assignment.role, Assignment.status, Score.total, Score.status)
        .outerjoin(Score, Score.assignment_id == Assignment.id)
        .where(Assignment.round_id == round_.id, *where)
        .order_by(Assignment.id)
    ).all()


def entry_scores(round_: Round, submission_id: int) -> tuple[list[float], float | None, float | None, int]:
    """(regular submitted totals, third, arbiter, regular assignments still open)."""
    e = tally(_score_rows(round_, Assignment.submission_id == submission_id)).get(submission_id, EntryTally())
    return e.regular, e.third, e.arbiter, e.waiting


def check_arbitration(round_: Round, submission_id: int) -> Assignment | None:
    """After a score: add a third judge or the leader when the scores disagree past T.

    Both are chosen under the assignment's conflict rules (``ineligibility``);
    when nobody eligible remains the entry waits, and the organiser sees it in
    ``judging.arbitration.stuck_entries`` and decides.
    """
    if round_.arbitration == Arbitration.NONE:
        return None
    regular, third, arbiter, waiting = entry_scores(round_, submission_id)
    if waiting or len(regular) < 2:
        return None
    v = verdict(round_, regular, third, arbiter, None)
    existing = {
        role
        for role, status in db.session.execute(
            select(Assignment.role, Assignment.status).where(
                Assignment.round_id == round_.id,
                Assignment.submission_id == submission_id,
                Assignment.status != AssignmentStatus.RECUSED,
            )
        )
    }
    if v.rule == "needs_third" and not existing & {AssignmentRole.THIRD, AssignmentRole.ARBITER}:
        item = add_replacement(round_, submission_id, AssignmentRole.THIRD)
        if item is None:
            return _add_arbiter(round_, submission_id)
        return item
    if v.rule == "needs_arbiter" and AssignmentRole.ARBITER not in existing:
        return _add_arbiter(round_, submission_id)
    return None


def leader_ineligibility(round_: Round, submission_id: int) -> str | None:
    """Why the group leader may not arbitrate the entry (``ELIGIBILITY_MESSAGES`` key), or None."""
    leader = db.session.get(User, round_.leader_id) if round_.leader_id else None
    if leader is None:
        return None
    return ineligibility(entry_panel(round_, submission_id), leader.id, leader.unit_id)


def _add_arbiter(round_: Round, submission_id: int) -> Assignment | None:
    """The group leader as the entry's arbiter, if there is one and the conflict rules allow it."""
    if round_.leader_id is None or leader_ineligibility(round_, submission_id) is not None:
        return None
    return new_assignment(round_, round_.leader_id, submission_id, AssignmentRole.ARBITER)


# --------------------------------------------------------------------------
# Entries nobody eligible could arbitrate
# --------------------------------------------------------------------------


NO_LEADER = N_("No group leader is set for this round.")
NO_THIRD = N_("No pool judge may be the third judge.")
LEADER_BARRED = N_("The group leader may not arbitrate: %(reason)s")


@dataclass
class StuckEntry:
    submission_id: int
    code: str
    rule: str  # needs_third | needs_arbiter
    role: AssignmentRole  # the role a judge picked by hand takes
    regular: list[float]
    third: float | None
    why: list[tuple[str, dict]] = field(default_factory=list)  # untranslated msgids with params
    eligible: list[tuple[int, str]] = field(default_factory=list)  # (judge id, name), may be picked


def accepted_ids(round_: Round, kind: AcceptanceKind) -> dict[int, int]:
    """submission_id -> final scores it had when the organiser accepted it."""
    return dict(
        db.session.execute(
            select(ResultAcceptance.submission_id, ResultAcceptance.n_scores).where(
                ResultAcceptance.round_id == round_.id, ResultAcceptance.kind == kind
            )
        ).all()
    )


def _waiting_entries(round_: Round) -> dict[int, tuple[str, list[float], float | None, set]]:
    """Entries waiting for a third judge or the leader: id -> (rule, regular, third, active extra roles)."""
    if round_.arbitration == Arbitration.NONE:
        return {}
    rules = VerdictRules.of(round_)
    out = {}
    for sid, e in tally(_score_rows(round_, Assignment.status != AssignmentStatus.RECUSED)).items():
        if e.waiting or len(e.regular) < 2:
            continue
        v = verdict(rules, e.regular, e.third, e.arbiter, None)
        if v.rule in ("needs_third", "needs_arbiter"):
            out[sid] = (v.rule, e.regular, e.third, e.roles)
    return out


def stuck_entries(round_: Round) -> list[StuckEntry]:
    """Entries waiting for arbitration that nobody has been given, with the judges who may be picked."""
    accepted = accepted_ids(round_, AcceptanceKind.NO_ARBITER)
    stuck = {}
    for sid, (rule, regular, third, roles) in _waiting_entries(round_).items():
        if sid in accepted:
            continue
        if rule == "needs_third" and roles & {AssignmentRole.THIRD, AssignmentRole.ARBITER}:
            continue
        if rule == "needs_arbiter" and AssignmentRole.ARBITER in roles:
            continue
        stuck[sid] = (rule, regular, third)
    if not stuck:
        return []
    codes = dict(
        db.session.execute(select(Submission.id, Submission.anonymous_code).where(Submission.id.in_(list(stuck)))).all()
    )
    candidates = _candidates(round_)
    leader = db.session.get(User, round_.leader_id) if round_.leader_id else None
    out = []
    for sid, (rule, regular, third) in sorted(stuck.items(), key=lambda kv: codes.get(kv[0]) or ""):
        panel = entry_panel(round_, sid)
        item = StuckEntry(
            sid,
            codes.get(sid) or str(sid),
            rule,
            AssignmentRole.THIRD if rule == "needs_third" else AssignmentRole.ARBITER,
            sorted(regular),
            third,
        )
        if rule == "needs_third":
            item.why.append((NO_THIRD, {}))
        if leader is None:
            item.why.append((NO_LEADER, {}))
        else:
            reason = ineligibility(panel, leader.id, leader.unit_id)
            if reason is not None:
                item.why.append((LEADER_BARRED, {"reason": ELIGIBILITY_MESSAGES[reason]}))
        item.eligible = [(uid, name) for uid, name, unit in candidates if ineligibility(panel, uid, unit) is None]
        out.append(item)
    return out


def _candidates(round_: Round) -> list[tuple[int, str, int | None]]:
    """Active pool judges and the group leader: (id, name, unit)."""
    rows = db.session.execute(
        select(User.id, User.display_name, User.unit_id)
        .join(RoundJudge, RoundJudge.user_id == User.id)
        .where(RoundJudge.round_id == round_.id, RoundJudge.active.is_(True))
        .order_by(User.display_name)
    ).all()
    out = [tuple(r) for r in rows]
    if round_.leader_id and all(uid != round_.leader_id for uid, _, _ in out):
        leader = db.session.get(User, round_.leader_id)
        if leader is not None:
            out.append((leader.id, leader.display_name, leader.unit_id))
    return out


def _stuck(round_: Round, submission_id: int) -> StuckEntry:
    for item in stuck_entries(round_):
        if item.submission_id == submission_id:
            return item
    raise UserError(N_("This entry is not waiting for an arbiter."))


def assign_arbiter_by_hand(round_: Round, submission_id: int, judge_id: int, *, actor) -> Assignment:
    """The organiser gives a stuck entry to an eligible judge (as third judge or arbiter)."""
    require_unlocked(round_)
    item = _stuck(round_, submission_id)
    judge = db.session.get(User, judge_id) if judge_id else None
    if judge is None or judge_id not in {uid for uid, _ in item.eligible}:
        reason = ineligibility(entry_panel(round_, submission_id), judge.id, judge.unit_id) if judge else None
        if reason is not None:
            raise UserError(ELIGIBILITY_MESSAGES[reason])
        raise UserError(N_("Choose an eligible judge from the list."))
    assignment = new_assignment(round_, judge.id, submission_id, item.role)  # the leader joins the pool
    audit.record(
        "judging.arbiter_by_hand",
        round_,
        actor=actor,
        changes={
            "entry": item.code,
            "judge_id": judge.id,
            "judge": judge.display_name,
            "role": str(item.role),
            "assignment_id": assignment.id,
        },
    )
    return assignment


def accept_without_arbiter(round_: Round, submission_id: int, *, actor, reason: str) -> list[ResultAcceptance]:
    """The organiser accepts a stuck entry's scores as they stand (rule "accepted"), with a reason."""
    require_unlocked(round_)
    reason = checked_reason(reason, N_("Give a reason for accepting the scores without arbitration."))
    item = _stuck(round_, submission_id)
    values = item.regular + ([item.third] if item.third is not None else [])
    return record_acceptance(
        round_,
        AcceptanceKind.NO_ARBITER,
        {submission_id: len(item.regular)},
        actor=actor,
        reason=reason,
        changes={"entry": item.code, "scores": values},
    )


def checked_reason(reason: str | None, missing: str) -> str:
    """The organiser's reason, stripped; ``missing`` (a UserError message) when there is none."""
    reason = (reason or "").strip()
    if not reason:
        raise UserError(missing)
    return reason


def record_acceptance(
    round_: Round, kind: AcceptanceKind, n_scores: dict[int, int], *, actor, reason: str, changes: dict
) -> list[ResultAcceptance]:
    """Accept entries' results as they stand (``n_scores``: entry id -> final scores it has now).

    One row per entry and kind (a later acceptance replaces an earlier one) and
    one audit entry for all of them, with the kind, the reason and ``changes``.
    """
    existing = {
        a.submission_id: a
        for a in db.session.scalars(
            select(ResultAcceptance).where(
                ResultAcceptance.round_id == round_.id,
                ResultAcceptance.kind == kind,
                ResultAcceptance.submission_id.in_(list(n_scores)),
            )
        )
    }
    actor_id, now = getattr(actor, "id", None), utcnow()
    rows = []
    for sid, n in n_scores.items():
        row = existing.get(sid)
        if row is None:
            row = ResultAcceptance(round_id=round_.id, submission_id=sid, kind=kind)
            db.session.add(row)
        row.n_scores, row.reason, row.actor_id, row.created_at = n, reason, actor_id, now
        rows.append(row)
    db.session.flush()
    audit.record("judging.result_accept", round_, actor=actor, changes={"kind": str(kind), **changes, "reason": reason})
    return rows
