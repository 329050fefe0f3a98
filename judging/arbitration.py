"""Entries whose arbitration found nobody eligible, and the organiser's way out.

``services.check_arbitration`` adds a third judge or the group leader under
the same conflict rules as assignment (``services.ineligibility``). When no
one eligible remains (the leader scored the entry, is from the author's unit,
declared a conflict, or there is no leader) the entry would wait for ever;
these functions list such entries for the round page and let the organiser
pick an eligible judge by hand or accept the scores as they stand, with a
reason in the audit log.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from sqlalchemy import select

from accounts.models import User
from core import audit
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_
from essays.models import Submission
from judging.models import (
    AcceptanceKind,
    Arbitration,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    ResultAcceptance,
    Round,
    RoundJudge,
    Score,
    ScoreStatus,
)
from judging.services import ELIGIBILITY_MESSAGES, VerdictRules, entry_panel, ineligibility, require_unlocked, verdict

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
    rows = db.session.execute(
        select(Assignment.submission_id, Assignment.role, Assignment.status, Score.total, Score.status)
        .outerjoin(Score, Score.assignment_id == Assignment.id)
        .where(Assignment.round_id == round_.id, Assignment.status != AssignmentStatus.RECUSED)
    ).all()
    per: dict[int, dict] = {}
    for sid, role, _status, total, score_status in rows:
        e = per.setdefault(sid, {"regular": [], "waiting": 0, "third": None, "arbiter": None, "roles": set()})
        done = score_status == ScoreStatus.SUBMITTED and total is not None
        if role == AssignmentRole.REGULAR:
            if done:
                e["regular"].append(total)
            else:
                e["waiting"] += 1
            continue
        e["roles"].add(role)
        if done:
            e["third" if role == AssignmentRole.THIRD else "arbiter"] = total
    rules = VerdictRules.of(round_)
    out = {}
    for sid, e in per.items():
        if e["waiting"] or len(e["regular"]) < 2:
            continue
        v = verdict(rules, e["regular"], e["third"], e["arbiter"], None)
        if v.rule in ("needs_third", "needs_arbiter"):
            out[sid] = (v.rule, e["regular"], e["third"], e["roles"])
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
    assignment = Assignment(
        round_id=round_.id,
        judge_id=judge.id,
        submission_id=submission_id,
        role=item.role,
        status=AssignmentStatus.ASSIGNED,
        shuffle_key=random.SystemRandom().randrange(2**31),
    )
    db.session.add(assignment)
    if (
        db.session.scalar(select(RoundJudge).where(RoundJudge.round_id == round_.id, RoundJudge.user_id == judge.id))
        is None
    ):
        db.session.add(RoundJudge(round_id=round_.id, user_id=judge.id, capacity=0))  # the leader, outside the pool
    db.session.flush()
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


def accept_without_arbiter(round_: Round, submission_id: int, *, actor, reason: str) -> ResultAcceptance:
    """The organiser accepts a stuck entry's scores as they stand (rule "accepted"), with a reason."""
    require_unlocked(round_)
    reason = (reason or "").strip()
    if not reason:
        raise UserError(N_("Give a reason for accepting the scores without arbitration."))
    item = _stuck(round_, submission_id)
    values = item.regular + ([item.third] if item.third is not None else [])
    acceptance = ResultAcceptance(
        round_id=round_.id,
        submission_id=submission_id,
        kind=AcceptanceKind.NO_ARBITER,
        n_scores=len(item.regular),
        reason=reason,
        actor_id=getattr(actor, "id", None),
    )
    db.session.add(acceptance)
    db.session.flush()
    audit.record(
        "judging.result_accept",
        round_,
        actor=actor,
        changes={"kind": str(AcceptanceKind.NO_ARBITER), "entry": item.code, "scores": values, "reason": reason},
    )
    return acceptance
