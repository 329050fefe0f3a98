"""A round's committee: who settles the ties at its award boundaries.

Committee members were not linked to rounds before; a round's committee is
the users holding the committee role whom the organiser chose for it (a
member may serve several rounds). The decisions themselves are
``award_services.decide_tie``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from accounts import services as account_services
from accounts.models import Role, User
from core import audit
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_
from essays.models import Competition, Submission
from judging.award_services import pending_ties
from judging.models import Round, RoundCommitteeMember, RoundResult, RoundState, TieDecision
from judging.round_services import require_unlocked


def members(round_: Round) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(RoundCommitteeMember, RoundCommitteeMember.user_id == User.id)
            .where(RoundCommitteeMember.round_id == round_.id)
            .order_by(User.display_name)
        )
    )


def serves(round_: Round, user) -> bool:
    """True when ``user`` holds the committee role and is on the round's committee."""
    if not (user and user.is_authenticated and user.has_role(Role.COMMITTEE)):
        return False
    return (
        db.session.scalar(
            select(RoundCommitteeMember.id).where(
                RoundCommitteeMember.round_id == round_.id, RoundCommitteeMember.user_id == user.id
            )
        )
        is not None
    )


def candidates() -> list[User]:
    """Active users with the committee role, for the organiser's picker."""
    return account_services.active_users_with_role(Role.COMMITTEE)


def add_member(round_: Round, user: User, *, actor) -> RoundCommitteeMember:
    require_unlocked(round_)
    if not user.has_role(Role.COMMITTEE):
        raise UserError(N_("%(name)s does not hold the committee role."), name=user.display_name)
    row = db.session.scalar(
        select(RoundCommitteeMember).where(
            RoundCommitteeMember.round_id == round_.id, RoundCommitteeMember.user_id == user.id
        )
    )
    if row is not None:
        raise UserError(N_("%(name)s already serves on this round's committee."), name=user.display_name)
    row = RoundCommitteeMember(round_id=round_.id, user_id=user.id)
    db.session.add(row)
    db.session.flush()
    audit.record(
        "judging.committee_add", round_, actor=actor, changes={"member": user.display_name, "user_id": user.id}
    )
    return row


def remove_member(round_: Round, user: User, *, actor) -> None:
    require_unlocked(round_)
    row = db.session.scalar(
        select(RoundCommitteeMember).where(
            RoundCommitteeMember.round_id == round_.id, RoundCommitteeMember.user_id == user.id
        )
    )
    if row is None:
        raise UserError(N_("%(name)s is not on this round's committee."), name=user.display_name)
    db.session.delete(row)
    db.session.flush()
    audit.record(
        "judging.committee_remove", round_, actor=actor, changes={"member": user.display_name, "user_id": user.id}
    )


@dataclass(frozen=True)
class ServedRound:
    round: Round
    competition_title: str
    pending: int  # ties still waiting for a decision


def rounds_served(user) -> list[ServedRound]:
    """The rounds whose committee ``user`` serves on, with their pending ties (unlocked rounds first)."""
    rows = db.session.execute(
        select(Round, Competition.title)
        .join(RoundCommitteeMember, RoundCommitteeMember.round_id == Round.id)
        .join(Competition, Competition.id == Round.competition_id)
        .where(RoundCommitteeMember.user_id == user.id)
        .order_by(Round.id.desc())
    ).all()
    out = [ServedRound(r, title, len(pending_ties(r)) if r.state != RoundState.FINALISED else 0) for r, title in rows]
    return sorted(out, key=lambda s: (s.pending == 0, s.round.locked))


@dataclass(frozen=True)
class TieEntry:
    """What the committee sees of a tied entry: no author, no unit (the judges' view of it)."""

    submission_id: int
    code: str
    title: str
    text: str
    final: float | None
    mean: float | None
    n_scores: int
    group_rank: int | None


@dataclass(frozen=True)
class TieView:
    group: str
    level: str
    places: int  # how many of the tied entries take ``level``
    entries: tuple[TieEntry, ...]


def tie_views(round_: Round) -> list[TieView]:
    ties = pending_ties(round_)
    ids = {e for t in ties for e in (*t.awarded, *t.below)}
    if not ids:
        return []
    info = {
        row[0]: row
        for row in db.session.execute(
            select(
                Submission.id,
                Submission.anonymous_code,
                Submission.judge_title,
                Submission.judge_text,
                RoundResult.final_score,
                RoundResult.mean,
                RoundResult.n_scores,
                RoundResult.group_rank,
            )
            .join(RoundResult, (RoundResult.submission_id == Submission.id) & (RoundResult.round_id == round_.id))
            .where(Submission.id.in_(list(ids)))
        )
    }
    out = []
    for t in ties:
        entries = tuple(TieEntry(*info[e]) for e in (*t.awarded, *t.below) if e in info)
        out.append(TieView(str(t.group), t.level, len(t.awarded), entries))
    return out


def decisions(round_: Round) -> list[tuple]:
    """(decision, chosen codes, tied codes, member name) for the record, oldest first."""
    rows = db.session.execute(
        select(TieDecision, User.display_name)
        .outerjoin(User, User.id == TieDecision.actor_id)
        .where(TieDecision.round_id == round_.id)
        .order_by(TieDecision.id)
    ).all()
    ids = {e for d, _ in rows for e in d.entries}
    codes = (
        dict(
            db.session.execute(
                select(Submission.id, Submission.anonymous_code).where(Submission.id.in_(list(ids)))
            ).all()
        )
        if ids
        else {}
    )
    return [(d, [codes.get(e, e) for e in d.chosen], [codes.get(e, e) for e in d.entries], name) for d, name in rows]
