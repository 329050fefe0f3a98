"""Who may do what in judging: small pure functions used by routes and templates."""

from __future__ import annotations

from core.i18n_markers import N_
from judging.models import AssignmentStatus, RoundState


def can_work_in_round(member) -> bool:
    """A judge sees a round's entries, files and sheets only after accepting its pledge."""
    return bool(member is not None and member.pledge_accepted_at is not None)


def can_see_other_scores(user, round_) -> bool:
    """Judges never see colleagues' scores during the round; afterwards only if the round says so."""
    return bool(round_.reveal_scores_after_close and round_.state in (RoundState.CLOSED, RoundState.FINALISED))


# --------------------------------------------------------------------------
# A judge's own work in a round (``member`` is their ``RoundJudge`` row)
# --------------------------------------------------------------------------


def can_accept_pledge(member) -> bool:
    """Only a judge still in the round's pool accepts its pledge."""
    return bool(member is not None and member.active)


def score_refusal(member, assignment, *, scoring_open: bool) -> str | None:
    """Why the judge may not change their score on ``assignment`` (a message), or None."""
    if not scoring_open:
        return N_("Judging is closed for this round.")
    if assignment.status == AssignmentStatus.RECUSED:
        return N_("You have recused yourself from this entry.")
    if not can_work_in_round(member):
        return N_("Accept the judge's pledge before scoring.")
    if not member.active:
        # A judge taken out of the pool keeps sight of their work but may not change it.
        return N_("You were removed from this round's judge pool; your scores can no longer change.")
    return None


def can_change_score(member, assignment, *, scoring_open: bool) -> bool:
    return score_refusal(member, assignment, scoring_open=scoring_open) is None


def can_recuse(member, assignment, *, scoring_open: bool) -> bool:
    """The entry page offers recusal only on an entry not yet scored, while the judge may score."""
    return can_change_score(member, assignment, scoring_open=scoring_open) and (
        assignment.status == AssignmentStatus.ASSIGNED
    )


def recusal_refusal(assignment, actor, *, round_open: bool) -> str | None:
    """Why ``actor`` may not take ``assignment``'s judge off the entry by recusal, or None.

    The judge recuses themself only while the round is open; an organiser may at any time
    before the round is locked. A submitted score is never recused.
    """
    if not round_open and assignment.judge_id == getattr(actor, "id", None):
        return N_("Judging is not open in this round.")
    if assignment.status == AssignmentStatus.SUBMITTED:
        return N_("A submitted score cannot be recused; ask the organiser.")
    return None
