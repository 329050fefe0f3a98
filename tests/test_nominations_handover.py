"""The whole chain on the model level: experts, ballot, 联审, hand-over, 公示 with an upheld
objection, approval and the certificate text (with a real publishing result set)."""

from __future__ import annotations

import pytest

from core.errors import UserError
from helpers import audit
from helpers.nominations import add_joint_unit, build


def _score_all(db, setup):
    from nominations import review

    for n in setup.nominations:
        for r in n.expert_reviews:
            values = {str(c.id): c.maximum - 5 for c in setup.programme.criteria}
            review.save_review(r, values=values, comment="", submit=True, actor=r.expert)
    db.session.commit()


def _vote_all(db, setup, against=()):
    from nominations import ballot_services

    for n in ballot_services.candidates(setup.programme):
        for member in setup.committee:
            vote = "against" if n.id in against else "for"
            ballot_services.cast_vote(setup.programme, n, member, vote)
    db.session.commit()


@pytest.fixture
def chain(db, make_user, make_unit, organiser):
    """A programme through expert review and the ballot (3 pass, 1 fails), one 联审 department."""
    from nominations import ballot_services, review
    from nominations.models import ProgrammeStage

    setup = build(db, make_user, make_unit, organiser, dossiers=4, experts=3)
    dept = make_unit(name="区纪委监委")
    add_joint_unit(db, setup.programme, dept)
    review.assign_experts(setup.programme, organiser)
    db.session.commit()
    _score_all(db, setup)
    review.check_ready_for_ballot(setup.programme)
    setup.programme.stage = ProgrammeStage.BALLOT
    ballot_services.open_ballot(setup.programme, organiser)
    _vote_all(db, setup, against={setup.nominations[3].id})
    ballot_services.close_ballot(setup.programme, organiser)
    setup.programme.stage = ProgrammeStage.JOINT_REVIEW
    db.session.commit()
    setup.dept = dept
    return setup


def test_whole_chain_to_approval_and_certificate(db, chain, make_user, organiser):
    from nominations import handover, joint
    from nominations.models import NominationStatus, StepKind
    from publishing import certificates as publishing_certificates
    from publishing import objections as publishing_objections
    from publishing.demo import replay_closed_notice
    from publishing.models import Ordering, SourceType

    p, (a, b, c, d) = chain.programme, chain.nominations
    assert [n.status for n in (a, b, c, d)] == ["passed", "passed", "passed", "failed"]
    assert a.steps[-1].kind == StepKind.BALLOT and a.steps[-1].signer == "评审委员会"
    assert a.steps[-1].opinion.startswith("应到9人，实到9人，赞成9票") and a.steps[-1].opinion.endswith("，通过")

    coordinator = make_user("coordinator", unit=chain.dept)
    with pytest.raises(UserError, match="joint review is not finished"):
        handover.hand_over(p, organiser)
    with pytest.raises(UserError, match="needs a reason"):
        joint.decide(p, c, chain.dept.id, "veto", " ", coordinator)
    joint.decide(p, a, chain.dept.id, "approve", "", coordinator)
    joint.decide(p, b, chain.dept.id, "approve", "", coordinator)
    joint.decide(p, c, chain.dept.id, "veto", "存在违纪问题，正在调查", coordinator)
    assert c.status == NominationStatus.VETOED
    assert c.steps[-1].kind == StepKind.JOINT_VETO and c.steps[-1].opinion == "存在违纪问题，正在调查"
    joint.check_joint_done(p)

    rs = handover.hand_over(p, organiser)
    db.session.commit()
    assert rs.source_type == SourceType.PROGRAMME and rs.source_id == p.id and rs.ordering == Ordering.UNORDERED
    assert [h.recipient_name for h in rs.honours] == [a.name, b.name]
    assert {h.level_text for h in rs.honours} == {"临渭标杆"}
    assert (a.status, b.status, c.status, d.status) == ("on_notice", "on_notice", "vetoed", "failed")
    with pytest.raises(UserError, match="notice"):
        handover.approve_programme(p, organiser)  # the notice has not been put up yet

    replay_closed_notice(rs, days_ago=20, length=5, unit="working", how_to_object="实名来电", actor=organiser)
    objection = _objection_during_notice(db, rs, rs.honours[1])
    db.session.commit()
    with pytest.raises(UserError, match="objection"):
        handover.approve_programme(p, organiser)
    db.session.rollback()
    publishing_objections.resolve_objection(objection, "upheld", "经调查，反映情况属实，取消其拟表彰资格。", organiser)
    handover.approve_programme(p, organiser)
    db.session.commit()

    assert (a.status, b.status) == ("approved", "withdrawn")
    assert b.steps[-1].kind == StepKind.WITHDRAW and "情况属实" in b.steps[-1].opinion
    assert a.steps[-1].kind == StepKind.APPROVE
    assert p.stage == "approved" and p.approved_at is not None
    assert rs.state == "published" and [h.recipient_name for h in rs.active_honours] == [a.name]
    assert audit(db, "nomination.programme_approve")

    certs = publishing_certificates.issue_certificates(rs, organiser)
    page = publishing_certificates.page_for(certs[0])
    assert page["recipient"] == ""  # the conferral names the honouree: no salutation line
    assert page["sentence"] == f"授予{a.name}同志“临渭标杆”荣誉称号。"


def _objection_during_notice(db, rs, honour):
    """An objection received while the (replayed) notice ran."""
    from publishing import objections as publishing_objections

    return publishing_objections.file_objection(
        rs,
        real_name="王建国",
        phone="13700001111",
        content="该同志的事迹材料存在虚报情况，请核查。",
        honour_id=honour.id,
        today=rs.notice_first_day,
    )


def test_certificate_reads_conferred_honour_title(db, chain, organiser):
    from nominations import handover, joint
    from publishing import certificates as publishing_certificates
    from publishing.demo import replay_closed_notice

    p = chain.programme
    p.joint_units.clear()
    db.session.flush()
    joint.check_joint_done(p)
    rs = handover.hand_over(p, organiser)
    replay_closed_notice(rs, days_ago=20, length=5, unit="working", how_to_object="实名来电", actor=organiser)
    handover.approve_programme(p, organiser)
    cert = publishing_certificates.issue_certificates(rs, organiser)[0]
    page = publishing_certificates.page_for(cert)
    text = page["recipient"] + page["sentence"]
    assert text.startswith("授予") and "同志“临渭标杆”荣誉称号" in text


def test_approval_refused_while_the_notice_runs(db, chain, organiser):
    from nominations import handover
    from publishing import clock as publishing_clock
    from publishing import notice as publishing_notice

    p = chain.programme
    p.joint_units.clear()
    db.session.flush()
    rs = handover.hand_over(p, organiser)
    publishing_notice.start_notice(
        rs, start=publishing_clock.today_local(), length=5, unit="working", how_to_object="来电", actor=organiser
    )
    db.session.commit()
    with pytest.raises(UserError, match="still open"):
        handover.approve_programme(p, organiser)
    db.session.rollback()
    assert all(n.status in ("on_notice", "failed") for n in chain.nominations)


def test_hand_over_refused_before_the_ballot_closed(db, make_user, make_unit, organiser):
    from nominations import handover
    from nominations.models import ProgrammeStage

    setup = build(db, make_user, make_unit, organiser, dossiers=2, experts=2, committee=3)
    setup.programme.stage = ProgrammeStage.BALLOT
    with pytest.raises(UserError, match="has not been held"):
        handover.hand_over(setup.programme, organiser)
    with pytest.raises(UserError):
        handover.check_handed_over(setup.programme)


def test_teams_are_handed_over_as_teams(db, make_user, make_unit, organiser):
    from core.db import utcnow
    from nominations import handover

    setup = build(
        db,
        make_user,
        make_unit,
        organiser,
        dossiers=1,
        experts=0,
        committee=0,
        stage="ballot",
        status="passed",
        kind="team",
    )
    setup.nominations[0].name = "区人民医院急诊科护理团队"
    setup.programme.ballot_opened_at = setup.programme.ballot_closed_at = utcnow()
    rs = handover.hand_over(setup.programme, organiser)
    honour = rs.honours[0]
    assert (honour.recipient_kind, honour.recipient_name) == ("team", "区人民医院急诊科护理团队")
    assert honour.source_item_id == setup.nominations[0].id and honour.recipient_unit == setup.units[0].name


def test_approval_after_the_list_was_published_in_publishing(db, chain, organiser):
    from nominations import handover
    from publishing import results as publishing_results
    from publishing.demo import replay_closed_notice

    p = chain.programme
    p.joint_units.clear()
    db.session.flush()
    rs = handover.hand_over(p, organiser)
    replay_closed_notice(rs, days_ago=20, length=5, unit="working", how_to_object="实名来电", actor=organiser)
    publishing_results.publish_results(rs, organiser)
    handover.approve_programme(p, organiser)
    assert p.stage == "approved" and rs.state == "published"
    assert sorted(n.status for n in chain.nominations) == ["approved", "approved", "approved", "failed"]
