"""Aggregation, ranking, awards and finalising a round."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, fields

from sqlalchemy import delete, insert, select

from core import audit
from core.db import UTCDateTime, utcnow
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_
from essays.models import Genre, Group, Submission
from judging import awards as awards_mod
from judging import scoring
from judging.models import (
    AcceptanceKind,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Award,
    AwardAdjustment,
    AwardLevelRule,
    AwardScheme,
    ResultAcceptance,
    Round,
    RoundResult,
    RoundState,
    Score,
    ScoreStatus,
    TieDecision,
)
from judging.services import VerdictRules, bulk_insert, group_label, require_unlocked, verdict


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


def compute_results(round_: Round, *, actor=None) -> list[ComputedResult]:
    """Final score, rule, rank (overall and within the award group) for every entry."""
    require_unlocked(round_)
    rows = fetch_scores(round_)
    regular = regular_matrix(rows)
    extra: dict[int, dict[str, float]] = defaultdict(dict)
    for sid, _judge, role, total in rows:
        if role != AssignmentRole.REGULAR:
            extra[sid][str(role)] = total
    connection = db.session.connection()  # Core rows: these reads need no ORM loading context
    in_round = select(Assignment.submission_id).where(Assignment.round_id == round_.id).distinct()
    entry_ids = sorted(connection.execute(in_round).scalars().all())
    method_values = scoring.aggregate(regular, round_.method, scale=(0.0, round_.full_marks)) if regular else {}
    scheme = db.session.scalar(select(AwardScheme).where(AwardScheme.round_id == round_.id))
    grouping = scheme.grouping if scheme else "all"
    # A subquery, not IN (10,000 literals): the driver would spend longer parsing the statement.
    info = (
        {
            sid: (code, genre, group, author)
            for sid, code, genre, group, author in connection.execute(
                select(Submission.id, Submission.anonymous_code, Genre.name, Group.name, Submission.author_id)
                .outerjoin(Genre, Genre.id == Submission.genre_id)
                .outerjoin(Group, Group.id == Submission.group_id)
                .where(Submission.id.in_(in_round))
            ).all()
        }
        if entry_ids
        else {}
    )

    rules = VerdictRules.of(round_)
    full_marks = round_.full_marks or 100.0
    from judging.arbitration import accepted_ids

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
    stamp = UTCDateTime().process_bind_param(now, db.session.get_bind().dialect)
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
# Awards
# --------------------------------------------------------------------------

DEFAULT_LEVELS = (("first", 1, None), ("second", 2, None), ("third", 3, None), ("excellence", None, 10.0))


def get_scheme(round_: Round, *, create: bool = False) -> AwardScheme | None:
    scheme = db.session.scalar(select(AwardScheme).where(AwardScheme.round_id == round_.id))
    if scheme is None and create:
        scheme = AwardScheme(round_id=round_.id)
        for position, (code, count, percent) in enumerate(DEFAULT_LEVELS):
            scheme.levels.append(AwardLevelRule(position=position, code=code, count=count, percent=percent))
        db.session.add(scheme)
        db.session.flush()
    return scheme


def set_scheme(
    round_: Round, *, actor, grouping: str, one_award_per_author: bool, boundary_tie: str, levels: list[dict]
) -> AwardScheme:
    """levels: [{code, count|percent, min_score}] from the highest down."""
    require_unlocked(round_)
    if boundary_tie not in awards_mod.BOUNDARY_TIE_POLICIES:
        raise UserError(N_("Unknown tie policy."))
    scheme = get_scheme(round_, create=True)
    before = {
        "grouping": scheme.grouping,
        "levels": [(lv.code, lv.count, lv.percent, lv.min_score) for lv in scheme.levels],
    }
    rules = []
    for row in levels:
        if row.get("count") is None and row.get("percent") is None:
            continue
        if row["code"] not in awards_mod.LEVEL_CODES:
            raise UserError(N_("Unknown award level."))
        rules.append(
            awards_mod.LevelRule(
                row["code"],
                count=row.get("count"),
                percent=row.get("percent") if row.get("count") is None else None,
                min_score=row.get("min_score"),
            )
        )
    if len({r.code for r in rules}) != len(rules):
        raise UserError(N_("Each award level may appear only once."))
    scheme.grouping = grouping
    scheme.one_award_per_author = one_award_per_author
    scheme.boundary_tie = boundary_tie
    scheme.levels.clear()
    db.session.flush()
    for position, r in enumerate(rules):
        scheme.levels.append(
            AwardLevelRule(position=position, code=r.code, count=r.count, percent=r.percent, min_score=r.min_score)
        )
    db.session.flush()
    audit.record(
        "judging.award_scheme",
        round_,
        actor=actor,
        changes=audit.diff(
            before, {"grouping": grouping, "levels": [(r.code, r.count, r.percent, r.min_score) for r in rules]}
        ),
    )
    return scheme


def _allocation(round_: Round):
    scheme = get_scheme(round_, create=True)
    results = db.session.execute(
        select(
            RoundResult.submission_id,
            RoundResult.final_score,
            RoundResult.group_rank,
            RoundResult.group_label,
            RoundResult.tied_with_previous,
            Submission.author_id,
        )
        .join(Submission, Submission.id == RoundResult.submission_id)
        .where(RoundResult.round_id == round_.id, RoundResult.final_score.is_not(None))
        .order_by(RoundResult.group_label, RoundResult.group_rank)
    ).all()
    candidates = [
        awards_mod.Candidate(sid, author, label, score, rank, tied) for sid, score, rank, label, tied, author in results
    ]
    rules = [
        awards_mod.LevelRule(
            lv.code, count=lv.count, percent=lv.percent if lv.count is None else None, min_score=lv.min_score
        )
        for lv in scheme.levels
    ]
    if not rules:
        raise UserError(N_("Set up the award levels first."))
    allocation = awards_mod.allocate(
        candidates, rules, one_award_per_author=scheme.one_award_per_author, boundary_tie=scheme.boundary_tie
    )
    allocation = _replay_tie_decisions(round_, allocation)
    adjustments = [
        awards_mod.Adjustment(a.submission_id, a.new_level, a.reason)
        for a in db.session.scalars(
            select(AwardAdjustment).where(AwardAdjustment.round_id == round_.id).order_by(AwardAdjustment.id)
        )
    ]
    adjusted = {a.entry_id for a in adjustments}
    allocation, _changes = awards_mod.apply_adjustments(allocation, adjustments)
    return allocation, adjusted


def allocate_awards(round_: Round, *, actor) -> awards_mod.Allocation:
    """Recompute results and the award list (replaying committee adjustments)."""
    require_unlocked(round_)
    compute_results(round_)
    allocation, adjusted = _allocation(round_)
    _store_awards(round_, allocation, adjusted)
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


def _store_awards(round_: Round, allocation, adjusted: set) -> None:
    db.session.execute(delete(Award).where(Award.round_id == round_.id))
    rows = [
        {
            "round_id": round_.id,
            "submission_id": a.entry_id,
            "level": a.level,
            "position": a.position,
            "group_label": str(a.group),
            "score": a.score,
            "rank": a.rank,
            "adjusted": a.entry_id in adjusted,
        }
        for a in allocation.awards
    ]
    if rows:
        db.session.execute(insert(Award), rows)
    db.session.flush()


def adjust_award(round_: Round, submission_id: int, new_level: str | None, *, actor, reason: str) -> None:
    """A committee decision, with its reason, replayed on every allocation."""
    require_unlocked(round_)
    reason = (reason or "").strip()
    if not reason:
        raise UserError(N_("A reason is required to change an award."))
    old = db.session.scalar(
        select(Award.level).where(Award.round_id == round_.id, Award.submission_id == submission_id)
    )
    entry = db.session.get(Submission, submission_id)
    if entry is None or entry.competition_id != round_.competition_id:
        # Checked here: an unknown id would otherwise fail the foreign key (a 500).
        raise UserError(N_("Entry %(entry)s is not among the candidates."), entry=submission_id)
    adjustment = AwardAdjustment(
        round_id=round_.id,
        submission_id=submission_id,
        new_level=new_level or None,
        reason=reason,
        actor_id=getattr(actor, "id", None),
    )
    db.session.add(adjustment)
    db.session.flush()
    allocation, adjusted = _allocation(round_)  # raises UserError if the change breaks a rule
    _store_awards(round_, allocation, adjusted)
    audit.record(
        "judging.award_adjust",
        round_,
        actor=actor,
        changes={"submission_id": submission_id, "level": [old, new_level or None], "reason": reason},
    )


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
    allocation, adjusted = _allocation(round_) if get_scheme(round_) and get_scheme(round_).levels else (None, set())
    if allocation is not None:
        if allocation.pending_ties:
            raise UserError(N_("The committee must settle the ties at award boundaries first."))
        _store_awards(round_, allocation, adjusted)
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
    reason = (reason or "").strip()
    if not reason:
        raise UserError(N_("Give a reason for accepting entries with too few scores."))
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
    existing = {
        a.submission_id: a
        for a in db.session.scalars(
            select(ResultAcceptance).where(
                ResultAcceptance.round_id == round_.id,
                ResultAcceptance.kind == AcceptanceKind.TOO_FEW_SCORES,
                ResultAcceptance.submission_id.in_([t.submission_id for t in targets]),
            )
        )
    }
    actor_id, now = getattr(actor, "id", None), utcnow()
    for t in targets:
        row = existing.get(t.submission_id)
        if row is None:
            db.session.add(
                ResultAcceptance(
                    round_id=round_.id,
                    submission_id=t.submission_id,
                    kind=AcceptanceKind.TOO_FEW_SCORES,
                    n_scores=t.n_scores,
                    reason=reason,
                    actor_id=actor_id,
                    created_at=now,
                )
            )
        else:
            row.n_scores, row.reason, row.actor_id, row.created_at = t.n_scores, reason, actor_id, now
    db.session.flush()
    audit.record(
        "judging.result_accept",
        round_,
        actor=actor,
        changes={
            "kind": str(AcceptanceKind.TOO_FEW_SCORES),
            "scope": "round" if submission_ids is None else "entry",
            "entries": {t.code: f"{t.n_scores}/{round_.k}" for t in targets},
            "reason": reason,
        },
    )
    return targets


# --------------------------------------------------------------------------
# Ties at award boundaries: the committee's decisions
# --------------------------------------------------------------------------


def _tie_key(tie: awards_mod.PendingTie) -> tuple[str, str, frozenset]:
    return str(tie.group), tie.level, frozenset((*tie.awarded, *tie.below))


def _replay_tie_decisions(round_: Round, allocation: awards_mod.Allocation) -> awards_mod.Allocation:
    """Break each pending tie the committee decided (latest decision first), then allocate again."""
    decisions = list(
        db.session.scalars(select(TieDecision).where(TieDecision.round_id == round_.id).order_by(TieDecision.id.desc()))
    )
    used: set[int] = set()
    while decisions:
        match = next(
            (
                (tie, d)
                for tie in allocation.pending_ties
                for d in decisions
                if d.id not in used and (d.group_label, d.level, frozenset(d.entries)) == _tie_key(tie)
            ),
            None,
        )
        if match is None:
            break
        tie, decision = match
        used.add(decision.id)
        candidates = awards_mod.settle_tie(
            allocation.candidates, tie.group, (*tie.awarded, *tie.below), decision.chosen
        )
        allocation = awards_mod.allocate(
            candidates,
            allocation.rules,
            one_award_per_author=allocation.one_award_per_author,
            boundary_tie=allocation.boundary_tie,
        )
    return allocation


def pending_ties(round_: Round) -> list[awards_mod.PendingTie]:
    """Ties at award boundaries still waiting for the committee (none before award levels are set)."""
    scheme = get_scheme(round_)
    if (
        round_.locked
        or scheme is None
        or not scheme.levels
        or not db.session.scalar(select(RoundResult.id).where(RoundResult.round_id == round_.id).limit(1))
    ):
        return []
    try:
        allocation, _adjusted = _allocation(round_)
    except UserError:  # award rules that cannot be applied yet: the awards page says why
        return []
    return list(allocation.pending_ties)


def decide_tie(
    round_: Round, *, group_label: str, level: str, entries: list[int], chosen: list[int], actor, reason: str
) -> TieDecision:
    """The committee decides which of the entries tied across a boundary take ``level``."""
    require_unlocked(round_)
    reason = (reason or "").strip()
    if not reason:
        raise UserError(N_("Give the reason for the committee's decision."))
    key = (group_label, level, frozenset(entries))
    tie = next((t for t in pending_ties(round_) if _tie_key(t) == key), None)
    if tie is None:
        raise UserError(N_("This tie no longer waits for a decision."))
    chosen_set = set(chosen)
    places = len(tie.awarded)
    if not chosen_set <= key[2] or len(chosen_set) != places:
        from flask_babel import gettext

        raise UserError(
            N_("Choose exactly %(count)s of the tied entries for %(level)s."),
            count=places,
            level=gettext(awards_mod.LEVEL_LABELS[level]) if level in awards_mod.LEVEL_LABELS else level,
        )
    ordered = [e for e in (*tie.awarded, *tie.below) if e in chosen_set]
    decision = TieDecision(
        round_id=round_.id,
        group_label=group_label,
        level=level,
        entries=sorted(key[2]),
        chosen=ordered,
        reason=reason,
        actor_id=getattr(actor, "id", None),
    )
    db.session.add(decision)
    db.session.flush()
    allocation, adjusted = _allocation(round_)
    _store_awards(round_, allocation, adjusted)
    codes = dict(
        db.session.execute(
            select(Submission.id, Submission.anonymous_code).where(Submission.id.in_(list(key[2])))
        ).all()
    )
    audit.record(
        "judging.tie_decide",
        round_,
        actor=actor,
        changes={
            "group": group_label,
            "level": level,
            "tied": sorted(codes[e] for e in key[2]),
            "chosen": [codes[e] for e in ordered],
            "reason": reason,
        },
    )
    return decision


def hand_to_publishing(round_: Round, *, actor) -> object | None:
    from flask_babel import gettext

    from publishing.results import HonourInput, import_honours

    rows = db.session.execute(
        select(Award, Submission)
        .join(Submission, Submission.id == Award.submission_id)
        .where(Award.round_id == round_.id)
        .order_by(Award.group_label, Award.level, Award.position)
    ).all()
    order = {code: i for i, code in enumerate(awards_mod.LEVEL_CODES)}
    rows.sort(key=lambda r: (order.get(r[0].level, 99), r[0].group_label, r[0].position))
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
    organiser = "、".join(o.get("name", "") for o in (comp.organisers or []) if isinstance(o, dict))
    return import_honours("competition", comp.id, comp.title, items, actor, organiser=organiser)
