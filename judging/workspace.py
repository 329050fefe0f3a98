"""Read queries behind the judging pages.

Judge-facing functions return projections and plain values only: a
``JudgeRound`` for the round (``judge_round``), ``essays.blind.BlindEntry``
for entries. They select the columns a judge may see, so an identity field
cannot reach a template even by accident. The queue, its neighbours and the
next code share one query shape (``live_assignments``); the queue is one SQL
statement whatever its length.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import func, select

from accounts.models import Unit, User
from core import exports
from core.extensions import db
from essays.blind import BlindEntry, blind_entry, judge_file_bytes, judge_file_name, project
from essays.models import Competition, Genre, Group, Submission
from judging.awards import LEVEL_CODES, LEVEL_LABELS
from judging.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Award,
    AwardAdjustment,
    ResultRule,
    Round,
    RoundJudge,
    RoundResult,
    RoundState,
    Score,
    ScoreStatus,
)
from judging.stats import entry_rows


@dataclass(frozen=True)
class MyRound:
    round_id: int
    name: str
    competition_title: str
    state: RoundState
    assigned: int
    submitted: int
    pledged: bool
    judge_deadline: dt.datetime | None = None

    @property
    def percent(self) -> int:
        return int(100 * self.submitted / self.assigned) if self.assigned else 0


def my_rounds(judge_id: int) -> list[MyRound]:
    counts = (
        select(Assignment.round_id, func.count(Assignment.id).label("n"), func.count(Score.submitted_at).label("done"))
        .outerjoin(Score, (Score.assignment_id == Assignment.id) & (Score.status == ScoreStatus.SUBMITTED))
        .where(Assignment.judge_id == judge_id, Assignment.status != AssignmentStatus.RECUSED)
        .group_by(Assignment.round_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            Round.id,
            Round.name,
            Competition.title,
            Round.state,
            counts.c.n,
            counts.c.done,
            RoundJudge.pledge_accepted_at,
            Round.judge_deadline,
        )
        .join(RoundJudge, (RoundJudge.round_id == Round.id) & (RoundJudge.user_id == judge_id))
        .join(Competition, Competition.id == Round.competition_id)
        .outerjoin(counts, counts.c.round_id == Round.id)
        .where(RoundJudge.active.is_(True) | (counts.c.n > 0), Round.state != RoundState.SETUP)
        .order_by(Round.id.desc())
    ).all()
    return [MyRound(r[0], r[1], r[2], r[3], r[4] or 0, r[5] or 0, r[6] is not None, r[7]) for r in rows]


@dataclass(frozen=True)
class JudgeCriterion:
    id: int
    name: str
    maximum: float
    weight: float
    step: float
    guidance: str

    @property
    def field(self) -> str:
        """The name of the criterion's input in the score form."""
        return f"c{self.id}"


@dataclass(frozen=True)
class JudgeRound:
    """What a judge's pages show of a round: never its leader, competition record or settings."""

    id: int
    name: str
    competition_title: str
    state: RoundState
    judge_deadline: dt.datetime | None
    pledge_text: str
    criteria: tuple[JudgeCriterion, ...]

    @property
    def full_marks(self) -> float:
        return float(sum(c.maximum * c.weight for c in self.criteria))


def judge_round(round_: Round) -> JudgeRound:
    return JudgeRound(
        id=round_.id,
        name=round_.name,
        competition_title=round_.competition.title,
        state=round_.state,
        judge_deadline=round_.judge_deadline,
        pledge_text=round_.pledge_text or "",
        criteria=tuple(
            JudgeCriterion(c.id, c.name, c.maximum, c.weight, c.step, c.guidance or "") for c in round_.criteria
        ),
    )


@dataclass(frozen=True)
class QueueItem:
    entry: BlindEntry
    role: AssignmentRole
    status: str  # assigned | submitted | recused
    draft: bool
    total: float | None


def live_assignments(round_: Round, judge_id: int, *columns):
    """The judge's live assignments in the round, in their own stored random order."""
    return (
        select(*columns)
        .select_from(Assignment)
        .join(Submission, Submission.id == Assignment.submission_id)
        .where(
            Assignment.round_id == round_.id,
            Assignment.judge_id == judge_id,
            Assignment.status != AssignmentStatus.RECUSED,
        )
        .order_by(Assignment.shuffle_key, Assignment.id)
    )


def queue(round_: Round, judge_id: int) -> list[QueueItem]:
    """The judge's queue; one query."""
    rows = db.session.execute(
        live_assignments(
            round_,
            judge_id,
            Submission.anonymous_code,
            Submission.judge_title,
            Submission.word_count,
            Submission.han_count,
            Submission.judge_file_id,
            Genre.name,
            Group.name,
            Assignment.role,
            Assignment.status,
            Score.status,
            Score.total,
        )
        .outerjoin(Genre, Genre.id == Submission.genre_id)
        .outerjoin(Group, Group.id == Submission.group_id)
        .outerjoin(Score, Score.assignment_id == Assignment.id)
    ).all()
    title = round_.competition.title
    return [
        QueueItem(
            blind_entry(
                code=code,
                competition_title=title,
                genre=genre,
                group=group,
                title=judge_title,
                word_count=words,
                han_count=han,
                judge_file_id=file_id,
            ),
            role,
            str(status),
            score_status == ScoreStatus.DRAFT,
            total,
        )
        for code, judge_title, words, han, file_id, genre, group, role, status, score_status, total in rows
    ]


def _codes(round_: Round, judge_id: int) -> list[tuple[str, AssignmentStatus]]:
    return list(db.session.execute(live_assignments(round_, judge_id, Submission.anonymous_code, Assignment.status)))


def neighbours(round_: Round, judge_id: int, code: str) -> dict:
    codes = [c for c, _ in _codes(round_, judge_id)]
    if code not in codes:
        return {"prev": None, "next": None, "position": None, "count": len(codes)}
    i = codes.index(code)
    return {
        "prev": codes[i - 1] if i > 0 else None,
        "next": codes[i + 1] if i + 1 < len(codes) else None,
        "position": i + 1,
        "count": len(codes),
    }


def next_code(round_: Round, judge_id: int, code: str) -> str | None:
    """The next entry in the queue still waiting for this judge's score."""
    rows = _codes(round_, judge_id)
    codes = [c for c, _ in rows]
    start = codes.index(code) + 1 if code in codes else 0
    for c, status in rows[start:] + rows[:start]:
        if status == AssignmentStatus.ASSIGNED and c != code:
            return c
    return None


def find_assignment(round_: Round, judge_id: int, code: str) -> Assignment | None:
    return db.session.scalar(
        select(Assignment)
        .join(Submission, Submission.id == Assignment.submission_id)
        .where(
            Assignment.round_id == round_.id,
            Assignment.judge_id == judge_id,
            Submission.competition_id == round_.competition_id,
            Submission.anonymous_code == code,
        )
    )


def reading(item: Assignment) -> BlindEntry:
    """The entry of the judge's assignment as the judge reads it."""
    return project(item.submission)


def work_state(item: Assignment) -> dict:
    """What the judge's form shows: their own values and comment, plain data."""
    score = item.score
    return {
        "status": str(item.status),
        "role": item.role,
        "values": dict(score.values or {}) if score else {},
        "comment": score.comment if score else "",
        "total": score.total if score else None,
        "submitted": bool(score and score.status == ScoreStatus.SUBMITTED),
        "updated_at": score.updated_at if score else None,
    }


def other_scores(round_: Round, item: Assignment) -> list[float]:
    """Colleagues' submitted totals on the same entry (shown only when the round allows)."""
    return sorted(
        db.session.scalars(
            select(Score.total)
            .join(Assignment, Assignment.id == Score.assignment_id)
            .where(
                Assignment.round_id == round_.id,
                Assignment.submission_id == item.submission_id,
                Assignment.id != item.id,
                Score.status == ScoreStatus.SUBMITTED,
            )
        )
    )


def judge_copy(item: Assignment) -> tuple[bytes | None, str, str]:
    """The scrubbed judge copy under a name made from the anonymous code only."""
    sub = item.submission
    data = judge_file_bytes(sub)
    if data is None:
        return None, "", ""
    name = judge_file_name(sub)
    mimetype = (sub.judge_file.content_type if sub.judge_file else "application/octet-stream").split(";")[0]
    return data, name, mimetype


def codes_for(ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(
        db.session.execute(select(Submission.id, Submission.anonymous_code).where(Submission.id.in_(ids))).all()
    )


# --------------------------------------------------------------------------
# Organiser views (identity allowed)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class RankRow:
    submission_id: int
    code: str
    title: str
    author: str
    unit: str
    group_label: str
    final: float | None
    rule: ResultRule
    rank: int | None
    group_rank: int | None
    tied: bool
    level: str | None
    adjusted: bool
    n_scores: int = 0
    short: bool = False  # fewer than k final scores (评分不足)


def ranking(round_: Round) -> list[RankRow]:
    rows = db.session.execute(
        select(
            RoundResult,
            Submission.anonymous_code,
            Submission.title,
            User.display_name,
            Award.level,
            Award.adjusted,
            Submission.unit_id,
        )
        .join(Submission, Submission.id == RoundResult.submission_id)
        .join(User, User.id == Submission.author_id)
        .outerjoin(Award, (Award.round_id == RoundResult.round_id) & (Award.submission_id == RoundResult.submission_id))
        .where(RoundResult.round_id == round_.id)
        .order_by(RoundResult.group_label, RoundResult.group_rank.is_(None), RoundResult.group_rank)
    ).all()
    unit_ids = {r[6] for r in rows if r[6]}
    units = dict(db.session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids))).all()) if unit_ids else {}
    return [
        RankRow(
            r.submission_id,
            code or "",
            title,
            author,
            units.get(unit_id, ""),
            r.group_label,
            r.final_score,
            r.rule,
            r.rank,
            r.group_rank,
            r.tied_with_previous,
            level,
            bool(adjusted),
            r.n_scores,
            r.n_scores < round_.k,
        )
        for r, code, title, author, level, adjusted, unit_id in rows
    ]


def adjustments(round_: Round) -> list[tuple]:
    return db.session.execute(
        select(AwardAdjustment, Submission.anonymous_code, User.display_name)
        .join(Submission, Submission.id == AwardAdjustment.submission_id)
        .outerjoin(User, User.id == AwardAdjustment.actor_id)
        .where(AwardAdjustment.round_id == round_.id)
        .order_by(AwardAdjustment.id)
    ).all()


def _rule_text(code: str | None) -> str:
    return ResultRule.label_of(code, default=code or "")


def _short_text(n_scores: int, k: int) -> str:
    return gettext("; too few scores (%(n)s of %(k)s)", n=n_scores, k=k)


def summary_table(round_: Round) -> exports.Table:
    """评分汇总表 with Chinese headers (the format organisers report upward), from the stored results."""
    entries, judges = entry_rows(round_)
    ranked = {r.submission_id: r for r in ranking(round_)}
    columns = (
        [
            exports.Column(gettext("Overall rank"), 6),
            exports.Column(gettext("Code"), 10),
            exports.Column(gettext("Entry"), 30),
            exports.Column(gettext("Author"), 10),
            exports.Column(gettext("Unit"), 20),
            exports.Column(gettext("Group"), 10),
        ]
        + [exports.Column(gettext("Judge: %(name)s", name=name), 12) for _, name in judges]
        + [
            exports.Column(gettext("Third reading"), 8),
            exports.Column(gettext("Arbiter"), 8),
            exports.Column(gettext("Final"), 10),
            exports.Column(gettext("Rule"), 14),
            exports.Column(gettext("Award"), 10),
        ]
    )
    out = []
    for e in sorted(
        entries, key=lambda e: (ranked[e.submission_id].rank or 10**9) if e.submission_id in ranked else 10**9
    ):
        r = ranked.get(e.submission_id)
        out.append(
            [
                r.rank if r else None,
                e.code,
                r.title if r else "",
                r.author if r else "",
                r.unit if r else "",
                r.group_label if r else "",
            ]
            + [e.scores.get(j) for j, _ in judges]
            + [
                e.third,
                e.arbiter,
                (r.final if r else e.final),
                _rule_text(r.rule if r else e.rule) + (_short_text(r.n_scores, round_.k) if r and r.short else ""),
                gettext(LEVEL_LABELS[r.level]) if r and r.level else "",
            ]
        )
    return exports.Table(columns, out, sheet=gettext("Score summary"))


__all__ = ["LEVEL_CODES", "AssignmentRole"]
