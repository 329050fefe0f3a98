"""联审 pages: a department's coordinator agrees to or vetoes each candidate who passed the ballot."""

from __future__ import annotations

import pytest

from helpers import follow
from helpers.nominations import PHONE, add_joint_unit, build


@pytest.fixture
def setup(db, make_user, make_unit, organiser):
    setup = build(
        db, make_user, make_unit, organiser, dossiers=2, experts=0, committee=0, stage="joint_review", status="passed"
    )
    setup.dept = make_unit(name="区委组织部")
    add_joint_unit(db, setup.programme, setup.dept)
    setup.reviewer = make_user("coordinator", unit=setup.dept)
    db.session.commit()
    return setup


def test_department_agrees_and_vetoes_with_a_reason(app, db, login, post, setup):
    from nominations.models import StepKind

    pid = setup.programme.id
    a, b = setup.nominations
    client = login(app.test_client(), setup.reviewer)
    home = client.get("/nominations/joint")
    assert home.headers["Location"].endswith(f"/nominations/joint/{pid}")
    html = client.get(f"/nominations/joint/{pid}").get_data(as_text=True)
    assert a.name in html and b.name in html and PHONE not in html and a.resident_id not in html
    assert post(client, f"/nominations/joint/{pid}/c/{a.id}", {"decision": "approve"}).status_code == 302
    no_reason = post(client, f"/nominations/joint/{pid}/c/{b.id}", {"decision": "veto", "reason": ""})
    assert "否决须填写理由" in follow(client, no_reason)
    db.session.expire_all()
    assert b.status == "passed" and not b.joint_reviews
    veto = post(client, f"/nominations/joint/{pid}/c/{b.id}", {"decision": "veto", "reason": "有信访举报尚未查清"})
    assert veto.status_code == 302
    twice = post(client, f"/nominations/joint/{pid}/c/{a.id}", {"decision": "veto", "reason": "再议"})
    assert "已对该候选人作出意见" in follow(client, twice)
    db.session.expire_all()
    assert (a.status, b.status) == ("passed", "vetoed")
    assert b.steps[-1].kind == StepKind.JOINT_VETO and b.steps[-1].signer == "区委组织部"
    from nominations import joint

    joint.check_joint_done(setup.programme)
    office = login(app.test_client(), setup.organiser)
    page = office.get(f"/nominations/programmes/{pid}/joint").get_data(as_text=True)
    assert "有信访举报尚未查清" in page


def test_refusals_for_the_joint_pages(app, db, login, post, make_user, make_unit, setup):
    pid = setup.programme.id
    a = setup.nominations[0]
    other_unit = login(app.test_client(), make_user("coordinator", unit=make_unit()))
    assert other_unit.get(f"/nominations/joint/{pid}").status_code == 404
    assert post(other_unit, f"/nominations/joint/{pid}/c/{a.id}", {"decision": "approve"}, page="/").status_code == 404
    committee = login(app.test_client(), make_user("committee", unit=setup.dept))
    assert committee.get(f"/nominations/joint/{pid}").status_code == 403
    assert committee.get(f"/nominations/programmes/{pid}/joint").status_code == 403
    reviewer = login(app.test_client(), setup.reviewer)
    assert post(reviewer, f"/nominations/joint/{pid}/c/999999", {"decision": "approve"}, page="/").status_code == 404
    setup.programme.stage = "ballot"  # departments see candidates at the joint review stage only
    db.session.commit()
    assert reviewer.get(f"/nominations/joint/{pid}").status_code == 404
    assert "/login" in app.test_client().get(f"/nominations/joint/{pid}").headers["Location"]
    assert app.test_client().post(f"/nominations/joint/{pid}/c/{a.id}", data={}).status_code == 400
    db.session.expire_all()
    assert not a.joint_reviews


def test_office_names_the_departments_before_the_joint_stage(app, db, login, post, make_unit, setup, organiser):
    pid = setup.programme.id
    client = login(app.test_client(), organiser)
    discipline = make_unit(name="区纪委监委")
    locked = post(client, f"/nominations/programmes/{pid}/joint-units", {"unit_id": discipline.id}, page="/")
    assert "不能再调整联审部门" in follow(client, locked)
    setup.programme.stage = "ballot"
    db.session.commit()
    assert post(client, f"/nominations/programmes/{pid}/joint-units", {"unit_id": discipline.id}).status_code == 302
    db.session.expire_all()
    assert {ju.unit.name for ju in setup.programme.joint_units} == {"区委组织部", "区纪委监委"}
    row = next(ju for ju in setup.programme.joint_units if ju.unit_id == discipline.id)
    assert post(client, f"/nominations/programmes/{pid + 1}/joint-units/{row.id}/remove", page="/").status_code == 404
    assert post(client, f"/nominations/programmes/{pid}/joint-units/{row.id}/remove", page="/").status_code == 302


def test_joint_home_without_pending_programmes(app, db, login, setup):
    setup.programme.stage = "notice"
    db.session.commit()
    html = login(app.test_client(), setup.reviewer).get("/nominations/joint").get_data(as_text=True)
    assert "暂无需要您所在部门联审的评选项目" in html
