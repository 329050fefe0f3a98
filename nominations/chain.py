"""Links of the review chain: every transition of a dossier writes a ``ReviewStep``."""

from __future__ import annotations

from core import audit
from core.errors import UserError
from core.extensions import db
from nominations.models import Nomination, Programme, ProgrammeStage, ReviewStep, StepKind


def add_step(nomination: Nomination, kind: StepKind, *, opinion: str, signer: str, actor, unit_id=None) -> ReviewStep:
    """One link of the review chain (the caller writes the audit entry)."""
    step = ReviewStep(
        kind=kind,
        opinion=opinion,
        signer=signer[:120],
        actor_id=getattr(actor, "id", None),
        unit_id=unit_id,
        version=nomination.version,
    )
    nomination.steps.append(step)
    return step


def require_stage(programme: Programme, stage: ProgrammeStage, message: str) -> None:
    if programme.stage != stage:
        raise UserError(message)


def enter_stage(programme: Programme, stage: ProgrammeStage, action: str, *, actor, **changes) -> None:
    """Move the programme to ``stage`` (flushes); the audit entry names the old and the new stage first."""
    before = programme.stage
    programme.stage = stage
    db.session.flush()
    audit.record(action, programme, actor=actor, changes={"stage": [before, stage], **changes})
