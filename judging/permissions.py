"""Who may do what in judging: small pure functions used by routes and templates."""

from __future__ import annotations

from judging.models import RoundState


def can_work_in_round(member) -> bool:
    """A judge sees a round's entries, files and sheets only after accepting its pledge."""
    return bool(member is not None and member.pledge_accepted_at is not None)


def can_see_other_scores(user, round_) -> bool:
    """Judges never see colleagues' scores during the round; afterwards only if the round says so."""
    return bool(round_.reveal_scores_after_close and round_.state in (RoundState.CLOSED, RoundState.FINALISED))
