"""Expert review: assigning experts to the eligible dossiers, their rubric scores, the ranking.

Assignment reuses ``judging.assign`` (an expert never gets a dossier of their own
unit; loads as even as that allows) and the mean of the experts' totals comes from
``judging.scoring.aggregate``. ``check_ready_for_ballot`` is the guard for moving the
pool on to the committee.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from accounts.models import User
from core import audit, exports
from core.db import utcnow
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_
from judging import scoring
from judging.assign import AssignmentProblem, AssignmentResult, Entry, Judge, assign
from nominations import composition
from nominations.chain import add_step, require_stage
from nominations.models import (
    ExpertReview,
    MemberRole,
    Nomination,
    NominationStatus,
    Programme,
    ProgrammeMember,
    ProgrammeStage,
    RuleOp,
    RuleSubject,
    StepKind,
)
from nominations.panels import members

EXPERT_PANEL = "评审专家组"


def eligible_dossiers(programme: Programme) -> list[Nomination]:
    return db.session.scalars(
        select(Nomination)
        .where(Nomination.programme_id == programme.id, Nomination.status == NominationStatus.ELIGIBLE)
        .order_by(Nomination.id)
    ).all()


# --- assignment ------------------------------------------------------------------


def assign_experts(programme: Programme, actor) -> AssignmentResult:
    """Give every eligible dossier ``experts_per_dossier`` experts, none from its own unit."""
    require_stage(programme, ProgrammeStage.EXPERT_REVIEW, N_("Experts are assigned during the expert review."))
    experts = members(programme, MemberRole.EXPERT)
    if not experts:
        raise UserError(N_("Add experts to the panel first."))
    dossiers = eligible_dossiers(programme)
    if not dossiers:
        raise UserError(N_("There is no eligible dossier to review."))
    existing = {(r.expert_id, n.id) for n in dossiers for r in n.expert_reviews}
    pool = {u.id: Judge(u.id, u.unit_id) for u in experts}
    for expert_id, _nid in existing:  # a reviewer no longer on the panel still counts, takes no more
        pool.setdefault(expert_id, Judge(expert_id, None, capacity=0))
    problem = AssignmentProblem(
        entries=[Entry(n.id, frozenset({n.unit_id})) for n in dossiers],
        judges=list(pool.values()),
        k=programme.experts_per_dossier,
        existing=existing,
        seed=programme.id,
    )
    result = assign(problem)
    by_id = {n.id: n for n in dossiers}
    for expert_id, nomination_id in result.new:
        by_id[nomination_id].expert_reviews.append(ExpertReview(expert_id=expert_id))
    db.session.flush()
    audit.record(
        "nomination.experts_assign",
        programme,
        actor=actor,
        changes={"new": len(result.new), "unfilled": len(result.unfilled)},
    )
    return result


# --- the expert's work -------------------------------------------------------------


def my_reviews(programme: Programme, expert: User) -> list[ExpertReview]:
    return db.session.scalars(
        select(ExpertReview)
        .join(Nomination)
        .where(Nomination.programme_id == programme.id, ExpertReview.expert_id == expert.id)
        .order_by(ExpertReview.nomination_id)
    ).all()


def my_review(programme: Programme, expert: User, nomination_id: int) -> ExpertReview | None:
    return db.session.scalar(
        select(ExpertReview)
        .join(Nomination)
        .where(
            Nomination.programme_id == programme.id,
            ExpertReview.expert_id == expert.id,
            ExpertReview.nomination_id == nomination_id,
        )
    )


def can_score_now(review: ExpertReview) -> bool:
    programme = review.nomination.programme
    return (
        programme.stage == ProgrammeStage.EXPERT_REVIEW
        and review.nomination.status == NominationStatus.ELIGIBLE
        and review.submitted_at is None
    )


def save_review(review: ExpertReview, *, values: dict[str, float], comment: str, submit: bool, actor) -> ExpertReview:
    """Save the rubric scores; submitting locks them."""
    if review.submitted_at is not None:
        raise UserError(N_("Your score for this dossier is submitted and can no longer change."))
    if not can_score_now(review):
        raise UserError(N_("Scoring is closed for this dossier."))
    criteria = review.nomination.programme.criteria
    clean: dict[str, float] = {}
    for criterion in criteria:
        value = values.get(str(criterion.id))
        if value is None:
            if submit:
                raise UserError(N_("Score every criterion before submitting (%(name)s)."), name=criterion.name)
            continue
        if not 0 <= value <= criterion.maximum:
            raise UserError(
                N_("%(name)s takes 0 to %(maximum)s points."), name=criterion.name, maximum=f"{criterion.maximum:g}"
            )
        clean[str(criterion.id)] = float(value)
    review.values = clean
    review.total = round(sum(clean.values()), 2) if clean else None
    review.comment = (comment or "").strip()[:4000]
    if submit:
        review.submitted_at = utcnow()
    db.session.flush()
    audit.record(
        "nomination.score_submit" if submit else "nomination.score_save",
        review.nomination,
        actor=actor,
        changes={"values": clean, "total": review.total},
    )
    if submit:
        _close_expert_step(review.nomination, actor)
    return review


def _close_expert_step(nomination: Nomination, actor) -> None:
    """When the last assigned expert submits, the chain gets the panel's mean score."""
    reviews = nomination.expert_reviews
    if not reviews or any(r.submitted_at is None for r in reviews):
        return
    mean = mean_scores([nomination]).get(nomination.id)
    opinion = f"专家评审平均分 {mean:.2f}（{len(reviews)}位专家）"
    add_step(nomination, StepKind.EXPERT, opinion=opinion, signer=EXPERT_PANEL, actor=actor)
    db.session.flush()


# --- the office's view ------------------------------------------------------------


def mean_scores(dossiers: list[Nomination]) -> dict[int, float]:
    scores = {n.id: {r.expert_id: r.total for r in n.expert_reviews if r.submitted_at is not None} for n in dossiers}
    return scoring.aggregate(scores, "mean")


@dataclass(frozen=True)
class RankRow:
    rank: int | None
    nomination: Nomination
    mean: float | None
    submitted: int
    assigned: int


def ranking(programme: Programme) -> list[RankRow]:
    """Eligible dossiers by mean expert score, highest first; unscored at the end."""
    dossiers = eligible_dossiers(programme)
    means = mean_scores(dossiers)
    ordered = sorted(dossiers, key=lambda n: (n.id not in means, -means.get(n.id, 0), n.id))
    rows, rank = [], 0
    for n in ordered:
        mean = means.get(n.id)
        if mean is not None:
            rank += 1
        submitted = sum(1 for r in n.expert_reviews if r.submitted_at is not None)
        rows.append(RankRow(rank if mean is not None else None, n, mean, submitted, len(n.expert_reviews)))
    return rows


def breach_messages(programme: Programme, pool: list[Nomination]) -> list[str]:
    """Each composition rule the pool breaks, in words: 领导干部 至多 20%：现为 2/4（50%）."""
    rules = [composition.Rule(str(r.subject), str(r.op), r.percent) for r in programme.rules]
    members_ = [
        composition.PoolMember(female=str(n.sex or "") == "female", leader=n.is_leader, frontline=n.is_frontline)
        for n in pool
    ]
    labels = {str(r.subject): RuleSubject(r.subject).label for r in programme.rules}
    ops = {str(r.op): RuleOp(r.op).label for r in programme.rules}
    return [
        _("%(subject)s %(op)s %(percent)s%%: now %(count)s/%(size)s (%(share)s%%)")
        % {
            "subject": labels[b.rule.subject],
            "op": ops[b.rule.op],
            "percent": f"{b.rule.percent:g}",
            "count": b.count,
            "size": b.size,
            "share": f"{b.share:g}",
        }
        for b in composition.breaches(rules, members_)
    ]


def ballot_problems(programme: Programme) -> list[str]:
    """What keeps the eligible pool from going to the committee, in words (empty: ready)."""
    dossiers = eligible_dossiers(programme)
    if not dossiers:
        return [_("There is no eligible dossier to put to the committee.")]
    problems = []
    unscored = [n for n in dossiers if not n.expert_reviews or any(r.submitted_at is None for r in n.expert_reviews)]
    if unscored:
        problems.append(
            _("%(count)s dossier(s) still lack expert scores: %(names)s")
            % {"count": len(unscored), "names": "、".join(n.name for n in unscored[:10])}
        )
    problems += breach_messages(programme, dossiers)
    return problems


def check_ready_for_ballot(programme: Programme) -> None:
    """Guard of EXPERT_REVIEW → BALLOT: every eligible dossier scored, the composition rules hold."""
    problems = ballot_problems(programme)
    if problems:
        raise UserError(N_("The pool cannot go to the committee yet: %(problems)s"), problems="；".join(problems))


def ranking_table(programme: Programme) -> exports.Table:
    """专家评审汇总表: the ranking with each expert's total, Chinese headers."""
    rows = []
    for row in ranking(programme):
        totals = [r.total for r in row.nomination.expert_reviews if r.submitted_at is not None]
        rows.append(
            [
                row.rank or "",
                row.nomination.name,
                row.nomination.unit.name,
                "、".join(f"{t:g}" for t in totals),
                f"{row.submitted}/{row.assigned}",
                round(row.mean, 2) if row.mean is not None else "",
            ]
        )
    columns = [
        exports.Column(_("Rank"), 6),
        exports.Column(_("Full name"), 16),
        exports.Column(_("Nominating unit"), 24),
        exports.Column(_("Experts' totals"), 20),
        exports.Column(_("Scored"), 8),
        exports.Column(_("Mean score"), 10),
    ]
    return exports.Table(columns, rows, sheet=_("Expert review"), title=programme.title)


@dataclass(frozen=True)
class Duty:
    programme: Programme
    role: str  # "expert" / "committee"
    pending: int  # dossiers to score, or candidates to vote on while the ballot is open


def duties(user: User) -> list[Duty]:
    """What a member of expert panels and committees has to do, for the home page."""
    memberships = db.session.scalars(
        select(ProgrammeMember).where(ProgrammeMember.user_id == user.id).order_by(ProgrammeMember.programme_id.desc())
    ).all()
    out = []
    for m in memberships:
        p = m.programme
        if m.role == MemberRole.EXPERT:
            pending = sum(1 for r in my_reviews(p, user) if can_score_now(r))
        else:
            is_open = p.ballot_opened_at is not None and p.ballot_closed_at is None
            done = {b.nomination_id for n in p.nominations for b in n.ballots if b.member_id == user.id}
            done |= {r.nomination_id for n in p.nominations for r in n.recusals if r.member_id == user.id}
            pending = (
                sum(1 for n in p.nominations if n.status == NominationStatus.ELIGIBLE and n.id not in done)
                if is_open
                else 0
            )
        out.append(Duty(p, str(m.role), pending))
    return out
