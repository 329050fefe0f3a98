"""The organising office's eligibility check (资格审查), and revealing an ID number."""

from __future__ import annotations

from core import audit
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_
from nominations.models import Nomination, NominationStatus, ProgrammeStage, ReviewStep, StepKind

PASS, RETURN, REJECT = "pass", "return", "reject"
DECISIONS = {
    PASS: (NominationStatus.ELIGIBLE, StepKind.PASS, "nomination.check_pass"),
    RETURN: (NominationStatus.RETURNED, StepKind.RETURN, "nomination.check_return"),
    REJECT: (NominationStatus.REJECTED, StepKind.REJECT, "nomination.check_reject"),
}
DEFAULT_PASS_OPINION = "经审核，符合推荐条件。"


def check_nomination(nomination: Nomination, decision: str, opinion: str, actor) -> Nomination:
    """Pass, return for revision or reject a submitted dossier (a reason is required for the last two)."""
    if decision not in DECISIONS:
        raise UserError(N_("Choose pass, return or reject."))
    if nomination.status != NominationStatus.SUBMITTED:
        raise UserError(N_("Only a dossier awaiting the check can be decided."))
    if nomination.programme.stage not in (ProgrammeStage.NOMINATING, ProgrammeStage.CHECKING):
        raise UserError(N_("The eligibility check is over for this programme."))
    opinion = (opinion or "").strip()
    if decision != PASS and not opinion:
        raise UserError(N_("Please give the reason."))
    status, kind, action = DECISIONS[decision]
    before = nomination.status
    nomination.status = status
    programme = nomination.programme
    nomination.steps.append(
        ReviewStep(
            kind=kind,
            opinion=opinion or DEFAULT_PASS_OPINION,
            signer=programme.organiser_name or getattr(actor, "display_name", ""),
            actor_id=getattr(actor, "id", None),
            version=nomination.version,
        )
    )
    db.session.flush()
    audit.record(action, nomination, actor=actor, changes={"status": [before, status], "reason": opinion})
    return nomination


def reveal_resident_id(nomination: Nomination, actor) -> str:
    """The full ID number, for an organiser who asked; each reveal is logged."""
    if not nomination.resident_id:
        raise UserError(N_("This dossier has no resident ID number."))
    audit.record("nomination.reveal_id", nomination, actor=actor)
    return nomination.resident_id
