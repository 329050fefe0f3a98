"""The committee ballot: opened and closed by the office, one secret vote per member and candidate.

Members see only their own ballots while it runs; at closing every candidate gets
its tally (``nominations.ballot.tally``), PASSED or FAILED, and a BALLOT step.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from core import audit, exports
from core.db import utcnow
from core.errors import UserError
from core.extensions import db
from core.i18n_markers import N_
from nominations import ballot
from nominations.chain import add_step, require_stage
from nominations.models import (
    Ballot,
    MemberRole,
    Nomination,
    NominationStatus,
    Programme,
    ProgrammeStage,
    Recusal,
    StepKind,
    Vote,
)
from nominations.panels import members
from nominations.permissions import is_committee_member_of

COMMITTEE = "评审委员会"
# Statuses of a dossier that went to the committee.
BALLOTED = (
    NominationStatus.PASSED,
    NominationStatus.FAILED,
    NominationStatus.VETOED,
    NominationStatus.ON_NOTICE,
    NominationStatus.WITHDRAWN,
    NominationStatus.APPROVED,
)


def is_open(programme: Programme) -> bool:
    return programme.ballot_opened_at is not None and programme.ballot_closed_at is None


def candidates(programme: Programme) -> list[Nomination]:
    """Before closing: the eligible dossiers; afterwards: those the committee voted on."""
    wanted = (NominationStatus.ELIGIBLE,) if programme.ballot_closed_at is None else BALLOTED
    return db.session.scalars(
        select(Nomination)
        .where(Nomination.programme_id == programme.id, Nomination.status.in_(wanted))
        .order_by(Nomination.id)
    ).all()


def open_ballot(programme: Programme, actor) -> Programme:
    require_stage(programme, ProgrammeStage.BALLOT, N_("The ballot is held at the committee stage."))
    if programme.ballot_opened_at is not None:
        raise UserError(N_("The ballot has already been opened."))
    if not members(programme, MemberRole.COMMITTEE):
        raise UserError(N_("Add the committee members first."))
    if not candidates(programme):
        raise UserError(N_("There is no candidate to vote on."))
    programme.ballot_opened_at = utcnow()
    db.session.flush()
    audit.record("nomination.ballot_open", programme, actor=actor, changes={"candidates": len(candidates(programme))})
    return programme


def _check_can_act(programme: Programme, nomination: Nomination, member) -> None:
    if not is_committee_member_of(member, programme):
        raise UserError(N_("Only members of the committee vote."))
    if programme.ballot_opened_at is None:
        raise UserError(N_("The ballot has not been opened yet."))
    if programme.ballot_closed_at is not None:
        raise UserError(N_("The ballot is closed; no more votes are accepted."))
    if nomination.programme_id != programme.id or nomination.status != NominationStatus.ELIGIBLE:
        raise UserError(N_("This is not a candidate of the ballot."))
    if any(r.member_id == member.id for r in nomination.recusals):
        raise UserError(N_("You have recused yourself from this candidate and do not vote on it."))
    if any(b.member_id == member.id for b in nomination.ballots):
        raise UserError(N_("You have already voted on this candidate; a vote cannot be changed."))


def cast_vote(programme: Programme, nomination: Nomination, member, vote: str) -> Ballot:
    try:
        vote = Vote(vote)
    except ValueError:
        raise UserError(N_("Choose for, against or abstain.")) from None
    _check_can_act(programme, nomination, member)
    row = Ballot(nomination=nomination, member_id=member.id, vote=vote)
    db.session.add(row)
    db.session.flush()
    # Secret ballot: the audit keeps that a member voted, never how.
    audit.record("nomination.vote", nomination, actor=member, changes={"programme": programme.id})
    return row


def recuse(programme: Programme, nomination: Nomination, member, reason: str) -> Recusal:
    reason = (reason or "").strip()
    if not reason:
        raise UserError(N_("Give the reason for recusing yourself."))
    _check_can_act(programme, nomination, member)
    row = Recusal(nomination=nomination, member_id=member.id, reason=reason[:500])
    db.session.add(row)
    db.session.flush()
    audit.record("nomination.recuse", nomination, actor=member, changes={"reason": reason})
    return row


def my_ballots(programme: Programme, member) -> dict[int, str]:
    """{nomination id: "for"/"against"/"abstain"/"recused"} of one member."""
    out: dict[int, str] = {}
    for n in candidates(programme):
        for b in n.ballots:
            if b.member_id == member.id:
                out[n.id] = str(b.vote)
        for r in n.recusals:
            if r.member_id == member.id:
                out[n.id] = "recused"
    return out


def turnout(programme: Programme) -> dict[int, int]:
    """{nomination id: members who voted or recused}: progress without revealing votes."""
    return {n.id: len(n.ballots) + len(n.recusals) for n in candidates(programme)}


def tally_of(programme: Programme, nomination: Nomination) -> ballot.Tally:
    return ballot.tally(
        {b.member_id: str(b.vote) for b in nomination.ballots},
        [u.id for u in members(programme, MemberRole.COMMITTEE)],
        [r.member_id for r in nomination.recusals],
        quorum=programme.quorum,
    )


def opinion(t: ballot.Tally) -> str:
    """应到9人，实到8人，赞成7票，通过 — as the committee's opinion on the form."""
    if not t.valid:
        outcome = "未达到法定人数，未通过"
    else:
        outcome = "通过" if t.passed else "未通过"
    return (
        f"应到{t.eligible}人，实到{t.present}人，赞成{t.for_votes}票，反对{t.against_votes}票，"
        f"弃权{t.abstentions}票，{outcome}"
    )


@dataclass(frozen=True)
class TallyRow:
    nomination: Nomination
    tally: ballot.Tally


def close_ballot(programme: Programme, actor) -> list[TallyRow]:
    """Close the ballot, count every candidate, set PASSED / FAILED with the committee's step."""
    if programme.ballot_opened_at is None:
        raise UserError(N_("The ballot has not been opened yet."))
    if programme.ballot_closed_at is not None:
        raise UserError(N_("The ballot is already closed."))
    rows = []
    for nomination in candidates(programme):
        t = tally_of(programme, nomination)
        before = nomination.status
        nomination.status = NominationStatus.PASSED if t.passed else NominationStatus.FAILED
        add_step(nomination, StepKind.BALLOT, opinion=opinion(t), signer=COMMITTEE, actor=actor)
        audit.record(
            "nomination.ballot_result",
            nomination,
            actor=actor,
            changes={"status": [before, nomination.status], "for_votes": t.for_votes, "present": t.present},
        )
        rows.append(TallyRow(nomination, t))
    programme.ballot_closed_at = utcnow()
    db.session.flush()
    audit.record(
        "nomination.ballot_close",
        programme,
        actor=actor,
        changes={"passed": sum(1 for r in rows if r.tally.passed), "candidates": len(rows)},
    )
    return rows


def results(programme: Programme) -> list[TallyRow]:
    """Per-candidate tallies; only after the ballot has closed."""
    if programme.ballot_closed_at is None:
        return []
    return [TallyRow(n, tally_of(programme, n)) for n in candidates(programme)]


def check_ballot_closed(programme: Programme) -> None:
    """Guard of BALLOT → the next stage: the ballot has been held and closed."""
    if programme.ballot_opened_at is None:
        raise UserError(N_("The committee ballot has not been held yet."))
    if programme.ballot_closed_at is None:
        raise UserError(N_("The committee ballot is still open; close it first."))


def results_table(programme: Programme) -> exports.Table:
    """投票结果: per candidate, after the ballot has closed."""
    rows = [
        [
            r.nomination.name,
            r.nomination.unit.name,
            r.tally.eligible,
            r.tally.present,
            r.tally.for_votes,
            r.tally.against_votes,
            r.tally.abstentions,
            _("Passed") if r.tally.passed else (_("Not passed") if r.tally.valid else _("No quorum")),
        ]
        for r in results(programme)
    ]
    columns = [
        exports.Column(_("Full name"), 16),
        exports.Column(_("Nominating unit"), 24),
        exports.Column(_("Members expected"), 8),
        exports.Column(_("Members present"), 8),
        exports.Column(_("For"), 8),
        exports.Column(_("Against"), 8),
        exports.Column(_("Abstain"), 8),
        exports.Column(_("Result"), 10),
    ]
    return exports.Table(columns, rows, sheet=_("Committee ballot"), title=programme.title)
