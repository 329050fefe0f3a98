"""A round's results: aggregation and ranking, entries with too few scores, finalising.

Award schemes, the award list and the committee's tie decisions are
``judging.award_services``; finalising hands the awards to publishing.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, fields

from flask_babel import gettext
from sqlalchemy import delete, select

from core import audit
from core.db import utcnow
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_
from essays.models import Genre, Group, Submission
from judging import awards as awards_mod
from judging import scoring
from judging.arbitration import VerdictRules, accepted_ids, checked_reason, record_acceptance, verdict
from judging.assign_services import bulk_insert
from judging.award_services import allocation_of, get_scheme, store_awards
from judging.models import (
    AcceptanceKind,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    AwardScheme,
    ResultAcceptance,
    Round,
    RoundResult,
    RoundState,
    Score,
    ScoreStatus,
)
from judging.pool_services import group_label
from judging.round_services import require_unlocked
from judging.side_honours import awarded_entries, organiser_names
from publishing.results import HonourInput, import_honours


def fetch_scores(round_: Round) -> list[tuple[int, int, str, float]]:
    """(submission_id, judge_id, role, total) of every submitted score, one query.

    Runs on the session's connection (Core rows, no ORM loading context): on
    50,000 scores that is about half the time of ``session.execute``.
    """
    return (
        db.session.connection()
        .execute(
            select(Assignment.submission_id, Assignment.judge_id, Assignment.role, Score.total)
            .join(Score, Score.assignment_id == Assignment.id)
            .where(
                Score.round_id == round_.id,
                Score.status == ScoreStatus.SUBMITTED,
                Assignment.status != AssignmentStatus.RECUSED,
                Score.total.is_not(None),
            )
        )
        .all()
    )


def regular_matrix(rows) -> dict[int, dict[int, float]]:
    out: dict[int, dict[int, float]] = defaultdict(dict)
    for sid, judge, role, total in rows:
        if role == AssignmentRole.REGULAR:
            out[sid][judge] = total
    return out


@dataclass(frozen=True, slots=True)
class ComputedResult:
    """One stored result row as computed (the columns of ``RoundResult`` callers read)."""

    round_id: int
    submission_id: int
    final_score: float | None
    rule: str
    n_scores: int
    mean: float | None
    spread: float | None
    group_label: str
    rank: int | None
    group_rank: int | None
    tied_with_previous: bool
    advanced: bool
    computed_at: object


_RESULT_COLUMNS = tuple(f.name for f in fields(ComputedResult))


@contextmanager
def gc_paused():
    """No cyclic garbage collection inside the block (reference counting still frees memory).

    A round's aggregation allocates a few hundred thousand small objects (rows, tuples,
    floats) that are all alive until it ends: without the pause every ~700 of them start a
    collection that walks them in vain (measured: a third to half of the 10,000-entry time).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def compute_results(round_: Round, *, actor=None) -> list[ComputedResult]:
    """Final score, rule, rank (overall and within the award group) for every entry."""
    require_unlocked(round_)
    with gc_paused():
        return _compute_results(round_, actor)


def _compute_results(round_: Round, actor) -> list[ComputedResult]:
    rows = fetch_scores(round_)
    regular = regular_matrix(rows)
    extra: dict[int, dict[str, float]] = defaultdict(dict)
    for sid, _judge, role, total in rows:
        if role != AssignmentRole.REGULAR:
            extra[sid][str(role)] = total
    connection = db.session.connection()  # Core rows: these reads need no ORM loading context
    in_round = select(Assignment.submission_id).where(Assignment.round_id == round_.id).distinct()
    method_values = scoring.aggregate(regular, round_.method, scale=(0.0, round_.full_marks)) if regular else {}
    scheme = db.session.scalar(select(AwardScheme).where(AwardScheme.round_id == round_.id))
    grouping = scheme.grouping if scheme else "all"
    # The round's entries and what the results show of them, one query. A subquery, not
    # IN (10,000 literals): the driver would spend longer parsing the statement.
    info = {
        sid: (code, genre, group)
        for sid, code, genre, group in connection.execute(
            select(Submission.id, Submission.anonymous_code, Genre.name, Group.name)
            .outerjoin(Genre, Genre.id == Submission.genre_id)
            .outerjoin(Group, Group.id == Submission.group_id)
            .where(Submission.id.in_(in_round))
            .order_by(Submission.id)
        ).all()
    }
    entry_ids = list(info)

    rules = VerdictRules.of(round_)
    full_marks = round_.full_marks or 100.0
    accepted = accepted_ids(round_, AcceptanceKind.NO_ARBITER)
    verdicts = {}
    for sid in entry_ids:
        scores = list(regular.get(sid, {}).values())
        verdicts[sid] = verdict(
            rules,
            scores,
            extra[sid].get("third"),
            extra[sid].get("arbiter"),
            method_values.get(sid),
            accepted=sid in accepted,
        )
    finals = [
        scoring.RankInput(sid, v.final, v.regular, info[sid][0]) for sid, v in verdicts.items() if v.final is not None
    ]
    ranked = {r.entry_id: r for r in scoring.rank_entries(finals, full_marks=full_marks)}
    groups: dict[str, list] = defaultdict(list)
    for sid in entry_ids:
        groups[group_label(info[sid][1], info[sid][2], grouping)].append(sid)
    group_ranked = {}
    for label, members in groups.items():
        if len(groups) == 1:  # one group holding every entry: its ranking is the overall one
            group_ranked.update((sid, (label, r)) for sid, r in ranked.items())
            continue
        inputs = [
            scoring.RankInput(sid, verdicts[sid].final, verdicts[sid].regular, info[sid][0])
            for sid in members
            if verdicts[sid].final is not None
        ]
        for r in scoring.rank_entries(inputs, full_marks=full_marks):
            group_ranked[r.entry_id] = (label, r)

    advanced = set(
        connection.execute(
            select(RoundResult.submission_id).where(RoundResult.round_id == round_.id, RoundResult.advanced.is_(True))
        ).scalars()
    )
    db.session.execute(delete(RoundResult).where(RoundResult.round_id == round_.id))
    now = utcnow()
    dialect = db.session.get_bind().dialect
    stamp = RoundResult.__table__.c.computed_at.type.bind_processor(dialect)(now)
    if dialect.name == "sqlite":
        stamp = str(stamp)  # converted once, not by the driver per row
    out, rows_out = [], []
    round_id = round_.id
    for sid in entry_ids:
        v = verdicts[sid]
        r = ranked.get(sid)
        label, gr = group_ranked.get(sid, (group_label(info[sid][1], info[sid][2], grouping), None))
        # Values in the order of _RESULT_COLUMNS.
        values = (
            round_id,
            sid,
            v.final,
            v.rule,
            len(v.regular),
            (sum(v.regular) / len(v.regular)) if v.regular else None,
            v.spread,
            label,
            r.rank if r else None,
            gr.rank if gr else None,
            bool(gr.tied_with_previous) if gr else False,
            sid in advanced,
        )
        out.append(ComputedResult(*values, computed_at=now))
        rows_out.append(values + (stamp,))
    # Driver-level insert: SQLAlchemy's ORM bulk insert spent ~0.6 s on 10,000 rows in per-row processing.
    bulk_insert("judging_results", _RESULT_COLUMNS, rows_out)
    if actor is not None:
        audit.record(
            "judging.results_compute", round_, actor=actor, changes={"entries": len(entry_ids), "ranked": len(ranked)}
        )
    out.sort(key=lambda row: (row.rank is None, row.rank or 0))
    return out


# --------------------------------------------------------------------------
# Awards and finalising
# --------------------------------------------------------------------------


def allocate_awards(round_: Round, *, actor) -> awards_mod.Allocation:
    """Recompute results and the award list (replaying committee adjustments)."""
    require_unlocked(round_)
    compute_results(round_)
    allocation, adjusted = allocation_of(round_)
    store_awards(round_, allocation, adjusted)
    audit.record(
        "judging.awards_allocate",
        round_,
        actor=actor,
        changes={
            "awards": len(allocation.awards),
            "unfilled": len(allocation.unfilled),
            "pending_ties": len(allocation.pending_ties),
        },
    )
    return allocation


def finalise_round(round_: Round, *, actor) -> int:
    """Lock the round and hand its awards to publishing. Returns the number of awards."""
    require_unlocked(round_)
    if round_.state != RoundState.CLOSED:
        raise UserError(N_("Close the round before finalising it."))
    results = compute_results(round_)
    if any(r.final_score is None and r.rule in ("needs_third", "needs_arbiter") for r in results):
        raise UserError(N_("Some entries still wait for a third judge or the leader's arbitration."))
    short = [s for s in short_entries(round_, results) if not s.accepted]
    if short:
        raise UserError(
            N_(
                "%(count)s entries have fewer than %(k)s final scores (%(codes)s). Add a judge to them, "
                "or accept them with a reason, before finalising."
            ),
            count=len(short),
            k=round_.k,
            codes="、".join(s.code for s in short[:10]) + ("…" if len(short) > 10 else ""),
        )
    allocation, adjusted = allocation_of(round_) if get_scheme(round_) and get_scheme(round_).levels else (None, set())
    if allocation is not None:
        if allocation.pending_ties:
            raise UserError(N_("The committee must settle the ties at award boundaries first."))
        store_awards(round_, allocation, adjusted)
    round_.state = RoundState.FINALISED
    round_.finalised_at = utcnow()
    db.session.flush()
    count = len(allocation.awards) if allocation else 0
    audit.record("judging.round_finalise", round_, actor=actor, changes={"awards": count})
    hand_to_publishing(round_, actor=actor)
    return count


# --------------------------------------------------------------------------
# Too few scores (评分不足)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ShortEntry:
    """An entry with fewer than k final scores: its ranking rests on fewer judges than the round asks."""

    submission_id: int
    code: str
    n_scores: int
    accepted: bool  # the organiser accepted it with a reason (and it has not lost scores since)
    reason: str | None


def too_few_scores(n_scores: int, k: int) -> bool:
    return n_scores < k


def short_entries(round_: Round, results: list | None = None) -> list[ShortEntry]:
    """Entries with fewer than k final scores, from ``results`` or the stored results."""
    if results is None:
        rows = db.session.execute(
            select(RoundResult.submission_id, RoundResult.n_scores).where(RoundResult.round_id == round_.id)
        ).all()
    else:
        rows = [(r.submission_id, r.n_scores) for r in results]
    short = {sid: n for sid, n in rows if too_few_scores(n, round_.k)}
    if not short:
        return []
    accepted = {
        sid: (n, reason)
        for sid, n, reason in db.session.execute(
            select(ResultAcceptance.submission_id, ResultAcceptance.n_scores, ResultAcceptance.reason).where(
                ResultAcceptance.round_id == round_.id, ResultAcceptance.kind == AcceptanceKind.TOO_FEW_SCORES
            )
        )
    }
    codes = dict(
        db.session.execute(select(Submission.id, Submission.anonymous_code).where(Submission.id.in_(list(short)))).all()
    )
    out = []
    for sid, n in short.items():
        ok = sid in accepted and n >= accepted[sid][0]
        out.append(ShortEntry(sid, codes.get(sid) or str(sid), n, ok, accepted[sid][1] if ok else None))
    return sorted(out, key=lambda s: s.code)


def accept_short_entries(round_: Round, submission_ids: list[int] | None, *, actor, reason: str) -> list[ShortEntry]:
    """Accept entries with fewer than k final scores for finalising: the given ones, or (None) every one
    not yet accepted. One audit entry names the entries and the reason."""
    require_unlocked(round_)
    reason = checked_reason(reason, N_("Give a reason for accepting entries with too few scores."))
    short = {s.submission_id: s for s in short_entries(round_, compute_results(round_))}
    if submission_ids is None:
        targets = [s for s in short.values() if not s.accepted]
    else:
        missing = [sid for sid in submission_ids if sid not in short]
        if missing:
            raise UserError(N_("Entry %(entry)s does not lack scores."), entry=missing[0])
        targets = [short[sid] for sid in submission_ids]
    if not targets:
        raise UserError(N_("No entry lacks scores."))
    record_acceptance(
        round_,
        AcceptanceKind.TOO_FEW_SCORES,
        {t.submission_id: t.n_scores for t in targets},
        actor=actor,
        reason=reason,
        changes={
            "scope": "round" if submission_ids is None else "entry",
            "entries": {t.code: f"{t.n_scores}/{round_.k}" for t in targets},
        },
    )
    return targets


def hand_to_publishing(round_: Round, *, actor) -> object | None:
    rows = awarded_entries(round_)
    items = [
        HonourInput(
            level_code=award.level,
            level_text=gettext(awards_mod.LEVEL_LABELS.get(award.level, award.level)),
            recipient_name=sub.author.display_name if sub.author else "",
            recipient_unit=(sub.unit.name if sub.unit else (sub.author.unit_name if sub.author else "")),
            work_title=sub.title,
            group_label=award.group_label,
            score=award.score,
            rank=award.rank,
            user_id=sub.author_id,
            source_item_id=sub.id,
        )
        for award, sub in rows
    ]
    comp = round_.competition
    # One result set per competition: the last finalised round's awards replace a draft set.
    return import_honours("competition", comp.id, comp.title, items, actor, organiser=organiser_names(comp))
