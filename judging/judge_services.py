"""What a judge does in a round: accept its pledge, declare a conflict, recuse, score.

Verb_noun functions that change state, flush and write the audit entry; the
request commits. Whether the judge may act is decided in
``judging.permissions``; round set-up, assignment and arbitration live in
``judging.services``. ``write_score`` is also how the offline key-in stores
paper score sheets.
"""

from __future__ import annotations

import hashlib
import math

from sqlalchemy import select

from core import audit
from core.db import utcnow
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_
from essays.models import Submission
from judging.arbitration import check_arbitration
from judging.models import (
    Assignment,
    AssignmentStatus,
    ConflictRelation,
    Criterion,
    Round,
    RoundJudge,
    RoundState,
    Score,
    ScoreStatus,
)
from judging.permissions import can_accept_pledge, recusal_refusal, score_refusal
from judging.pool_services import add_replacement, membership, record_conflict_on
from judging.round_services import require_unlocked
from judging.scoring import on_step

_EPS = 1e-9


def parse_value(raw) -> float | None:
    if raw is None:
        return None
    if isinstance(raw, (int, float)):
        return float(raw)
    text = str(raw).strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise UserError(N_("%(value)s is not a number."), value=text) from None
    if not math.isfinite(value):
        raise UserError(N_("%(value)s is not a number."), value=text)
    return value


def check_values(criteria: list[Criterion], raw: dict, *, complete: bool) -> tuple[dict, float | None]:
    """Validated {criterion_id: value} and the weighted total (None if incomplete)."""
    values: dict[str, float] = {}
    for c in criteria:
        value = parse_value(raw.get(str(c.id), raw.get(c.id)))
        if value is None:
            if complete:
                raise UserError(N_("Give a score for %(name)s."), name=c.name)
            continue
        if value < -_EPS or value > c.maximum + _EPS:
            raise UserError(
                N_("%(name)s: the score must be between 0 and %(maximum)s."), name=c.name, maximum=_fmt(c.maximum)
            )
        if not on_step(value, c.step):
            raise UserError(N_("%(name)s: the score must be a multiple of %(step)s."), name=c.name, step=_fmt(c.step))
        values[str(c.id)] = value
    if len(values) < len(criteria):
        return values, None
    total = round(sum(values[str(c.id)] * c.weight for c in criteria), 6)
    return values, total


def _fmt(x: float) -> str:
    return f"{x:g}"


def can_score_now(round_: Round) -> bool:
    if round_.state != RoundState.OPEN:
        return False
    return round_.judge_deadline is None or utcnow() <= round_.judge_deadline


def clean_declarations(rows: list[dict]) -> list[dict]:
    """The pledge's declaration rows worth keeping: a row without a name or unit is left out;
    a name without its relation is refused."""
    kept = []
    for row in rows:
        relation, concerns = (row.get("relation") or "").strip(), (row.get("concerns") or "").strip()
        if not concerns:
            continue
        if relation not in {r.value for r in ConflictRelation}:
            raise UserError(N_("Say how you are related to %(name)s."), name=concerns)
        kept.append({"relation": relation, "concerns": concerns[:200]})
    return kept


def accept_pledge(round_: Round, actor, *, declarations: list[dict] | None = None) -> RoundJudge:
    """The judge ``actor`` accepts the round's pledge, declaring the people and units they are
    tied to (``declarations``: rows of relation and name or unit). A free-text statement of an
    earlier pledge stays as it was written."""
    member = membership(round_, actor)
    if not can_accept_pledge(member):
        raise UserError(N_("You are not a judge in this round."))
    member.pledge_accepted_at = member.pledge_accepted_at or utcnow()
    member.declarations = clean_declarations(declarations or [])
    db.session.flush()
    audit.record("judging.pledge_accept", round_, actor=actor, changes={"declarations": member.declarations})
    return member


def recuse(assignment: Assignment, *, actor, reason: str) -> Assignment | None:
    """A judge steps back from an entry; another judge takes it if one is eligible."""
    round_ = assignment.round
    require_unlocked(round_)
    refusal = recusal_refusal(assignment, actor, round_open=round_.state == RoundState.OPEN)
    if refusal is not None:
        raise UserError(refusal)
    if not (reason or "").strip():
        raise UserError(N_("Please give a reason for recusing yourself."))
    assignment.status = AssignmentStatus.RECUSED
    assignment.recuse_reason = reason.strip()
    if assignment.score is not None:
        db.session.delete(assignment.score)
    db.session.flush()
    replacement = add_replacement(round_, assignment.submission_id, assignment.role)
    audit.record(
        "judging.recuse",
        round_,
        actor=actor,
        changes={
            "assignment_id": assignment.id,
            "judge_id": assignment.judge_id,
            "reason": reason.strip(),
            "replacement_judge_id": replacement.judge_id if replacement else None,
        },
    )
    return replacement


def declare_conflict(assignment: Assignment, *, actor, reason: str):
    """The judge declares a conflict of interest on an entry they were shown: they leave it
    (like a recusal, the entry goes to another judge) and the conflict is recorded, so no
    assignment gives it back to them."""
    round_ = assignment.round
    refusal = recusal_refusal(assignment, actor, round_open=round_.state == RoundState.OPEN)
    if refusal is not None:
        raise UserError(refusal)
    return record_conflict_on(round_, actor, assignment.submission, reason=reason, actor=actor)


def save_score(
    assignment: Assignment,
    *,
    actor,
    values: dict,
    comment: str = "",
    submit: bool = False,
    shown_version: int | None = None,
) -> Score:
    """Save a draft (autosave) or submit; a submitted score may be revised until the round closes.

    ``shown_version`` is the entry version the judge's page showed; a score is
    refused if the entry has changed since (the score records the version).
    """
    round_ = assignment.round
    require_unlocked(round_)
    refusal = score_refusal(membership(round_, actor), assignment, scoring_open=can_score_now(round_))
    if refusal is not None:
        raise UserError(refusal)
    if shown_version is not None and shown_version != entry_fingerprint(assignment.submission_id)[0]:
        raise UserError(
            N_("This entry has changed since the page was opened. Reload the page and read it again before scoring.")
        )
    clean, total = check_values(round_.criteria, values, complete=submit)
    score = assignment.score
    if score is not None and score.status == ScoreStatus.SUBMITTED and not submit:
        # An autosave on a submitted score must not silently withdraw it.
        clean, total = check_values(round_.criteria, values, complete=True)
    return write_score(assignment, clean, total, comment=comment, submit=submit, actor=actor)


def write_score(
    assignment: Assignment,
    clean: dict,
    total: float | None,
    *,
    comment: str,
    submit: bool,
    actor,
    via: dict | None = None,
) -> Score:
    """Store checked values (``check_values``) on the assignment's score, audit, then check arbitration.

    Callers enforce the rules first: ``save_score`` for a judge, the offline
    key-in for paper sheets (``via`` says so in the audit entry).
    """
    round_ = assignment.round
    score = assignment.score
    was_submitted = score is not None and score.status == ScoreStatus.SUBMITTED
    if score is None:
        score = Score(assignment_id=assignment.id, round_id=round_.id)
        db.session.add(score)
        assignment.score = score
    before = {
        "values": dict(score.values or {}),
        "total": score.total,
        "status": score.status,
        "entry_version": score.entry_version,
    }
    score.entry_version, score.text_sha256 = entry_fingerprint(assignment.submission_id)
    score.values = clean
    score.total = total
    score.comment = (comment or "").strip()
    if submit or was_submitted:
        score.status = ScoreStatus.SUBMITTED
        score.submitted_at = utcnow()
        assignment.status = AssignmentStatus.SUBMITTED
    else:
        score.status = ScoreStatus.DRAFT
    score.updated_at = utcnow()
    db.session.flush()
    if submit or was_submitted:
        audit.record(
            "judging.score_submit" if not was_submitted else "judging.score_revise",
            round_,
            actor=actor,
            changes={
                "assignment_id": assignment.id,
                **(via or {}),
                **audit.diff(
                    before,
                    {"values": clean, "total": total, "status": score.status, "entry_version": score.entry_version},
                ),
            },
        )
        check_arbitration(round_, assignment.submission_id)
    return score


def judge_text_sha256(judge_title: str | None, judge_text: str | None) -> str:
    """SHA-256 of what a judge reads of an entry: its judge-facing title and text."""
    return hashlib.sha256(f"{judge_title or ''}\n{judge_text or ''}".encode("utf-8")).hexdigest()


def entry_fingerprint(submission_id: int) -> tuple[int, str]:
    """The entry's version and judge-text hash as they stand (what the judge is shown now)."""
    version, title, text = db.session.execute(
        select(Submission.version, Submission.judge_title, Submission.judge_text).where(Submission.id == submission_id)
    ).one()
    return version or 1, judge_text_sha256(title, text)
