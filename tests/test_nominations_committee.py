"""The committee ballot on the model level: refusals leave nothing, tallies at closing."""

from __future__ import annotations

import pytest

from core.errors import UserError
from helpers import audit
from helpers.nominations import build


@pytest.fixture
def setup(db, make_user, make_unit, organiser):
    return build(db, make_user, make_unit, organiser, dossiers=2, experts=0, committee=9, stage="ballot")


def _ballots(db):
    from sqlalchemy import func, select

    from nominations.models import Ballot, Recusal

    db.session.expire_all()
    return db.session.scalar(select(func.count(Ballot.id))), db.session.scalar(select(func.count(Recusal.id)))


def test_votes_are_refused_before_opening_twice_after_closing_and_for_outsiders(db, setup, make_user, organiser):
    from nominations import ballot_services as bs

    p, n = setup.programme, setup.nominations[0]
    member = setup.committee[0]
    with pytest.raises(UserError, match="not been opened"):
        bs.cast_vote(p, n, member, "for")
    bs.open_ballot(p, organiser)
    db.session.commit()
    bs.cast_vote(p, n, member, "for")
    db.session.commit()
    with pytest.raises(UserError, match="already voted"):
        bs.cast_vote(p, n, member, "against")
    db.session.rollback()
    outsider = make_user("committee")
    with pytest.raises(UserError, match="Only members"):
        bs.cast_vote(p, n, outsider, "for")
    db.session.rollback()
    bs.recuse(p, n, setup.committee[1], "与候选人系亲属关系")
    db.session.commit()
    with pytest.raises(UserError, match="recused"):
        bs.cast_vote(p, n, setup.committee[1], "for")
    db.session.rollback()
    with pytest.raises(UserError, match="reason"):
        bs.recuse(p, n, setup.committee[2], " ")
    db.session.rollback()
    with pytest.raises(UserError):
        bs.cast_vote(p, n, member, "maybe")
    db.session.rollback()
    assert _ballots(db) == (1, 1)
    bs.close_ballot(p, organiser)
    db.session.commit()
    with pytest.raises(UserError, match="closed"):
        bs.cast_vote(p, setup.nominations[1], setup.committee[3], "for")
    db.session.rollback()
    assert _ballots(db) == (1, 1)


def test_the_audit_says_who_voted_never_how(db, setup, organiser):
    from nominations import ballot_services as bs

    bs.open_ballot(setup.programme, organiser)
    bs.cast_vote(setup.programme, setup.nominations[0], setup.committee[0], "against")
    db.session.commit()
    entry = audit(db, "nomination.vote")[0]
    assert entry.actor_id == setup.committee[0].id
    assert "against" not in repr(entry.changes)


def test_closing_sets_passed_and_failed_with_the_committee_opinion(db, setup, organiser):
    from nominations import ballot_services as bs
    from nominations.models import StepKind

    p, (a, b) = setup.programme, setup.nominations
    bs.open_ballot(p, organiser)
    bs.recuse(p, a, setup.committee[0], "本单位推荐")
    for m in setup.committee[1:8]:  # 7 of the 8 eligible vote for a
        bs.cast_vote(p, a, m, "for")
    for m in setup.committee[:5]:  # only 5 of 9 vote on b: no quorum
        bs.cast_vote(p, b, m, "for")
    assert bs.results(p) == []  # nothing before closing
    with pytest.raises(UserError, match="still open"):
        bs.check_ballot_closed(p)
    rows = bs.close_ballot(p, organiser)
    db.session.commit()
    assert [(r.nomination.status, r.tally.passed) for r in rows] == [("passed", True), ("failed", False)]
    step = a.steps[-1]
    assert (step.kind, step.signer) == (StepKind.BALLOT, "评审委员会")
    assert step.opinion == "应到8人，实到7人，赞成7票，反对0票，弃权0票，通过"
    assert "未达到法定人数" in b.steps[-1].opinion
    bs.check_ballot_closed(p)
    assert [c.id for c in bs.candidates(p)] == [a.id, b.id]
    with pytest.raises(UserError, match="already closed"):
        bs.close_ballot(p, organiser)


def test_ballot_opens_only_at_the_ballot_stage_with_members(db, make_user, make_unit, organiser):
    from nominations import ballot_services as bs

    setup = build(db, make_user, make_unit, organiser, dossiers=1, experts=0, committee=0, stage="expert_review")
    with pytest.raises(UserError, match="committee stage"):
        bs.open_ballot(setup.programme, organiser)
    setup.programme.stage = "ballot"
    with pytest.raises(UserError, match="committee members"):
        bs.open_ballot(setup.programme, organiser)
