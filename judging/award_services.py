"""Award schemes, the award list and the committee's decisions on it.

``judging.awards`` is the pure allocation; these functions read the stored
results, replay the committee's adjustments and tie decisions, and store the
award list. Computing results and finalising are ``judging.results``.
"""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import delete, insert, select

from core import audit
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_
from essays.models import Submission
from judging import awards as awards_mod
from judging.models import Award, AwardAdjustment, AwardLevelRule, AwardScheme, Round, RoundResult, TieDecision
from judging.round_services import require_unlocked

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


def allocation_of(round_: Round):
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


def store_awards(round_: Round, allocation, adjusted: set) -> None:
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
    allocation, adjusted = allocation_of(round_)  # raises UserError if the change breaks a rule
    store_awards(round_, allocation, adjusted)
    audit.record(
        "judging.award_adjust",
        round_,
        actor=actor,
        changes={"submission_id": submission_id, "level": [old, new_level or None], "reason": reason},
    )


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
        allocation, _adjusted = allocation_of(round_)
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
    allocation, adjusted = allocation_of(round_)
    store_awards(round_, allocation, adjusted)
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
