"""A round's results: aggregation and ranking, entries with too few scores, finalising.

Award schemes, the award list and the committee's tie decisions are
``judging.award_services``; finalising hands the awards to publishing.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from itertools import compress
from typing import NamedTuple

import numpy as np
from flask_babel import gettext
from sqlalchemy import select

from core import audit
from core.db import utcnow
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_
from essays.models import Genre, Group, Submission
from judging import awards as awards_mod
from judging import result_store, round_arrays, scoring
from judging.arbitration import VerdictRules, accepted_ids, checked_reason, record_acceptance, verdict
from judging.award_services import allocation_of, get_scheme, store_awards
from judging.models import (
    AcceptanceKind,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    AwardScheme,
    ResultAcceptance,
    ResultRule,
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


class ComputedResult(NamedTuple):
    """One stored result row as computed (the columns of ``RoundResult`` callers read).

    A named tuple, not a dataclass: 10,000 of them are built in milliseconds.
    """

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


_new_result = partial(tuple.__new__, ComputedResult)  # ComputedResult from a tuple, without a Python call


@contextmanager
def gc_paused():
    """No cyclic garbage collection inside the block (reference counting still frees memory).

    A round's aggregation allocates a few hundred thousand small objects (rows, tuples,
    floats) that are all alive until it ends: without the pause every ~700 of them start a
    collection that walks them in vain. Measured with the workers' ``gc.freeze()`` as well
    (``python -m bench.aggregation``, 2026-12-01, load 7-12): 50,000 entries 1.3-1.8x the
    fetch of their scores with the pause, 2.1-2.6x (PostgreSQL) and 3.0-4.2x (SQLite) without.
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
    db.session.flush()  # the reads below run on the connection, below the session's autoflush
    connection = db.session.connection()  # Core rows: these reads need no ORM loading context
    rows = fetch_scores(round_)
    # The round's entries and what the results show of them, one query. A subquery, not
    # IN (10,000 literals): the driver would spend longer parsing the statement.
    in_round = select(Assignment.submission_id).where(Assignment.round_id == round_.id).distinct()
    entries = connection.execute(
        select(Submission.id, Submission.anonymous_code, Genre.name, Group.name)
        .outerjoin(Genre, Genre.id == Submission.genre_id)
        .outerjoin(Group, Group.id == Submission.group_id)
        .where(Submission.id.in_(in_round))
        .order_by(Submission.id)
    ).all()
    entry_ids = np.array([e[0] for e in entries], dtype=np.int64)
    final, rule, scores = _verdicts(round_, rows, entry_ids)
    scheme = db.session.scalar(select(AwardScheme).where(AwardScheme.round_id == round_.id))
    grouping = scheme.grouping if scheme else "all"
    if grouping == "all":
        labels = [""] * len(entries)
    else:
        labels_of = {key: group_label(*key, grouping) for key in {(e[2], e[3]) for e in entries}}
        labels = [labels_of[e[2], e[3]] for e in entries]
    rank, group_rank, tied = _ranks(final, scores, entries, labels, round_.full_marks or 100.0)
    counts = scores.counts
    with np.errstate(invalid="ignore", divide="ignore"):
        means = scores.sums() / counts
    values = list(
        zip(
            _nullable(final),
            rule,
            counts.tolist(),
            _nullable(np.where(counts > 0, means, np.nan)),
            _nullable(scores.spreads()),
            labels,
            _places(rank),
            _places(group_rank),
            tied.tolist(),
        )
    )
    now = utcnow()
    advanced = result_store.store(round_.id, entry_ids.tolist(), values, now)
    if actor is not None:
        audit.record(
            "judging.results_compute",
            round_,
            actor=actor,
            changes={"entries": len(entries), "ranked": int(np.count_nonzero(rank))},
        )
    by_rank = np.argsort(np.where(rank > 0, rank, rank.size + 1), kind="stable").tolist()  # ranked first
    sids = entry_ids.tolist()
    rows = ((round_.id, sids[i], *values[i], sids[i] in advanced, now) for i in by_rank)
    return list(map(_new_result, rows))


def _verdicts(round_: Round, rows, entry_ids: np.ndarray) -> tuple[np.ndarray, list, round_arrays.EntryScores]:
    """Final score (NaN: none) and rule of every entry, and its regular scores in fetch order."""
    columns = list(zip(*rows)) or [(), (), (), ()]
    sids = np.array(columns[0], dtype=np.int64)
    regular = np.fromiter(map(AssignmentRole.REGULAR.__eq__, columns[2]), bool, len(rows))
    totals = np.array(columns[3], dtype=float)
    method_values = np.full(entry_ids.size, np.nan)
    if regular.any():
        judges = np.array(columns[1], dtype=np.int64)
        order, matrix = scoring.to_matrix_arrays(sids[regular], judges[regular], totals[regular])
        values = scoring.aggregate_matrix(matrix, round_.method, scale=(0.0, round_.full_marks))
        method_values[np.searchsorted(entry_ids, order)] = values
    scores = round_arrays.entry_scores(entry_ids, sids[regular], totals[regular])
    extra: dict[int, dict[str, float]] = defaultdict(dict)  # third judges' and leaders' scores: few
    for row in compress(rows, ~regular):
        extra[row[0]][str(row[2])] = row[3]
    rules = VerdictRules.of(round_)
    final, code = round_arrays.common_verdicts(
        scores,
        arbitration=str(rules.arbitration),
        threshold=rules.threshold,
        method_values=method_values,
        by_entry=np.isin(entry_ids, np.fromiter(extra, np.int64, len(extra))),
    )
    common = (ResultRule(rules.method), ResultRule.AGREED, ResultRule.NO_SCORES)
    rule = np.array([*common, None], dtype=object)[code].tolist()  # code -1 (BY_ENTRY): None until decided
    by_entry = np.flatnonzero(code == round_arrays.BY_ENTRY).tolist()
    accepted = accepted_ids(round_, AcceptanceKind.NO_ARBITER) if by_entry else {}
    for i in by_entry:  # the rest, one by one: the per-entry rules decide
        sid, mv = int(entry_ids[i]), method_values[i]
        found = verdict(
            rules,
            scores.scores(i),
            extra[sid].get("third"),
            extra[sid].get("arbiter"),
            None if np.isnan(mv) else float(mv),
            accepted=sid in accepted,
        )
        final[i] = np.nan if found.final is None else found.final
        rule[i] = found.rule
    return final, rule, scores


def _ranks(final: np.ndarray, scores, entries, labels: list[str], full_marks: float):
    """Overall place, place within the award group (0: none) and the group tie flag of every entry."""
    n = final.size
    # The anonymous code, else the entry id (as rank_entries); codes first should both occur.
    keys = [e[1] for e in entries]
    if None in keys:
        keys = [(1, sid) if code is None else (0, code) for sid, code, _genre, _group in entries]
    tiebreak = np.empty(n, dtype=np.int64)
    tiebreak[sorted(range(n), key=keys.__getitem__)] = np.arange(n)
    ranked = ~np.isnan(final)

    def places(members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ranking = scoring.rank_order(final[members], scores.rows(members), tiebreak[members], full_marks=full_marks)
        return members[ranking.order], ranking.tied

    rank, group_rank, tied = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
    if ranked.any():
        placed, ties = places(np.flatnonzero(ranked))
        rank[placed] = np.arange(1, placed.size + 1)
    groups: dict[str, list[int]] = defaultdict(list)
    for i, label in enumerate(labels):
        groups[label].append(i)
    if len(groups) == 1:  # one group holding every entry: its ranking is the overall one
        group_rank[:] = rank
        if ranked.any():
            tied[placed] = ties
        return rank, group_rank, tied
    for members in groups.values():
        members = np.array(members, dtype=np.intp)
        members = members[ranked[members]]
        if members.size:
            placed, ties = places(members)
            group_rank[placed] = np.arange(1, placed.size + 1)
            tied[placed] = ties
    return rank, group_rank, tied


def _nullable(values: np.ndarray) -> list:
    """Python floats, None for NaN."""
    return [None if v != v else v for v in values.tolist()]


def _places(values: np.ndarray) -> list:
    """Python ints, None for 0 (no place)."""
    return [v or None for v in values.tolist()]


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
