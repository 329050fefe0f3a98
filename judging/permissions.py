"""Who may do what in judging: small pure functions used by routes and templates."""

from __future__ import annotations

from accounts.models import Role


def can_judge(user) -> bool:
    return bool(user and user.is_authenticated and user.has_role(Role.JUDGE))


def can_score(user, assignment) -> bool:
    """Only the assigned judge, and only their own assignment."""
    return bool(can_judge(user) and assignment is not None and assignment.judge_id == user.id)


def can_work_in_round(member) -> bool:
    """A judge sees a round's entries, files and sheets only after accepting its pledge."""
    return bool(member is not None and member.pledge_accepted_at is not None)


def can_see_other_scores(user, round_) -> bool:
    """Judges never see colleagues' scores during the round; afterwards only if the round says so."""
    from judging.models import RoundState

    return bool(round_.reveal_scores_after_close and round_.state in (RoundState.CLOSED, RoundState.FINALISED))
