"""Read-only views of a round for organisers: progress, discrepancies, reliability."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Select, func, select

from accounts.models import User
from core.extensions import db
from core.queries import count_by
from essays.models import Submission
from judging import reliability as reliability_mod
from judging import scoring
from judging.arbitration import accepted_ids, verdict
from judging.models import (
    AcceptanceKind,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    ResultRule,
    Round,
    Score,
    ScoreStatus,
)
from judging.results import fetch_scores, regular_matrix


@dataclass
class JudgeProgress:
    judge_id: int
    name: str
    assigned: int
    submitted: int
    drafts: int
    recused: int

    @property
    def percent(self) -> int:
        return int(100 * self.submitted / self.assigned) if self.assigned else 0


def progress_by_judge(round_: Round) -> list[JudgeProgress]:
    rows = db.session.execute(
        select(Assignment.judge_id, User.display_name, Assignment.status, Score.status, func.count(Assignment.id))
        .join(User, User.id == Assignment.judge_id)
        .outerjoin(Score, Score.assignment_id == Assignment.id)
        .where(Assignment.round_id == round_.id)
        .group_by(Assignment.judge_id, User.display_name, Assignment.status, Score.status)
    ).all()
    out: dict[int, JudgeProgress] = {}
    for judge_id, name, status, score_status, n in rows:
        p = out.setdefault(judge_id, JudgeProgress(judge_id, name, 0, 0, 0, 0))
        if status == AssignmentStatus.RECUSED:
            p.recused += n
            continue
        p.assigned += n
        if status == AssignmentStatus.SUBMITTED:
            p.submitted += n
        elif score_status == ScoreStatus.DRAFT:
            p.drafts += n
    return sorted(out.values(), key=lambda p: p.name)


def totals(round_: Round) -> dict[str, int]:
    counts = count_by(Assignment.status, Assignment.round_id == round_.id)
    entries = (
        db.session.scalar(
            select(func.count(func.distinct(Assignment.submission_id))).where(Assignment.round_id == round_.id)
        )
        or 0
    )
    assigned = counts.get(AssignmentStatus.ASSIGNED, 0) + counts.get(AssignmentStatus.SUBMITTED, 0)
    submitted = counts.get(AssignmentStatus.SUBMITTED, 0)
    return {
        "entries": entries,
        "assignments": assigned,
        "submitted": submitted,
        "recused": counts.get(AssignmentStatus.RECUSED, 0),
        "percent": int(100 * submitted / assigned) if assigned else 0,
    }


@dataclass
class EntryRow:
    submission_id: int
    code: str
    scores: dict[int, float | None]  # judge_id -> total (None: not yet)
    third: float | None
    arbiter: float | None
    final: float | None
    rule: ResultRule
    spread: float | None
    # Submitted scores given to an older version of the entry than the current one
    # (the freeze prevents it, but the record says so if it ever happens).
    stale_scores: int = 0
    # Fewer than k judges will have scored it (评分不足): fewer than k active regular judges.
    short: bool = False


MATRIX_PER_PAGE = 100


def matrix_query(round_: Round) -> Select:
    """The ids of the round's entries in score-matrix order, for ``db.paginate``."""
    in_round = select(Assignment.submission_id).where(Assignment.round_id == round_.id)
    return select(Submission.id).where(Submission.id.in_(in_round)).order_by(Submission.anonymous_code, Submission.id)


def entry_rows(round_: Round, only: set[int] | None = None) -> tuple[list[EntryRow], list[tuple[int, str]]]:
    """Score matrix: one row per entry (by anonymous code), one column per judge.

    ``only``: the rows of these entries (a page) and the judges who have them;
    the aggregation still runs over every score of the round.
    """
    rows = db.session.execute(
        select(
            Assignment.submission_id,
            Submission.anonymous_code,
            Assignment.judge_id,
            Assignment.role,
            Assignment.status,
            Score.total,
            Score.status,
            Score.entry_version,
            Submission.version,
        )
        .join(Submission, Submission.id == Assignment.submission_id)
        .outerjoin(Score, Score.assignment_id == Assignment.id)
        .where(Assignment.round_id == round_.id)
    ).all()
    judges = (
        dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_({r[2] for r in rows}))).all())
        if rows
        else {}
    )
    by_entry: dict[int, dict] = {}
    for sid, code, judge, role, status, total, sstatus, scored_version, version in rows:
        e = by_entry.setdefault(
            sid, {"code": code or str(sid), "regular": {}, "third": None, "arbiter": None, "stale": 0}
        )
        if status == AssignmentStatus.RECUSED:
            continue
        value = total if sstatus == ScoreStatus.SUBMITTED else None
        if value is not None and scored_version is not None and scored_version != (version or 1):
            e["stale"] += 1
        if role == AssignmentRole.REGULAR:
            e["regular"][judge] = value
        elif role == AssignmentRole.THIRD:
            e["third"] = value
        else:
            e["arbiter"] = value
    regular = {sid: {j: v for j, v in e["regular"].items() if v is not None} for sid, e in by_entry.items()}
    regular = {sid: m for sid, m in regular.items() if m}
    try:
        method_values = scoring.aggregate(regular, round_.method, scale=(0.0, round_.full_marks)) if regular else {}
    except Exception:  # standardised needs enough scores per judge; fall back while scoring goes on
        method_values = scoring.aggregate(regular, "mean") if regular else {}
    accepted = accepted_ids(round_, AcceptanceKind.NO_ARBITER)
    out = []
    for sid, e in by_entry.items():
        done = [v for v in e["regular"].values() if v is not None]
        waiting = any(v is None for v in e["regular"].values())
        v = verdict(round_, done, e["third"], e["arbiter"], method_values.get(sid), accepted=sid in accepted)
        rule = ResultRule.PENDING if waiting else v.rule
        out.append(
            EntryRow(
                sid,
                e["code"],
                e["regular"],
                e["third"],
                e["arbiter"],
                None if waiting else v.final,
                rule,
                v.spread,
                e["stale"],
                short=len(e["regular"]) < round_.k,
            )
        )
    if only is not None:
        out = [r for r in out if r.submission_id in only]
        on_page = {j for r in out for j in r.scores}
        judges = {j: name for j, name in judges.items() if j in on_page}
    out.sort(key=lambda r: r.code)
    judge_list = sorted(judges.items(), key=lambda kv: kv[1])
    return out, judge_list


def discrepancies(round_: Round) -> list[EntryRow]:
    """Entries whose regular scores differ by more than T, largest gap first."""
    rows, _ = entry_rows(round_)
    t = round_.effective_threshold
    return sorted([r for r in rows if r.spread is not None and r.spread > t + 1e-9], key=lambda r: -(r.spread or 0))


@dataclass
class Reliability:
    alpha: float
    alpha_band: str
    icc: dict[str, float] | None
    icc_band: str | None
    kendall_w: float | None
    note: str | None
    # Which ICC the page shows: "ICC(2,1)" for a complete design, "ICC(1,1)"
    # (one-way, unequal numbers of judges) for an incomplete one.
    icc_form: str = "ICC(2,1)"
    pairable: int = 0

    @property
    def insufficient(self) -> bool:
        return self.alpha_band == "insufficient"


def reliability(round_: Round) -> Reliability:
    """Alpha always; ICC(2,1) and Kendall's W for a complete design, ICC(1,1) for an
    incomplete one (Kendall's W has no general variant there: ``note`` says why)."""
    scores = regular_matrix(fetch_scores(round_))
    entry_ids, judge_ids, matrix = scoring.to_matrix(scores)
    if matrix.size == 0:
        return Reliability(math.nan, "insufficient", None, None, None, None)
    by_judge = [[None if np.isnan(v) else float(v) for v in col] for col in matrix.T]
    alpha = reliability_mod.krippendorff_alpha(by_judge)
    pairable = reliability_mod.pairable_entries(by_judge)
    band = reliability_mod.interpret_alpha(alpha, pairable)
    if band == "insufficient":
        return Reliability(alpha, band, None, None, None, None, pairable=pairable)
    if matrix.shape[1] >= 2 and not np.isnan(matrix).any():
        icc = reliability_mod.icc(matrix.tolist())
        w = reliability_mod.kendall_w(matrix.T.tolist())
        return Reliability(alpha, band, icc, reliability_mod.interpret_icc(icc["ICC(2,1)"]), w, None, pairable=pairable)
    icc = reliability_mod.icc_oneway([[v for v in row if not np.isnan(v)] for row in matrix])
    icc_band = reliability_mod.interpret_icc(icc["ICC(1,1)"])
    return Reliability(alpha, band, icc, icc_band, None, "incomplete", "ICC(1,1)", pairable)


def leniency(round_: Round) -> list[tuple[str, float, float, int]]:
    """(judge name, mean, sd, n) per judge."""
    scores = regular_matrix(fetch_scores(round_))
    data = reliability_mod.judge_leniency(scores)
    names = (
        dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(list(data)))).all())
        if data
        else {}
    )
    return sorted([(names.get(j, str(j)), m, s, n) for j, (m, s, n) in data.items()], key=lambda r: r[0])


def score_histogram(round_: Round, bins: int = 10) -> tuple[list[int], float, float]:
    values = [total for _sid, _j, role, total in fetch_scores(round_) if role == AssignmentRole.REGULAR]
    hi = round_.full_marks or 100.0
    return reliability_mod.histogram(values, bins, 0.0, hi), 0.0, hi


def per_judge_counts(round_: Round) -> dict[int, int]:
    return defaultdict(
        int,
        dict(
            db.session.execute(
                select(Assignment.judge_id, func.count(Assignment.id))
                .where(Assignment.round_id == round_.id, Assignment.status != AssignmentStatus.RECUSED)
                .group_by(Assignment.judge_id)
            ).all()
        ),
    )
