"""Rounds and their rubric: creating, configuring, opening, closing.

Verb_noun functions that change state, flush and write the audit entry; the
request (or CLI command) commits.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy import func, select

from core import audit
from core.db import utcnow
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_
from essays import freeze as essay_freeze
from essays.models import Competition, CompetitionStatus
from judging import scoring
from judging.models import Arbitration, Assignment, Criterion, PoolRule, Round, RoundState, Score

ROUND_FIELDS = (
    "name",
    "k",
    "method",
    "threshold",
    "arbitration",
    "pool_rule",
    "pool_value",
    "pool_grouping",
    "judge_deadline",
    "reveal_scores_after_close",
    "seed",
    "leader_id",
    "pledge_text",
)


def _snapshot(round_: Round) -> dict:
    return {f: getattr(round_, f) for f in ROUND_FIELDS} | {"state": round_.state}


def require_unlocked(round_: Round) -> None:
    if round_.state == RoundState.FINALISED:
        raise UserError(N_("This round is finalised; nothing in it can change."))


def create_round(competition: Competition, *, actor, name: str, **settings) -> Round:
    position = (
        db.session.scalar(select(func.max(Round.position)).where(Round.competition_id == competition.id)) or 0
    ) + 1
    round_ = Round(
        competition_id=competition.id,
        position=position,
        name=name.strip(),
        seed=settings.pop("seed", None) or random.SystemRandom().randrange(1, 2**31),
        k=3,
        method="mean",
        arbitration=Arbitration.NONE,
        pool_rule=PoolRule.ALL_QUALIFIED,
        pool_grouping="all",
        reveal_scores_after_close=False,
        pledge_text="",
    )
    _apply_settings(round_, settings)
    db.session.add(round_)
    db.session.flush()
    audit.record("judging.round_create", round_, actor=actor, changes=_snapshot(round_))
    return round_


def _apply_settings(round_: Round, settings: dict) -> None:
    for key, value in settings.items():
        if key not in ROUND_FIELDS:
            raise TypeError(f"unknown round setting {key}")
        setattr(round_, key, value)
    if round_.k is not None and round_.k < 1:
        raise UserError(N_("Each entry needs at least one judge."))
    if round_.method not in scoring.METHODS:
        raise UserError(N_("Unknown aggregation method."))
    if round_.threshold is not None and round_.threshold < 0:
        raise UserError(N_("The threshold must not be negative."))


def update_round(round_: Round, *, actor, **settings) -> Round:
    require_unlocked(round_)
    before = _snapshot(round_)
    if round_.state != RoundState.SETUP and "k" in settings and settings["k"] != round_.k:
        raise UserError(N_("The number of judges per entry can only change while the round is being set up."))
    _apply_settings(round_, settings)
    db.session.flush()
    audit.record("judging.round_update", round_, actor=actor, changes=audit.diff(before, _snapshot(round_)))
    return round_


@dataclass
class CriterionInput:
    name: str
    maximum: float
    weight: float = 1.0
    step: float = 1.0
    guidance: str = ""


def set_criteria(round_: Round, rows: list[CriterionInput], *, actor) -> None:
    """Replace the rubric; allowed until the first score is saved."""
    require_unlocked(round_)
    if db.session.scalar(select(func.count(Score.id)).where(Score.round_id == round_.id)):
        raise UserError(N_("The rubric cannot change once judges have started scoring."))
    rows = [r for r in rows if r.name.strip()]
    if not rows:
        raise UserError(N_("The rubric needs at least one criterion."))
    for r in rows:
        if not (r.maximum > 0 and r.step > 0 and r.weight > 0):
            raise UserError(N_("Criterion %(name)s: maximum, step and weight must be positive."), name=r.name)
        if not scoring.on_step(r.maximum, r.step):
            raise UserError(N_("Criterion %(name)s: the maximum must be a multiple of the step."), name=r.name)
    before = [(c.name, c.maximum, c.weight, c.step) for c in round_.criteria]
    round_.criteria.clear()
    db.session.flush()
    for position, r in enumerate(rows):
        round_.criteria.append(
            Criterion(
                position=position,
                name=r.name.strip(),
                maximum=r.maximum,
                weight=r.weight,
                step=r.step,
                guidance=r.guidance.strip(),
            )
        )
    db.session.flush()
    audit.record(
        "judging.rubric_set",
        round_,
        actor=actor,
        changes={"criteria": [before, [(r.name, r.maximum, r.weight, r.step) for r in rows]]},
    )


def call_still_open(competition: Competition) -> bool:
    """Whether authors may still submit or edit entries of the competition (its call is open)."""
    return competition.status == CompetitionStatus.OPEN and utcnow() <= competition.deadline


def open_round(round_: Round, *, actor, confirm_freeze: bool = False) -> None:
    """Open the round for judging; its entries freeze (authors can no longer change them).

    While the call still accepts entries, the organiser must confirm that
    entries freeze from now on (``confirm_freeze``). Entries that come in or
    are qualified later are not in the round until they are assigned.
    """
    require_unlocked(round_)
    if round_.state != RoundState.SETUP:
        raise UserError(N_("Only a round being set up can be opened."))
    if not round_.criteria:
        raise UserError(N_("Set up the rubric before opening the round."))
    if not db.session.scalar(select(func.count(Assignment.id)).where(Assignment.round_id == round_.id)):
        raise UserError(N_("Assign judges before opening the round."))
    competition = db.session.get(Competition, round_.competition_id)
    call_open = call_still_open(competition)
    if call_open and not confirm_freeze:
        raise UserError(
            N_(
                "The competition is still accepting entries. To open the round, confirm that the "
                "entries in it are frozen from the start of the round and can no longer be changed."
            )
        )
    before = round_.state
    round_.state = RoundState.OPEN
    round_.opened_at = round_.opened_at or utcnow()
    db.session.flush()
    audit.record(
        "judging.round_open",
        round_,
        actor=actor,
        changes={"state": [before, round_.state], "call_open": call_open, "freeze_confirmed": bool(confirm_freeze)},
    )
    freeze_round_entries(round_, actor=actor)


def freeze_round_entries(round_: Round, *, actor, entry_ids: list[int] | None = None) -> int:
    """Freeze the entries assigned in an opened round (all of them, or ``entry_ids``)."""
    if round_.state == RoundState.SETUP:
        return 0
    if entry_ids is None:
        entry_ids = list(
            db.session.scalars(select(Assignment.submission_id).where(Assignment.round_id == round_.id).distinct())
        )
    return essay_freeze.freeze_entries(entry_ids, actor=actor, cause=round_)


def close_round(round_: Round, *, actor) -> None:
    if round_.state != RoundState.OPEN:
        raise UserError(N_("Only an open round can be closed."))
    round_.state = RoundState.CLOSED
    round_.closed_at = utcnow()
    db.session.flush()
    audit.record("judging.round_close", round_, actor=actor, changes={"state": ["open", "closed"]})


def reopen_round(round_: Round, *, actor) -> None:
    require_unlocked(round_)
    if round_.state != RoundState.CLOSED:
        raise UserError(N_("Only a closed round can be reopened."))
    round_.state = RoundState.OPEN
    db.session.flush()
    audit.record("judging.round_reopen", round_, actor=actor, changes={"state": ["closed", "open"]})
